using NodaTime;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>Run-out forecast (issue 15, part 5) on a history written through the ledger, one grant a day.</summary>
public sealed class forecasting_when_a_pool_runs_out(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    public async Task one_grant_a_day_for_ten_days_leaves_ten_free_licenses_ten_days_and_a_reclaim_moves_it()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("forecast")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "701", purchased: 20);
        var users = await s.UsersAsync("r", 10);
        foreach (var user in users)
        {
            db.Clock.Advance(Duration.FromDays(1));
            await s.RunAsync(new GrantLicenses(pool, [Holder.ForUser(user, AppleIdKind.Managed)], s.NextId(), Scenario.Admin));
        }

        var now = db.Clock.GetCurrentInstant();
        var steady = Assert.Single(await s.Ledger.ForecastAsync(Duration.FromDays(10)));
        await s.RunAsync(RevokeLicenses.ForUser(users[0], s.NextId(), Scenario.Admin));
        var afterReclaim = Assert.Single(await s.Ledger.ForecastAsync(Duration.FromDays(10)));
        var shortWindow = Assert.Single(await s.Ledger.ForecastAsync(Duration.FromDays(2)));

        Assert.Equal((10, 0, 10), (steady.GrantedCount, steady.ReclaimedCount, steady.AvailableCount));
        Assert.Equal(now + Duration.FromDays(10), steady.RunsOutAt);
        Assert.Equal((10, 1, 11), (afterReclaim.GrantedCount, afterReclaim.ReclaimedCount, afterReclaim.AvailableCount));
        Assert.Equal(now + Duration.FromSeconds(Math.Round(11 / 0.9 * 86_400)), afterReclaim.RunsOutAt);
        Assert.Equal((2, 1), (shortWindow.GrantedCount, shortWindow.ReclaimedCount)); // days 9 and 10, and the reclaim
        Assert.Equal(0, steady.ToBuyCount);
    }
}
