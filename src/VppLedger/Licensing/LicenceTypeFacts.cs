namespace VppLedger.Licensing;

/// <summary>What each licence type means for the end user (rules L1, L2, L3, L7).</summary>
/// <param name="Type">User or device licence (rule L1).</param>
/// <param name="DevicesCoveredCount">Devices one licence covers: 1 for a device licence (L2), 5 for a user licence (L3).</param>
/// <param name="NeedsAppleIdSignIn">True when the end user must sign in with an Apple ID (user licence, L3).</param>
/// <param name="InstallsWithAppStoreBlocked">True when the app installs and updates through the Company Portal with the App Store blocked (device licence, L2; L7).</param>
public sealed record LicenceTypeFacts(LicenceType Type, int DevicesCoveredCount, bool NeedsAppleIdSignIn, bool InstallsWithAppStoreBlocked)
{
    /// <summary>The facts of <paramref name="type"/>.</summary>
    public static LicenceTypeFacts For(LicenceType type) => type switch
    {
        LicenceType.Device => new(type, 1, NeedsAppleIdSignIn: false, InstallsWithAppStoreBlocked: true),
        LicenceType.User => new(type, UserLicenceCoverage.MaxDevicesPerUserLicence, NeedsAppleIdSignIn: true, InstallsWithAppStoreBlocked: false),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown licence type."),
    };
}
