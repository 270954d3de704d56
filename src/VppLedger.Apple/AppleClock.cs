namespace VppLedger.Apple;

/// <summary>The client's time: the rate limiter reads it and every wait (a retry's backoff, the limiter's pause) goes
/// through it, so tests substitute a virtual clock and never sleep.</summary>
public interface IAppleClock
{
    /// <summary>The current instant.</summary>
    DateTimeOffset UtcNow { get; }

    /// <summary>Waits for <paramref name="delay"/>.</summary>
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>The real clock over a <see cref="TimeProvider"/> (default <see cref="TimeProvider.System"/>).</summary>
public sealed class SystemAppleClock(TimeProvider? timeProvider = null) : IAppleClock
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public DateTimeOffset UtcNow => _time.GetUtcNow();

    /// <inheritdoc />
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, _time, cancellationToken);
}
