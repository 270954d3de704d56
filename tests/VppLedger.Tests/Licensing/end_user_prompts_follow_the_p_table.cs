using VppLedger.Directory;
using VppLedger.Licensing;

namespace VppLedger.Tests.Licensing;

public sealed class end_user_prompts_follow_the_p_table
{
    private const PromptShown Y = PromptShown.Yes, N = PromptShown.No, NA = PromptShown.NotApplicable;

    private static void Row(EndUserPrompts actual, string rule, PromptAdvice advice, PromptShown invite, PromptShown install, PromptShown appleId) =>
        Assert.Equal(new EndUserPrompts(rule, advice, invite, install, appleId), actual);

    [Fact]
    [Trait("Rule", "P1")]
    public void byod_user_licensed_sees_every_prompt() =>
        Row(EndUserPrompts.For(Ownership.Personal, false, false, false, LicenseType.User), "P1", PromptAdvice.Supported, Y, Y, Y);

    [Fact]
    [Trait("Rule", "P2")]
    public void corporate_unsupervised_user_licensed_sees_every_prompt() =>
        Row(EndUserPrompts.For(Ownership.Corporate, false, false, false, LicenseType.User), "P2", PromptAdvice.Supported, Y, Y, Y);

    [Fact]
    [Trait("Rule", "P3")]
    public void corporate_supervised_user_licensed_sees_no_install_prompt() =>
        Row(EndUserPrompts.For(Ownership.Corporate, true, false, false, LicenseType.User), "P3", PromptAdvice.Supported, Y, N, Y);

    [Fact]
    [Trait("Rule", "P4")]
    public void byod_device_licensed_sees_only_the_install_prompt() =>
        Row(EndUserPrompts.For(Ownership.Personal, false, false, false, LicenseType.Device), "P4", PromptAdvice.Supported, N, Y, N);

    [Fact]
    [Trait("Rule", "P5")]
    public void corporate_unsupervised_device_licensed_sees_only_the_install_prompt() =>
        Row(EndUserPrompts.For(Ownership.Corporate, false, false, false, LicenseType.Device), "P5", PromptAdvice.Supported, N, Y, N);

    [Fact]
    [Trait("Rule", "P6")]
    public void corporate_supervised_device_licensed_sees_no_prompt() =>
        Row(EndUserPrompts.For(Ownership.Corporate, true, false, false, LicenseType.Device), "P6", PromptAdvice.Supported, N, N, N);

    [Fact]
    [Trait("Rule", "P7")]
    public void kiosk_device_licensed_sees_no_prompt()
    {
        var kiosk = new DeviceProfile(Platform.iPadOS, Ownership.Corporate, EnrollmentKind.Device, true, true, false);
        Row(EndUserPrompts.For(kiosk, LicenseType.Device), "P7", PromptAdvice.Supported, N, N, N);
    }

    [Fact]
    [Trait("Rule", "P8")]
    public void kiosk_user_licensed_is_not_recommended_and_warns() =>
        Row(EndUserPrompts.For(Ownership.Corporate, true, true, false, LicenseType.User), "P8", PromptAdvice.NotRecommended, NA, NA, NA);

    [Fact]
    [Trait("Rule", "L5")]
    public void user_enrollment_with_device_licenses_is_not_supported() =>
        Row(EndUserPrompts.For(Ownership.Personal, false, false, true, LicenseType.Device), "L5", PromptAdvice.NotSupported, NA, NA, NA);
}
