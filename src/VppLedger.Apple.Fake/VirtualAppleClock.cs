namespace VppLedger.Apple.Fake;

/// <summary>A virtual clock: time moves only when the client waits, by exactly the wait, and every wait is recorded.
/// Tests never sleep and never depend on the machine's speed; the fake Apple timestamps requests with it.</summary>
public sealed class VirtualAppleClock : IAppleClock
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Every wait asked for, in order.</summary>
    public List<TimeSpan> Delays { get; } = [];

    /// <inheritdoc />
    public DateTimeOffset UtcNow
    {
        get { lock (_gate) return _now; }
    }

    /// <inheritdoc />
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Delays.Add(delay);
            _now += delay;
        }
        return Task.CompletedTask;
    }
}
