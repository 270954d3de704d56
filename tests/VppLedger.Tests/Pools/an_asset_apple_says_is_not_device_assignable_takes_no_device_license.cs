using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>
/// Apple's assets snapshot says an asset is not device-assignable (Apple would refuse the association with error
/// 9707): every path that gives a device license in its pool refuses it first, as for a book (rule L6).
/// </summary>
public sealed class an_asset_apple_says_is_not_device_assignable_takes_no_device_license
{
    private static AppleAssetFactsRecorded Facts(bool deviceAssignable, bool revocable = true) =>
        new(Pool, new AppleAssetFacts(deviceAssignable, revocable, ["iOS"]), Now);

    private static MigrateToDeviceLicenses Migrate(Holder from, params Holder[] to) => new(Pool, from, to, Id(), Admin);

    [Fact]
    [Trait("Rule", "L6")]
    public void a_direct_device_grant_is_refused_and_a_user_grant_is_granted()
    {
        PoolSpec.Given(Counts(5), Facts(deviceAssignable: false))
            .When(Grant(User("a"), Device("d1")))
            .ThenRejected(RejectionCodes.AssetNotDeviceAssignable, "L6");
        PoolSpec.Given(Counts(5), Facts(deviceAssignable: false)).When(Grant(User("a"))).Then(Granted(User("a")));
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void a_pool_with_no_recorded_facts_or_device_assignable_facts_grants_devices_as_before()
    {
        PoolSpec.Given(Counts(5)).When(Grant(Device("d1"))).Then(Granted(Device("d1")));
        PoolSpec.Given(Counts(5), Facts(deviceAssignable: true)).When(Grant(Device("d1"))).Then(Granted(Device("d1")));
    }

    [Fact]
    [Trait("Rule", "L6")]
    [Trait("Rule", "L8")]
    public void migrating_user_licenses_to_device_licenses_is_refused()
    {
        PoolSpec.Given(Counts(1), Granted(User("a")), Facts(deviceAssignable: false))
            .When(Migrate(User("a"), Device("d1")))
            .ThenRejected(RejectionCodes.AssetNotDeviceAssignable, "L6");
    }

    [Fact]
    [Trait("Rule", "L6")]
    [Trait("Rule", "A6")]
    public void a_queued_device_leaves_the_queue_when_its_turn_comes_and_the_next_holder_is_served()
    {
        var (a, d1, b) = (User("a"), Device("d1"), User("b"));
        PoolSpec.Given(Counts(1), Granted(a), Queued(d1, 1), Queued(b, 2), Facts(deviceAssignable: false))
            .When(Reclaim(ReclaimReason.Revoked, a))
            .Then(
                Reclaimed(a, ReclaimReason.Revoked, "R3"),
                LeftQueue(d1, ReclaimReason.NotDeviceAssignable, "L6"),
                Promoted(b));
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void device_seats_granted_before_the_snapshot_stay_granted()
    {
        var spec = PoolSpec.Given(Counts(2), Granted(Device("d1")))
            .When(new RecordAppleAssetFacts(Pool, Facts(false).Facts, Id(), Admin))
            .Then(Facts(deviceAssignable: false));
        Assert.Equal(1, spec.After.State.DeviceLicenseCount);
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void a_device_assignment_is_refused_and_a_user_assignment_is_created()
    {
        var group = new GroupId("sales");
        var facts = new AssignmentFacts(PoolSynced: true, ProductKind.App, GroupKind.User, DeviceAssignable: false);
        var device = AssignmentDecider.Decide(
            new CreateAssignment(Pool, group, AssignmentIntent.Required, LicenseType.Device, Id(), Admin), AssignmentState.Initial(Pool, group), facts, Now);
        Assert.Equal((RejectionCodes.AssetNotDeviceAssignable, "L6"), (device.Rejection?.Code, device.Rejection?.Rule));
        var user = AssignmentDecider.Decide(
            new CreateAssignment(Pool, group, AssignmentIntent.Required, LicenseType.User, Id(), Admin), AssignmentState.Initial(Pool, group), facts, Now);
        Assert.False(user.IsRejected);
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void a_fan_out_member_device_or_a_users_device_is_refused_with_the_code()
    {
        var profile = new DeviceProfile(Platform.iPadOS, Ownership.Corporate, EnrollmentKind.Device, true, false, false);
        var ofDeviceGroup = LicenseHolders.For(Pool, ProductKind.App, LicenseType.Device, TargetedMember.ForDevice(new DeviceId("d1"), profile), deviceAssignable: false);
        var ofUserGroup = LicenseHolders.For(
            Pool, ProductKind.App, LicenseType.Device, TargetedMember.ForDevice(new DeviceId("d2"), profile, new UserId("a"), [AppleIdKind.Managed]), deviceAssignable: false);
        foreach (var refused in new[] { ofDeviceGroup, ofUserGroup })
        {
            Assert.Equal((RejectionCodes.AssetNotDeviceAssignable, "L6"), (refused.Rejection?.Code, refused.Rejection?.Rule));
        }

        Assert.False(LicenseHolders.For(Pool, ProductKind.App, LicenseType.Device, TargetedMember.ForDevice(new DeviceId("d1"), profile)).IsRejected);
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void an_imported_device_grant_in_such_a_pool_is_refused()
    {
        var pool = new IPoolEvent[] { Counts(2), Facts(deviceAssignable: false) }.Aggregate(PoolState.Initial(Pool), PoolDecider.Evolve);
        var known = new HistoryFacts { Pools = new Dictionary<PoolId, PoolState> { [Pool] = pool } };
        var uploaded = new TokenUploaded(
            Now,
            Pool.Token,
            LocationKey.FromAppleLocationId("loc-1"),
            new TokenFileFacts("Contoso Ltd", Now + NodaTime.Duration.FromDays(365), new TokenFingerprint(new string('a', TokenFingerprint.HexLength))),
            new AppleId("vpp@contoso.example", AppleIdKind.Managed),
            new TokenSettings("Main", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
            TokenProgramme.AppsAndBooks,
            TookControlFromOtherMdm: false,
            null);
        var verdict = HistoryRules.Check(
            known,
            [new HistoryLine(1, $"token:{Pool.Token.Value}", uploaded), new HistoryLine(2, $"pool:{Pool.Token.Value}:{Pool.AdamId.Value}", Granted(Device("d1")))]);
        Assert.False(verdict.Accepted);
        Assert.Equal((RejectionCodes.AssetNotDeviceAssignable, "L6"), (verdict.Rejection!.Rejection.Code, verdict.Rejection.Rejection.Rule));
    }
}
