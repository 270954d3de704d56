using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>The source article's situations, through the ledger and a real PostgreSQL.</summary>
public sealed class the_articles_scenarios_end_to_end(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private Scenario NewTenant(string tenant) => new(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S1")]
    [Trait("Rule", "R4")]
    public async Task a_group_of_500_on_100_licenses_is_served_in_targeting_order_as_licenses_are_bought_and_freed()
    {
        var s = NewTenant("contoso");
        var pool = await s.SyncedPoolAsync(new TokenId("tok-main"), "361309726", purchased: 100);
        var users = await s.UsersAsync("u", 500);
        var group = await s.GroupAsync("sales", GroupKind.User, users.Select(GroupMember.ForUser));

        var assigned = await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        Assert.Equal(100, assigned.EventsOf<LicenseGranted>().Count());
        Assert.Equal(400, assigned.EventsOf<HolderQueued>().Count());
        Assert.Equal(users.Take(100).Select(u => u.Value), assigned.EventsOf<LicenseGranted>().Select(g => g.Holder.OwnerId));
        var summary = await s.Ledger.GetPoolAsync(pool);
        Assert.Equal((100, 100, 0, 400), (summary!.TotalCount, summary.UsedCount, summary.AvailableCount, summary.QueuedCount));
        var queue = await s.Ledger.GetQueueAsync(pool, take: 3);
        Assert.Equal(["u0101", "u0102", "u0103"], queue.Select(q => q.Holder.OwnerId));

        // 50 more bought: the next 50 in targeting order get licenses.
        var bought = await s.CountsAsync(pool, purchased: 150);
        Assert.Equal(users.Skip(100).Take(50).Select(u => u.Value), bought.EventsOf<LicenseGranted>().Select(g => g.Holder.OwnerId));
        Assert.Equal((150, 350), ((await s.Ledger.GetPoolAsync(pool))!.UsedCount, (await s.Ledger.GetPoolAsync(pool))!.QueuedCount));

        // A member leaves the group: reclaimed (R4), and the head of the queue granted (A6).
        var left = await s.RunAsync(new RemoveGroupMembers(group, [GroupMember.ForUser(users[0])], s.NextId(), Scenario.Admin));
        Assert.Equal("u0001", Assert.Single(left.EventsOf<LicenseReclaimed>()).Holder.OwnerId);
        Assert.Equal("u0151", Assert.Single(left.EventsOf<LicenseGranted>()).Holder.OwnerId);
        var after = await s.Ledger.GetPoolAsync(pool);
        Assert.Equal((150, 349), (after!.UsedCount, after.QueuedCount));
        Assert.Empty((await s.Ledger.GetUserLicensesAsync(users[0])).Licenses);

        var report = await s.Ledger.GetOversubscriptionAsync();
        Assert.Equal(349, Assert.Single(report.Oversubscribed).QueuedCount);
    }

    [Fact]
    [Trait("Rule", "R5")]
    public async Task a_device_removed_from_management_keeps_its_license()
    {
        var s = NewTenant("fabrikam");
        var pool = await s.SyncedPoolAsync(new TokenId("tok-f"), "1001", purchased: 5);
        var ipad = await s.DeviceAsync("ipad-1", Scenario.CorporateSupervised());
        var group = await s.GroupAsync("ipads", GroupKind.Device, [GroupMember.ForDevice(ipad)]);
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.Device);

        var retired = await s.RunAsync(new RecordDeviceRemovedFromManagement(ipad, s.NextId(), Scenario.Admin));

        Assert.Empty(retired.EventsOf<LicenseReclaimed>());
        Assert.Equal(SeatStatus.Granted, Assert.Single((await s.Ledger.GetDeviceLicensesAsync(ipad)).Licenses).Status);
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.DeviceLicenseCount);
    }

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public async Task a_deleted_token_leaves_orphaned_licenses_that_cannot_be_revoked()
    {
        var s = NewTenant("northwind");
        var token = new TokenId("tok-n");
        var pool = await s.SyncedPoolAsync(token, "2002", purchased: 10);
        var users = await s.UsersAsync("n", 3);
        var group = await s.GroupAsync("all", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        var deleted = await s.RunAsync(new DeleteToken(token, s.NextId(), Scenario.Admin));

        Assert.Empty(deleted.EventsOf<LicenseReclaimed>());
        Assert.Single(deleted.EventsOf<PoolOrphaned>());
        var revoke = await s.Ledger.ExecuteAsync(RevokeLicenses.ForApp(pool, s.NextId(), Scenario.Admin));
        Assert.Equal(CommandStatus.Rejected, revoke.Status);
        Assert.Equal("R7", revoke.Rejection!.Rule);
        var summary = await s.Ledger.GetPoolAsync(pool);
        Assert.True(summary!.Orphaned);
        Assert.Equal(3, summary.UsedCount);
        Assert.Equal(TokenStatus.Deleted, (await s.Ledger.GetTokenAsync(token))!.Status);
    }

    [Fact]
    [Trait("Rule", "R4")]
    public async Task a_member_in_two_targeted_groups_keeps_the_license_until_no_group_targets_them()
    {
        var s = NewTenant("twogroups");
        var pool = await s.SyncedPoolAsync(new TokenId("tok-two"), "3003", purchased: 5);
        var users = await s.UsersAsync("t", 2);
        var sales = await s.GroupAsync("sales", GroupKind.User, users.Select(GroupMember.ForUser));
        var managers = await s.GroupAsync("managers", GroupKind.User, [GroupMember.ForUser(users[0])]);
        await s.AssignAsync(pool, sales, AssignmentIntent.Required, LicenseType.User);
        await s.AssignAsync(pool, managers, AssignmentIntent.Available, LicenseType.User);

        var leftSales = await s.RunAsync(new RemoveGroupMembers(sales, [GroupMember.ForUser(users[0]), GroupMember.ForUser(users[1])], s.NextId(), Scenario.Admin));

        Assert.Equal("t0002", Assert.Single(leftSales.EventsOf<LicenseReclaimed>()).Holder.OwnerId);
        Assert.Single((await s.Ledger.GetUserLicensesAsync(users[0])).Licenses);

        var leftManagers = await s.RunAsync(new RemoveGroupMembers(managers, [GroupMember.ForUser(users[0])], s.NextId(), Scenario.Admin));
        Assert.Equal(ReclaimReason.NoLongerTargeted, Assert.Single(leftManagers.EventsOf<LicenseReclaimed>()).Reason);
        Assert.Empty((await s.Ledger.GetUserLicensesAsync(users[0])).Licenses);
    }
}
