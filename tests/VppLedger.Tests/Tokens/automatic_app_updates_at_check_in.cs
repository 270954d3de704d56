using VppLedger.Licensing;

namespace VppLedger.Tests.Tokens;

public sealed class automatic_app_updates_at_check_in
{
    [Theory]
    [InlineData(true, LicenseType.Device, true, AppUpdateBehaviour.UpdatedAtCheckIn)]
    [InlineData(true, LicenseType.Device, false, AppUpdateBehaviour.StatusMessageOnly)]
    [InlineData(false, LicenseType.Device, true, AppUpdateBehaviour.NotUpdatedAutomatically)]
    [InlineData(false, LicenseType.Device, false, AppUpdateBehaviour.NotUpdatedAutomatically)]
    [InlineData(true, LicenseType.User, true, AppUpdateBehaviour.FollowsUserAppStoreSettings)]
    [InlineData(true, LicenseType.User, false, AppUpdateBehaviour.FollowsUserAppStoreSettings)]
    [InlineData(false, LicenseType.User, true, AppUpdateBehaviour.FollowsUserAppStoreSettings)]
    [Trait("Rule", "T11")]
    public void device_licensed_required_apps_update_at_check_in_available_ones_only_report_and_user_licensed_ones_follow_the_user(
        bool automaticUpdates, LicenseType licenseType, bool required, AppUpdateBehaviour expected)
    {
        Assert.Equal(expected, AppUpdatePolicy.AtCheckIn(automaticUpdates, licenseType, required));
    }
}
