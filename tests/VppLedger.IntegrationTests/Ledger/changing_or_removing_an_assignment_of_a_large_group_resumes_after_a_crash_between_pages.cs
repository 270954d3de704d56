using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Changing an assignment of a large group to Uninstall, or removing it (the article's behaviour: the licenses are
/// reclaimed), fans out 40 members a page (the fixture's page size). A crash between pages is resumed by retrying the
/// command id, with the same events as one uninterrupted run in a twin tenant; an assignment changed again between
/// pages stops the older fan-out, since the newer command's own acts on every member.
/// </summary>
public sealed class changing_or_removing_an_assignment_of_a_large_group_resumes_after_a_crash_between_pages(PagedArticleLedgerFixture db)
    : IClassFixture<PagedArticleLedgerFixture>
{
    private static readonly TokenId Token = new("tok");
    private static readonly GroupId Group = new("all");

    /// <summary>One pool of 150 licenses assigned (Required, user licenses) to a group of 180 users: 150 granted, 30 queued.</summary>
    private async Task<(Scenario S, PoolId Pool)> BuildAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(Token, "111", purchased: 150);
        var users = await s.DirectoryUsersAsync("u", 180);
        await s.GroupAsync(Group.Value, GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, Group, AssignmentIntent.Required, LicenseType.User);
        return (s, pool);
    }

    public static TheoryData<string> Changes => ["remove", "uninstall"];

    private static ILedgerCommand Change(string change, PoolId pool, CommandId id) => change == "remove"
        ? new RemoveAssignment(pool, Group, id, Scenario.Admin)
        : new ChangeAssignment(pool, Group, AssignmentIntent.Uninstall, LicenseType.User, id, Scenario.Admin);

    [Theory]
    [MemberData(nameof(Changes))]
    [Trait("Rule", "R2")]
    [Trait("Rule", "A4")]
    [Trait("Rule", "I4")]
    [Trait("Rule", "S1")]
    public async Task a_crash_between_pages_is_resumed_by_the_same_command_without_double_reclaims(string change)
    {
        var id = new CommandId("change-" + change);
        var (twin, _) = await BuildAsync("twin-" + change);
        Assert.Equal(CommandStatus.Applied, (await twin.Ledger.ExecuteAsync(Change(change, new PoolId(Token, new AdamId("111")), id))).Status);

        var (s, pool) = await BuildAsync("crash-" + change);
        await db.CrashAfterPageAsync(1, () => s.Ledger.ExecuteAsync(Change(change, pool, id)));

        // Two pages of 40 members done: their 80 licenses went back and served the 30 who waited, first in first out
        // (A6; the next pages reclaim those too); the books balanced.
        var mid = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((150 - 80 + 30, 0), (mid.UsedCount, mid.QueuedCount));
        Assert.Equal(((long)mid.UsedCount, (long)mid.QueuedCount), await db.SeatRowsAsync("crash-" + change, pool));
        Assert.Equal(2, Assert.Single(await s.Ledger.ListOperationsInProgressAsync()).PagesCommitted);

        var resumed = await s.Ledger.ExecuteAsync(Change(change, pool, id));

        Assert.Equal(CommandStatus.Applied, resumed.Status);
        Assert.Equal(await db.EventsOfAsync("twin-" + change, id), await db.EventsOfAsync("crash-" + change, id));
        Assert.Single(resumed.Changes, c => c.Event is AssignmentRemoved or AssignmentChanged);
        var end = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((0, 0), (end.UsedCount, end.QueuedCount));
        Assert.Equal(180, resumed.EventsOf<LicenseReclaimed>().Select(e => e.Holder).Distinct().Count());
        Assert.Equal(180, resumed.EventsOf<LicenseReclaimed>().Count());
        Assert.Empty(await s.Ledger.ListOperationsInProgressAsync());
        Assert.True((await s.Ledger.ExecuteAsync(Change(change, pool, id))).IsReplay);
    }

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I4")]
    public async Task an_assignment_changed_again_between_pages_stops_the_older_fan_out()
    {
        var (s, pool) = await BuildAsync("superseded");
        var id = new CommandId("uninstall");
        await db.CrashAfterPageAsync(0, () => s.Ledger.ExecuteAsync(Change("uninstall", pool, id)));

        // Required again before the first command is resumed: it grants every member in targeting order (A6).
        await s.RunAsync(new ChangeAssignment(pool, Group, AssignmentIntent.Required, LicenseType.User, s.NextId(), Scenario.Admin));
        var resumed = await s.Ledger.ExecuteAsync(Change("uninstall", pool, id));

        Assert.Equal(CommandStatus.Applied, resumed.Status);
        Assert.Empty(resumed.EventsOf<LicenseReclaimed>().Skip(PagedLedgerFixture.PageSize));
        var end = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((150, 30), (end.UsedCount, end.QueuedCount));
        Assert.Equal(((long)end.UsedCount, (long)end.QueuedCount), await db.SeatRowsAsync("superseded", pool));
        Assert.Empty(await s.Ledger.ListOperationsInProgressAsync());
    }
}
