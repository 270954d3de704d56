using NodaTime;

namespace VppLedger.Cli.Demo;

/// <summary>The demo's business time: it starts in the past and moves forward step by step, so that an as-of replay has earlier moments to show.</summary>
internal sealed class StoryClock(Instant start) : IClock
{
    private long _ticks = start.ToUnixTimeTicks();

    public Instant GetCurrentInstant() => Instant.FromUnixTimeTicks(Interlocked.Read(ref _ticks));

    public void Advance(Duration by) => Interlocked.Add(ref _ticks, by.BclCompatibleTicks);
}
