using VppLedger.AppleSide;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>Apple's assets snapshot says an asset is not device-assignable: the ledger refuses device licenses first (rule L6).</summary>
public sealed class an_asset_apple_says_is_not_device_assignable_takes_no_device_license(LedgerFixture db) : IClassFixture<LedgerFixture>
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
}
