using CsCheck;
using NodaTime;
using VppLedger.Insights;
using VppLedger.Pools;

namespace VppLedger.Tests.Insights;

/// <summary>Run-out forecast (issue 15, part 5): histories with a known answer.</summary>
public sealed class a_pool_runs_out_when_its_free_licenses_meet_its_net_rate
{
    private static readonly Instant Now = Instant.FromUtc(2026, 10, 1, 0, 0);
    private static readonly PoolId Pool = new(new TokenId("tok"), new AdamId("9"));

    private static PoolState State(int purchased, int used, int queued = 0, int retired = 0) =>
        PoolState.Initial(Pool) with { Synced = true, PurchasedCount = purchased, RetiredCount = retired, UserLicenseCount = used, QueuedCount = queued };

    [Fact]
    [Trait("Rule", "S1")]
    public void sixty_grants_in_thirty_days_leave_forty_free_licenses_twenty_days()
    {
        var f = Forecasts.Of(State(100, 60), grantedInWindow: 60, reclaimedInWindow: 0, Duration.FromDays(30), Now);

        Assert.Equal(2.0, f.NetPerDay);
        Assert.Equal(Now + Duration.FromDays(20), f.RunsOutAt);
        Assert.Equal(0, f.ToBuyCount);
    }

    [Fact]
    [Trait("Rule", "S1")]
    public void reclaims_slow_the_rate_and_more_reclaims_than_grants_never_run_out()
    {
        Assert.Equal(Now + Duration.FromDays(40), Forecasts.Of(State(100, 60), 45, 15, Duration.FromDays(30), Now).RunsOutAt);
        Assert.Null(Forecasts.Of(State(100, 60), 10, 15, Duration.FromDays(30), Now).RunsOutAt);
    }

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S4")]
    public void a_full_pool_has_run_out_now_and_must_buy_its_queue_and_its_over_allocation()
    {
        var f = Forecasts.Of(State(10, 10, queued: 7, retired: 2), 0, 0, Duration.FromDays(30), Now);

        Assert.Equal(Now, f.RunsOutAt);
        Assert.Equal(9, f.ToBuyCount);
    }

    [Fact]
    [Trait("Rule", "S1")]
    public void generated_histories_at_a_steady_rate_run_out_when_the_free_licenses_are_used_up()
    {
        Gen.Select(Gen.Int[1, 20], Gen.Int[1, 90], Gen.Int[1, 5000], Gen.Int[0, 10]).Sample((perDay, windowDays, free, reclaimedPerDay) =>
        {
            // A history of (perDay + reclaimedPerDay) grants and reclaimedPerDay reclaims a day: net perDay a day.
            var granted = (perDay + reclaimedPerDay) * windowDays;
            var reclaimed = reclaimedPerDay * windowDays;
            var f = Forecasts.Of(State(free + 100, 100), granted, reclaimed, Duration.FromDays(windowDays), Now);

            var expected = Now + Duration.FromSeconds(Math.Round((double)free / perDay * 86_400));
            return f.RunsOutAt == expected && f.NetPerDay == perDay && f.AvailableCount == free;
        }, iter: 500);
    }
}
