using NodaTime;
using VppLedger.Directory;

namespace VppLedger.Licensing;

/// <summary>How a device loses a license (rules R2, R3).</summary>
public enum LicenseLossTrigger
{
    /// <summary>The assignment was removed (rule R2).</summary>
    AssignmentRemoved = 0,

    /// <summary>The license was revoked (rule R3).</summary>
    LicenseRevoked = 1,
}

/// <summary>What happens on a device when it loses a license, as the article states it per platform.</summary>
/// <param name="Rule">R2 (assignment removed) or R3 (license revoked).</param>
/// <param name="LicenseReclaimed">The license returns to the pool.</param>
/// <param name="AppUninstalled">The MDM uninstalls the app.</param>
/// <param name="AppStillUsable">The app stays on the device and can be used.</param>
/// <param name="UpdatesBlocked">The app cannot update until a license is assigned again.</param>
/// <param name="RemovalDueAt">When Apple removes the app, or null when nothing is scheduled.</param>
public sealed record RevocationOutcome(
    string Rule,
    bool LicenseReclaimed,
    bool AppUninstalled,
    bool AppStillUsable,
    bool UpdatesBlocked,
    Instant? RemovalDueAt);

/// <summary>Rules R2 and R3 as data: iOS, iPadOS and tvOS behave as iOS; macOS differs.</summary>
public static class RevocationEffects
{
    /// <summary>After a revocation, Apple removes a macOS app once this grace period is over (rule R3).</summary>
    public static Duration MacOSRevokedAppGracePeriod { get; } = Duration.FromDays(30); // rule R3

    /// <summary>What <paramref name="trigger"/> at <paramref name="at"/> does on a device of <paramref name="platform"/>.</summary>
    public static RevocationOutcome For(Platform platform, LicenseLossTrigger trigger, Instant at)
    {
        var mac = platform == Platform.macOS;
        return (trigger, mac) switch
        {
            // R2 iOS: reclaimed and uninstalled. R2 macOS: reclaimed, the app stays installed.
            (LicenseLossTrigger.AssignmentRemoved, false) => new("R2", true, AppUninstalled: true, AppStillUsable: false, UpdatesBlocked: false, null),
            (LicenseLossTrigger.AssignmentRemoved, true) => new("R2", true, AppUninstalled: false, AppStillUsable: true, UpdatesBlocked: false, null),

            // R3 iOS: reclaimed; the app stays until the assignment is set to Uninstall (A4).
            (LicenseLossTrigger.LicenseRevoked, false) => new("R3", true, AppUninstalled: false, AppStillUsable: true, UpdatesBlocked: false, null),

            // R3 macOS: usable but not updatable; Apple removes it after the grace period.
            (LicenseLossTrigger.LicenseRevoked, true) => new("R3", true, AppUninstalled: false, AppStillUsable: true, UpdatesBlocked: true, at + MacOSRevokedAppGracePeriod),
            _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "Unknown trigger."),
        };
    }
}
