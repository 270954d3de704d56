using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary>How rebuild and import show their progress on standard error: events done of the total, rate, time left.</summary>
public sealed class progress_is_counted_in_events_with_rate_and_time_left
{
    [Fact]
    public void a_known_total_gives_the_share_the_rate_and_the_time_left()
    {
        var text = ProgressLine.Text(250_000, 1_000_000, TimeSpan.FromSeconds(10), "3 of 8 projections rebuilt");

        Assert.Equal("250,000 of 1,000,000 events (25%), 25,000 events/s, about 30 s left (3 of 8 projections rebuilt)", text);
    }

    [Fact]
    public void a_long_rest_is_told_in_minutes_and_hours()
    {
        Assert.Contains("about 2 min 30 s left", ProgressLine.Text(100, 1_600, TimeSpan.FromSeconds(10), null), StringComparison.Ordinal);
        Assert.Contains("about 1 h 23 min left", ProgressLine.Text(1, 5_001, TimeSpan.FromSeconds(1), null), StringComparison.Ordinal);
    }

    [Fact]
    public void the_end_and_an_unknown_total_tell_no_time_left()
    {
        Assert.DoesNotContain("left", ProgressLine.Text(1_000, 1_000, TimeSpan.FromSeconds(2), null), StringComparison.Ordinal);
        Assert.Equal("1,000 events, 500 events/s", ProgressLine.Text(1_000, 0, TimeSpan.FromSeconds(2), null));
    }
}
