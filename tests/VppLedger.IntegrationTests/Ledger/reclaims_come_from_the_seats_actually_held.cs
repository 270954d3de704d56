using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Issue 10, items 5, 8, 9 and 12: licenses move with the seats actually held (the seat rows by owner), never with
/// today's directory facts recomputed, so the books balance once every assignment of an app is gone.
/// </summary>
public sealed class reclaims_come_from_the_seats_actually_held(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private Scenario Tenant(string id) => new(db.Ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    private async Task<(int Granted, int Queued)> SeatRowsAsync(string tenant, PoolId pool)
    {
        await using var session = db.Marten.Store.QuerySession(tenant);
        var key = Streams.Pool(pool);
        var rows = await session.Query<SeatDoc>().Where(s => s.PoolKey == key).ToListAsync();
        return (rows.Count(r => r.Status == SeatStatus.Granted), rows.Count(r => r.Status == SeatStatus.Queued));
    }

    [Fact]
    [Trait("Rule", "R4")]
    public async Task a_leaving_user_loses_the_device_licenses_its_devices_got_through_a_user_group_too()
    {
        var s = Tenant("left-devices");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 10);
        var users = await s.UsersAsync("u", 1);
        await s.DeviceAsync("ipad-1", Scenario.CorporateSupervised(), users[0]);
        var fleetDevice = await s.DeviceAsync("ipad-2", Scenario.CorporateSupervised(), users[0]);
        var people = await s.GroupAsync("people", GroupKind.User, users.Select(GroupMember.ForUser));
        var fleet = await s.GroupAsync("fleet", GroupKind.Device, [GroupMember.ForDevice(fleetDevice)]);
        await s.AssignAsync(pool, people, AssignmentIntent.Required, LicenseType.Device);
        await s.AssignAsync(pool, fleet, AssignmentIntent.Required, LicenseType.Device);
        Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.DeviceLicenseCount);

        var left = await s.RunAsync(new RecordUserLeftOrganization(users[0], s.NextId(), Scenario.Admin));

        // ipad-1 held its license only through the user; ipad-2 is still targeted as a member of the fleet group.
        Assert.Equal("ipad-1", Assert.Single(left.EventsOf<LicenseReclaimed>()).Holder.OwnerId);
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.DeviceLicenseCount);
        Assert.Equal((1, 0), await SeatRowsAsync("left-devices", pool));
    }

    [Fact]
    [Trait("Rule", "L8")]
    public async Task a_user_license_goes_when_its_assignment_moves_to_device_licensing_though_the_user_has_no_device()
    {
        var s = Tenant("l8-no-device");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 10);
        var users = await s.UsersAsync("u", 1);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        var changed = await s.RunAsync(new ChangeAssignment(pool, group, AssignmentIntent.Required, LicenseType.Device, s.NextId(), Scenario.Admin));

        Assert.Equal(ReclaimReason.MigratedToDeviceLicense, Assert.Single(changed.EventsOf<LicenseReclaimed>()).Reason);
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "L8")]
    [Trait("Rule", "A6")]
    public async Task moving_to_device_licensing_withdraws_the_assignments_queued_user_entries()
    {
        var s = Tenant("l8-queue");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 1);
        var users = await s.UsersAsync("u", 2);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        var changed = await s.RunAsync(new ChangeAssignment(pool, group, AssignmentIntent.Required, LicenseType.Device, s.NextId(), Scenario.Admin));

        Assert.Equal("u0002", Assert.Single(changed.EventsOf<HolderLeftQueue>()).Holder.OwnerId);
        Assert.DoesNotContain(changed.EventsOf<LicenseGranted>(), g => g.Holder.Type == LicenseType.User);
        Assert.Empty(await s.Ledger.GetQueueAsync(pool));
        await s.CountsAsync(pool, purchased: 5);
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.UserLicenseCount);
    }

    [Fact]
    [Trait("Rule", "R2")]
    [Trait("Rule", "L4")]
    public async Task a_dropped_personal_apple_id_gives_its_seat_back_when_the_assignment_is_removed()
    {
        var s = Tenant("dropped-id");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 10);
        var users = await s.UsersAsync("u", 1, personal: true, managed: true);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        await s.RunAsync(new RecordUser(users[0], null, new AppleId("u0001@contoso.example", AppleIdKind.Managed), s.NextId(), Scenario.Admin));

        await s.RunAsync(new RemoveAssignment(pool, group, s.NextId(), Scenario.Admin));

        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
        Assert.Equal((0, 0), await SeatRowsAsync("dropped-id", pool));
    }

    [Fact]
    [Trait("Rule", "A4")]
    public async Task a_new_uninstall_assignment_acts_on_its_own_license_type()
    {
        var s = Tenant("a4-type");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 10);
        var users = await s.UsersAsync("u", 1);
        var licensed = await s.GroupAsync("licensed", GroupKind.User, users.Select(GroupMember.ForUser));
        var leavers = await s.GroupAsync("leavers", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, licensed, AssignmentIntent.Required, LicenseType.User);

        var uninstall = await s.AssignAsync(pool, leavers, AssignmentIntent.Uninstall, LicenseType.Device);

        // A device-licensed Uninstall takes back device licenses; the user license stays.
        Assert.Empty(uninstall.EventsOf<LicenseReclaimed>());
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UserLicenseCount);
    }

    [Fact]
    [Trait("Rule", "L2")]
    [Trait("Rule", "A6")]
    public async Task a_new_device_of_a_user_targeted_with_device_licensing_gets_its_license()
    {
        var s = Tenant("new-device");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 10);
        var users = await s.UsersAsync("u", 1);
        await s.DeviceAsync("ipad-1", Scenario.CorporateSupervised(), users[0]);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.Device);

        var recorded = await s.RunAsync(new RecordDevice(new DeviceId("ipad-2"), new SerialNumber("SNIPAD2"), Scenario.CorporateSupervised(), users[0], null, s.NextId(), Scenario.Admin));

        Assert.Equal("ipad-2", Assert.Single(recorded.EventsOf<LicenseGranted>()).Holder.OwnerId);
        Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.DeviceLicenseCount);
    }

    [Fact]
    [Trait("Rule", "R2")]
    [Trait("Rule", "R4")]
    [Trait("Rule", "R5")]
    public async Task after_every_assignment_of_an_app_is_removed_only_the_seats_r5_keeps_remain()
    {
        var s = Tenant("balance");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 20);
        var both = await s.UsersAsync("both", 1, personal: true, managed: true);
        var plain = await s.UsersAsync("plain", 2);
        await s.DeviceAsync("both-ipad", Scenario.CorporateSupervised(), both[0]);
        await s.DeviceAsync("plain-ipad", Scenario.CorporateSupervised(), plain[1]);
        var corp1 = await s.DeviceAsync("corp-1", Scenario.CorporateSupervised());
        var corp2 = await s.DeviceAsync("corp-2", Scenario.CorporateSupervised());
        var everyone = both.Concat(plain).Select(GroupMember.ForUser).ToList();
        var users = await s.GroupAsync("users", GroupKind.User, everyone);
        var owners = await s.GroupAsync("owners", GroupKind.User, [GroupMember.ForUser(both[0]), GroupMember.ForUser(plain[1])]);
        var fleet = await s.GroupAsync("fleet", GroupKind.Device, [GroupMember.ForDevice(corp1), GroupMember.ForDevice(corp2)]);
        await s.AssignAsync(pool, users, AssignmentIntent.Required, LicenseType.User);
        await s.AssignAsync(pool, owners, AssignmentIntent.Required, LicenseType.Device);
        await s.AssignAsync(pool, fleet, AssignmentIntent.Required, LicenseType.Device);

        // corp-2 leaves management (R5 keeps its license); plain-2 leaves; both-1 drops its personal Apple ID;
        // the users assignment moves to device licensing.
        await s.RunAsync(new RecordDeviceRemovedFromManagement(corp2, s.NextId(), Scenario.Admin));
        await s.RunAsync(new RecordUserLeftOrganization(plain[1], s.NextId(), Scenario.Admin));
        await s.RunAsync(new RecordUser(both[0], null, new AppleId("both0001@contoso.example", AppleIdKind.Managed), s.NextId(), Scenario.Admin));
        await s.RunAsync(new ChangeAssignment(pool, users, AssignmentIntent.Required, LicenseType.Device, s.NextId(), Scenario.Admin));

        foreach (var group in new[] { users, owners, fleet })
        {
            await s.RunAsync(new RemoveAssignment(pool, group, s.NextId(), Scenario.Admin));
        }

        var summary = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((1, 0, 1, 0), (summary.UsedCount, summary.UserLicenseCount, summary.DeviceLicenseCount, summary.QueuedCount));
        Assert.Equal((1, 0), await SeatRowsAsync("balance", pool));
        Assert.Equal("corp-2", Assert.Single((await s.Ledger.GetDeviceLicensesAsync(corp2)).Licenses).Holder.OwnerId);
    }
}

/// <summary>Issue 10, item 10: under Apple's newer behaviour a removed assignment keeps its granted licenses but serves no queue.</summary>
public sealed class a_removed_assignment_serves_no_queue(CurrentAppleLedgerFixture db) : IClassFixture<CurrentAppleLedgerFixture>
{
    [Fact]
    [Trait("Rule", "R2")]
    [Trait("Rule", "A6")]
    public async Task under_the_newer_policy_a_removed_assignments_queue_is_not_served()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("current-apple")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 1);
        var users = await s.UsersAsync("u", 2);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        var removed = await s.RunAsync(new RemoveAssignment(pool, group, s.NextId(), Scenario.Admin));
        var bought = await s.CountsAsync(pool, purchased: 5);

        Assert.Empty(removed.EventsOf<LicenseReclaimed>());
        Assert.Equal("u0002", Assert.Single(removed.EventsOf<HolderLeftQueue>()).Holder.OwnerId);
        Assert.Empty(bought.EventsOf<LicenseGranted>());
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }
}
