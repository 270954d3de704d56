using VppLedger.Licensing;

namespace VppLedger.Tests.Tokens;

public sealed class automatic_app_updates_at_check_in
{
    [Theory]
    [InlineData(true, LicenceType.Device, true, AppUpdateBehaviour.UpdatedAtCheckIn)]
    [InlineData(true, LicenceType.Device, false, AppUpdateBehaviour.StatusMessageOnly)]
    [InlineData(false, LicenceType.Device, true, AppUpdateBehaviour.NotUpdatedAutomatically)]
    [InlineData(false, LicenceType.Device, false, AppUpdateBehaviour.NotUpdatedAutomatically)]
    [InlineData(true, LicenceType.User, true, AppUpdateBehaviour.FollowsUserAppStoreSettings)]
    [InlineData(true, LicenceType.User, false, AppUpdateBehaviour.FollowsUserAppStoreSettings)]
    [InlineData(false, LicenceType.User, true, AppUpdateBehaviour.FollowsUserAppStoreSettings)]
    [Trait("Rule", "T11")]
    public void device_licensed_required_apps_update_at_check_in_available_ones_only_report_and_user_licensed_ones_follow_the_user(
        bool automaticUpdates, LicenceType licenceType, bool required, AppUpdateBehaviour expected)
    {
        Assert.Equal(expected, AppUpdatePolicy.AtCheckIn(automaticUpdates, licenceType, required));
    }
}
