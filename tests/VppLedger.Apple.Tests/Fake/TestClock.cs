namespace VppLedger.Apple.Tests.Fake;

/// <summary>A virtual clock: time moves only when the client waits, by exactly the wait, and every wait is recorded.
/// Tests never sleep and never depend on the machine's speed.</summary>
internal sealed class TestClock : IAppleClock
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public List<TimeSpan> Delays { get; } = [];

    public DateTimeOffset UtcNow
    {
        get { lock (_gate) return _now; }
    }

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
