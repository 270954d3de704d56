namespace VppLedger.Licensing;

/// <summary>What happens to a VPP app's updates when a device checks in (rule T11).</summary>
public enum AppUpdateBehaviour
{
    /// <summary>Automatic updates are off for the token: the MDM pushes no update.</summary>
    NotUpdatedAutomatically = 0,

    /// <summary>Device-licensed, Required intent, automatic updates on: updated at device check-in.</summary>
    UpdatedAtCheckIn = 1,

    /// <summary>Device-licensed, Available intent, automatic updates on: the update only produces a status message for the admin; the user installs it from the Company Portal.</summary>
    StatusMessageOnly = 2,

    /// <summary>User-licensed: updates follow the end user's own App Store settings and cannot be managed.</summary>
    FollowsUserAppStoreSettings = 3,
}

/// <summary>Rule T11 as a pure function.</summary>
public static class AppUpdatePolicy
{
    /// <summary>What happens to an app's updates at device check-in (rule T11).</summary>
    /// <param name="automaticAppUpdates">The token's automatic app updates setting.</param>
    /// <param name="licenseType">The assignment's license type.</param>
    /// <param name="requiredIntent">True for Required intent; false for Available (and Uninstall, which updates nothing).</param>
    public static AppUpdateBehaviour AtCheckIn(bool automaticAppUpdates, LicenseType licenseType, bool requiredIntent)
    {
        if (licenseType == LicenseType.User)
        {
            return AppUpdateBehaviour.FollowsUserAppStoreSettings;
        }

        if (!automaticAppUpdates)
        {
            return AppUpdateBehaviour.NotUpdatedAutomatically;
        }

        return requiredIntent ? AppUpdateBehaviour.UpdatedAtCheckIn : AppUpdateBehaviour.StatusMessageOnly;
    }
}
