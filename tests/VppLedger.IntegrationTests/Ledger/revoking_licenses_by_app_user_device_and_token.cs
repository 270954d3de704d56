using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Ledger;

public sealed class revoking_licenses_by_app_user_device_and_token(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "R1")]
    [Trait("Rule", "R3")]
    public async Task each_scope_revokes_exactly_its_licenses_and_frees_seats_for_the_queue()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("revoke")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var word = await s.SyncedPoolAsync(token, "1111", purchased: 3);
        var excel = await s.SyncedPoolAsync(token, "2222", purchased: 10, upload: false);
        var users = await s.UsersAsync("r", 4);
        var ipad = await s.DeviceAsync("ipad", Scenario.CorporateSupervised(), users[0], AppleIdKind.Managed);
        var people = await s.GroupAsync("people", GroupKind.User, users.Select(GroupMember.ForUser));
        var ipads = await s.GroupAsync("ipads", GroupKind.Device, [GroupMember.ForDevice(ipad)]);
        await s.AssignAsync(word, people, AssignmentIntent.Required, LicenseType.User);
        await s.AssignAsync(excel, people, AssignmentIntent.Required, LicenseType.User);
        await s.AssignAsync(excel, ipads, AssignmentIntent.Required, LicenseType.Device);
        Assert.Equal((3, 1), ((await s.Ledger.GetPoolAsync(word))!.UsedCount, (await s.Ledger.GetPoolAsync(word))!.QueuedCount));

        // One user: both of r0001's user licenses go; in Word the freed seat goes to the queue head (r0004).
        var user = await s.RunAsync(RevokeLicenses.ForUser(users[0], s.NextId(), Scenario.Admin));
        Assert.Equal(2, user.EventsOf<LicenseReclaimed>().Count(r => r.Holder.OwnerId == "r0001" && r.Reason == ReclaimReason.Revoked));
        Assert.Equal("r0004", Assert.Single(user.EventsOf<LicenseGranted>()).Holder.OwnerId);
        Assert.Single((await s.Ledger.GetDeviceLicensesAsync(ipad)).Licenses);

        // One device.
        var device = await s.RunAsync(RevokeLicenses.ForDevice(ipad, s.NextId(), Scenario.Admin));
        Assert.Equal("ipad", Assert.Single(device.EventsOf<LicenseReclaimed>()).Holder.OwnerId);

        // One app, then the whole token.
        await s.RunAsync(RevokeLicenses.ForApp(word, s.NextId(), Scenario.Admin));
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(word))!.UsedCount);
        Assert.Equal(3, (await s.Ledger.GetPoolAsync(excel))!.UsedCount);
        await s.RunAsync(RevokeLicenses.ForToken(token, s.NextId(), Scenario.Admin));
        Assert.All(await s.Ledger.ListPoolsAsync(token), p => Assert.Equal((0, 0), (p.UsedCount, p.QueuedCount)));
    }
}
