namespace VppLedger.Licensing;

/// <summary>What each license type means for the end user (rules L1, L2, L3, L7).</summary>
/// <param name="Type">User or device license (rule L1).</param>
/// <param name="DevicesCoveredCount">Devices one license covers: 1 for a device license (L2), 5 for a user license (L3).</param>
/// <param name="NeedsAppleIdSignIn">True when the end user must sign in with an Apple ID (user license, L3).</param>
/// <param name="InstallsWithAppStoreBlocked">True when the app installs and updates through the Company Portal with the App Store blocked (device license, L2; L7).</param>
internal sealed record LicenseTypeFacts(LicenseType Type, int DevicesCoveredCount, bool NeedsAppleIdSignIn, bool InstallsWithAppStoreBlocked)
{
    /// <summary>The facts of <paramref name="type"/>.</summary>
    public static LicenseTypeFacts For(LicenseType type) => type switch
    {
        LicenseType.Device => new(type, 1, NeedsAppleIdSignIn: false, InstallsWithAppStoreBlocked: true),
        LicenseType.User => new(type, UserLicenseCoverage.MaxDevicesPerUserLicense, NeedsAppleIdSignIn: true, InstallsWithAppStoreBlocked: false),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown license type."),
    };
}
