using VppLedger.AppleSide;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>What Apple's assets snapshot says Apple would refuse (a device license: L6, a revoke: R3), the ledger refuses first.</summary>
public sealed class what_apples_assets_snapshot_forbids_the_ledger_refuses_first(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);
    private static readonly Actor Apps = new("apps", Permissions.MobileApps);

    [Fact]
    [Trait("Rule", "L6")]
    public async Task a_device_grant_is_refused_with_the_code_a_user_grant_is_fine_and_earlier_device_seats_stay()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("not-device-assignable")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "800", purchased: 5);
        var (before, after) = (await s.DeviceAsync("ipad-1", Scenario.CorporateSupervised()), await s.DeviceAsync("ipad-2", Scenario.CorporateSupervised()));
        var user = Holder.ForUser((await s.UsersAsync("nd", 1))[0], AppleIdKind.Managed);
        await s.RunAsync(new GrantLicenses(pool, [Holder.ForDevice(before)], s.NextId(), Apps));

        await s.RunAsync(new ApplyAppleAssetsSnapshot(token, "v1",
            [new AppleAssetReport(pool.AdamId, PricingParam.Stdq, ProductKind.App, 5, 1, 0, DeviceAssignable: false, Revocable: true, ["iOS"])], s.NextId(), Worker));

        var refused = await s.Ledger.ExecuteAsync(new GrantLicenses(pool, [Holder.ForDevice(after)], s.NextId(), Apps));
        Assert.Equal((RejectionCodes.AssetNotDeviceAssignable, "L6"), (refused.Rejection!.Code, refused.Rejection.Rule));
        await s.RunAsync(new GrantLicenses(pool, [user], s.NextId(), Apps));

        var devices = await s.GroupAsync("ipads", GroupKind.Device, [GroupMember.ForDevice(after)]);
        var assignment = await s.Ledger.ExecuteAsync(new CreateAssignment(pool, devices, AssignmentIntent.Required, LicenseType.Device, s.NextId(), Apps));
        Assert.Equal(RejectionCodes.AssetNotDeviceAssignable, assignment.Rejection!.Code);

        var summary = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((1, 1), (summary.DeviceLicenseCount, summary.UserLicenseCount)); // the device seat granted before the snapshot stays
    }

    [Fact]
    [Trait("Rule", "R3")]
    public async Task a_revoke_of_a_not_revocable_assets_seats_is_refused_and_writes_nothing()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("not-revocable")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "801", purchased: 5);
        var ipad = await s.DeviceAsync("ipad-9", Scenario.CorporateSupervised());
        await s.RunAsync(new GrantLicenses(pool, [Holder.ForDevice(ipad)], s.NextId(), Apps));
        await s.RunAsync(new ApplyAppleAssetsSnapshot(token, "v1",
            [new AppleAssetReport(pool.AdamId, PricingParam.Stdq, ProductKind.App, 5, 1, 0, DeviceAssignable: true, Revocable: false, ["iOS"])], s.NextId(), Worker));

        foreach (var revoke in new[] { new RevokeLicenses(RevocationScope.App, "tok:801", s.NextId(), Apps), new RevokeLicenses(RevocationScope.Device, ipad.Value, s.NextId(), Apps) })
        {
            var refused = await s.Ledger.ExecuteAsync(revoke);
            Assert.Equal((RejectionCodes.AssetNotRevocable, "R3"), (refused.Rejection!.Code, refused.Rejection.Rule));
        }

        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "R3")]
    [Trait("Rule", "R1")]
    public async Task a_token_wide_revoke_keeps_a_not_revocable_apps_granted_seats_with_a_warning_and_revokes_the_rest()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("not-revocable-token")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var (kept, revoked) = (await s.SyncedPoolAsync(token, "802", purchased: 1), await s.SyncedPoolAsync(token, "803", purchased: 1, upload: false));
        var users = await s.UsersAsync("rt", 3);
        var (a, b, c) = (Holder.ForUser(users[0], AppleIdKind.Managed), Holder.ForUser(users[1], AppleIdKind.Managed), Holder.ForUser(users[2], AppleIdKind.Managed));
        await s.RunAsync(new GrantLicenses(kept, [a, b], s.NextId(), Apps)); // b waits in the queue
        await s.RunAsync(new GrantLicenses(revoked, [c], s.NextId(), Apps));
        await s.RunAsync(new ApplyAppleAssetsSnapshot(token, "v1",
        [
            new AppleAssetReport(kept.AdamId, PricingParam.Stdq, ProductKind.App, 1, 1, 0, DeviceAssignable: true, Revocable: false, ["iOS"]),
            new AppleAssetReport(revoked.AdamId, PricingParam.Stdq, ProductKind.App, 1, 1, 0, DeviceAssignable: true, Revocable: true, ["iOS"]),
        ], s.NextId(), Worker));

        var outcome = await s.RunAsync(new RevokeLicenses(RevocationScope.Token, token.Value, s.NextId(), Apps));
        Assert.Equal((RejectionCodes.AssetNotRevocable, "R3"), (Assert.Single(outcome.Warnings).Code, outcome.Warnings[0].Rule));
        var (keptSummary, revokedSummary) = ((await s.Ledger.GetPoolAsync(kept))!, (await s.Ledger.GetPoolAsync(revoked))!);
        Assert.Equal((1, 0), (keptSummary.UsedCount, keptSummary.QueuedCount)); // the granted seat stays, the queued holder left
        Assert.Equal(0, revokedSummary.UsedCount);
    }
}

