using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>Issue 10, item 13: a direct GrantLicenses passes the holder rules an assignment's members pass.</summary>
public sealed class a_direct_grant_passes_the_same_holder_rules(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "L5")]
    [Trait("Rule", "R4")]
    [Trait("Rule", "A1")]
    public async Task a_direct_grant_to_a_user_enrollment_device_a_user_who_left_or_a_holder_never_recorded_is_refused()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("direct")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 10);
        var enrolled = await s.DeviceAsync("ue-1", Scenario.UserEnrolled());
        var users = await s.UsersAsync("u", 2);
        await s.RunAsync(new RecordUserLeftOrganization(users[1], s.NextId(), Scenario.Admin));

        (Holder Holder, string Code, string Rule)[] refused =
        [
            (Holder.ForDevice(enrolled), "DeviceLicensingNotOnUserEnrollment", "L5"),
            (Holder.ForUser(users[1], AppleIdKind.Managed), "HolderLeftOrganization", "R4"),
            (Holder.ForUser(new UserId("nobody"), AppleIdKind.Managed), "HolderNotRecorded", "A1"),
            (Holder.ForUser(users[0], AppleIdKind.Personal), "HolderNotRecorded", "A1"),
        ];
        foreach (var (holder, code, rule) in refused)
        {
            var outcome = await s.Ledger.ExecuteAsync(new Pools.GrantLicenses(pool, [holder], s.NextId(), Scenario.Admin));
            Assert.Equal((code, rule), (outcome.Rejection?.Code, outcome.Rejection?.Rule));
            Assert.Empty(outcome.Changes);
        }

        var granted = await s.RunAsync(new Pools.GrantLicenses(pool, [Holder.ForUser(users[0], AppleIdKind.Managed)], s.NextId(), Scenario.Admin));
        Assert.Single(granted.EventsOf<Pools.LicenseGranted>());
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }
}
