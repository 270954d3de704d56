using VppLedger.Directory;
using VppLedger.Licensing;

namespace VppLedger.Tests.Licensing;

public sealed class a_targeted_member_yields_its_holders
{
    private static readonly PoolId App = new(new TokenId("t"), new AdamId("1"));
    private static readonly UserId Alice = new("alice");
    private static readonly DeviceId Ipad = new("ipad-1");
    private static readonly DeviceProfile Corporate = new(Platform.iPadOS, Ownership.Corporate, EnrollmentKind.Device, true, false, false);
    private static readonly DeviceProfile UserEnrolled = Corporate with { Ownership = Ownership.Personal, Enrollment = EnrollmentKind.UserEnrollment, Supervised = false };

    private static void Refused(MemberHolders result, string code, string rule)
    {
        Assert.True(result.IsRejected);
        Assert.Empty(result.Holders);
        Assert.Equal((code, rule), (result.Rejection!.Code, result.Rejection.Rule));
    }

    [Fact]
    [Trait("Rule", "L4")]
    [Trait("Rule", "L1")]
    public void a_user_with_a_personal_and_a_managed_apple_id_is_two_holders()
    {
        var result = LicenseHolders.For(App, ProductKind.App, LicenseType.User, TargetedMember.ForUser(Alice, [AppleIdKind.Managed, AppleIdKind.Personal]));
        Assert.Equal([Holder.ForUser(Alice, AppleIdKind.Personal), Holder.ForUser(Alice, AppleIdKind.Managed)], result.Holders);
    }

    [Fact]
    [Trait("Rule", "L2")]
    [Trait("Rule", "L1")]
    public void a_device_license_goes_to_the_device_even_with_the_app_store_blocked()
    {
        var result = LicenseHolders.For(App, ProductKind.App, LicenseType.Device, TargetedMember.ForDevice(Ipad, Corporate with { AppStoreBlocked = true }));
        Assert.Equal([Holder.ForDevice(Ipad)], result.Holders);
        Assert.False(LicenseTypeFacts.For(LicenseType.Device).NeedsAppleIdSignIn);
        Assert.True(LicenseTypeFacts.For(LicenseType.Device).InstallsWithAppStoreBlocked);
        Assert.Equal(1, LicenseTypeFacts.For(LicenseType.Device).DevicesCoveredCount);
    }

    [Fact]
    [Trait("Rule", "L5")]
    public void a_user_enrollment_device_takes_no_device_license()
    {
        Refused(
            LicenseHolders.For(App, ProductKind.App, LicenseType.Device, TargetedMember.ForDevice(Ipad, UserEnrolled)),
            "DeviceLicensingNotOnUserEnrollment",
            "L5");
    }

    [Fact]
    [Trait("Rule", "L5")]
    public void user_enrollment_takes_user_licenses_with_managed_apple_ids_only()
    {
        var both = LicenseHolders.For(App, ProductKind.App, LicenseType.User, TargetedMember.ForUser(Alice, [AppleIdKind.Personal, AppleIdKind.Managed], Ipad, UserEnrolled));
        Assert.Equal([Holder.ForUser(Alice, AppleIdKind.Managed)], both.Holders);
        Refused(
            LicenseHolders.For(App, ProductKind.App, LicenseType.User, TargetedMember.ForUser(Alice, [AppleIdKind.Personal], Ipad, UserEnrolled)),
            "UserEnrollmentNeedsManagedAppleId",
            "L5");
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void a_book_takes_no_device_license()
    {
        Refused(
            LicenseHolders.For(App, ProductKind.Book, LicenseType.Device, TargetedMember.ForDevice(Ipad, Corporate)),
            "BooksTakeUserLicensesOnly",
            "L6");
        Assert.False(LicenseHolders.For(App, ProductKind.Book, LicenseType.User, TargetedMember.ForUser(Alice, [AppleIdKind.Personal])).IsRejected);
    }

    [Fact]
    [Trait("Rule", "L7")]
    public void a_user_license_where_the_app_store_is_blocked_is_refused_with_that_reason()
    {
        var result = LicenseHolders.For(App, ProductKind.App, LicenseType.User, TargetedMember.ForUser(Alice, [AppleIdKind.Personal], Ipad, Corporate with { AppStoreBlocked = true }));
        Refused(result, "UserLicensingNeedsAppStore", "L7");
        Assert.Contains("App Store is blocked", result.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "L3")]
    [Trait("Rule", "L2")]
    public void a_member_without_the_right_identity_is_refused_not_thrown()
    {
        Refused(LicenseHolders.For(App, ProductKind.App, LicenseType.User, TargetedMember.ForUser(Alice, [])), "UserLicenseNeedsAppleId", "L3");
        Refused(LicenseHolders.For(App, ProductKind.App, LicenseType.Device, TargetedMember.ForUser(Alice, [AppleIdKind.Personal])), "DeviceLicenseNeedsDevice", "L2");
    }
}
