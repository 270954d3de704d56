using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// New counts from Apple that free licenses for a long queue serve it first in, first out, 40 promotions a page (the
/// fixture's page size): after a crash between pages the head of the queue has been served and the rest waits in order;
/// retrying the command id serves the rest with the events of an uninterrupted run.
/// </summary>
public sealed class buying_licenses_for_a_long_queue_serves_it_in_pages(PagedArticleLedgerFixture db) : IClassFixture<PagedArticleLedgerFixture>
{
    private static readonly TokenId Token = new("tok");

    /// <summary>10 licenses for a group of 130 users: 10 granted, 120 queued in targeting order.</summary>
    private async Task<(Scenario S, PoolId Pool, IReadOnlyList<UserId> Users)> BuildAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(Token, "111", purchased: 10);
        var users = await s.DirectoryUsersAsync("q", 130);
        var group = await s.GroupAsync("all", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        return (s, pool, users);
    }

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S2")]
    [Trait("Rule", "I4")]
    public async Task a_crash_between_pages_leaves_the_rest_waiting_in_order_and_the_retry_serves_it_once()
    {
        var id = new CommandId("buy-200");
        var (twin, _, _) = await BuildAsync("buy-twin");
        Assert.Equal(CommandStatus.Applied, (await twin.Ledger.ExecuteAsync(new ApplyAppleCounts(new PoolId(Token, new AdamId("111")), ProductKind.App, 200, 0, null, id, Scenario.Admin))).Status);

        var (s, pool, users) = await BuildAsync("buy-crash");
        var buy = new ApplyAppleCounts(pool, ProductKind.App, 200, 0, null, id, Scenario.Admin);
        await db.CrashAfterPageAsync(1, () => s.Ledger.ExecuteAsync(buy));

        // 80 of the 120 who waited are served, the first 80 in line; the other 40 wait in order; the books balance.
        var mid = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((200, 90, 40), (mid.TotalCount, mid.UsedCount, mid.QueuedCount));
        Assert.Equal(((long)mid.UsedCount, (long)mid.QueuedCount), await db.SeatRowsAsync("buy-crash", pool));
        Assert.Equal(users.Skip(90).Select(u => u.Value), (await s.Ledger.GetQueueAsync(pool, 100)).Select(q => q.Holder.OwnerId));

        var resumed = await s.Ledger.ExecuteAsync(buy);

        Assert.Equal(CommandStatus.Applied, resumed.Status);
        Assert.Equal(await db.EventsOfAsync("buy-twin", id), await db.EventsOfAsync("buy-crash", id));
        Assert.Equal(users.Skip(10).Select(u => "u." + u.Value + ".managed"), resumed.EventsOf<LicenseGranted>().Select(g => g.Holder.Key));
        var end = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((130, 0), (end.UsedCount, end.QueuedCount));
        Assert.Empty(await s.Ledger.ListOperationsInProgressAsync());
    }
}
