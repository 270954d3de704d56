using NodaTime;
using VppLedger.Alerts;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>Alerts (issue 15, part 2): the host's scheduled call records each crossing once, and its clearing.</summary>
public sealed class alerts_are_recorded_as_events_once_per_crossing(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I4")]
    public async Task a_full_pool_a_waiting_queue_and_an_expiring_token_alert_once_and_clear_when_resolved()
    {
        var start = db.Clock.GetCurrentInstant();
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("alerts")), start);
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "301", purchased: 2);
        var users = await s.UsersAsync("a", 3);
        var group = await s.GroupAsync("crew", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        var expiresAt = (await s.Ledger.GetTokenAsync(pool.Token))!.ExpiresAt;

        var first = await s.Ledger.EvaluateAlertsAsync(start);
        var sameInstant = await s.Ledger.EvaluateAlertsAsync(start);
        var twoDaysOn = await s.Ledger.EvaluateAlertsAsync(start + Duration.FromDays(2));
        var nearExpiry = await s.Ledger.EvaluateAlertsAsync(expiresAt - Duration.FromDays(6));
        await s.CountsAsync(pool, purchased: 5);
        var afterPurchase = await s.Ledger.EvaluateAlertsAsync(expiresAt - Duration.FromDays(6) + Duration.FromMinutes(1));
        var active = await s.Ledger.ListAlertsAsync();

        Assert.Equal(["pool_low/tok:301/1"], first.EventsOf<AlertRaised>().Select(a => a.Key));
        Assert.True(sameInstant.IsReplay);
        Assert.Equal(["queue_waiting/tok:301/1440"], twoDaysOn.EventsOf<AlertRaised>().Select(a => a.Key));
        Assert.Equal(["token_expiring/tok/30", "token_expiring/tok/7"], nearExpiry.EventsOf<AlertRaised>().Select(a => a.Key));
        Assert.Empty(nearExpiry.EventsOf<AlertCleared>());
        Assert.Equal(["pool_low/tok:301/1", "queue_waiting/tok:301/1440"], afterPurchase.EventsOf<AlertCleared>().Select(a => a.Key).Order(StringComparer.Ordinal));
        Assert.Empty(afterPurchase.EventsOf<AlertRaised>());
        Assert.Equal(["token_expiring/tok/30", "token_expiring/tok/7"], active.Select(a => a.Key));
        Assert.Equal(6, await db.EventCountAsync("alerts", "tenant:alerts"));
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task a_tenants_alerts_see_only_its_own_pools()
    {
        var now = db.Clock.GetCurrentInstant();
        var a = new Scenario(db.Ledger.ForTenant(new TenantId("alerts-a")), now);
        var b = new Scenario(db.Ledger.ForTenant(new TenantId("alerts-b")), now);
        await a.SyncedPoolAsync(new TokenId("tok"), "401", purchased: 0);
        await b.SyncedPoolAsync(new TokenId("tok"), "402", purchased: 10);

        var onB = await b.Ledger.EvaluateAlertsAsync(now);

        Assert.Empty(onB.Changes);
        Assert.Single(await a.Ledger.EvaluateAlertsAsync(now) is { } onA ? onA.EventsOf<AlertRaised>() : []);
    }
}
