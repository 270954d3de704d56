using VppLedger.Directory;

namespace VppLedger.Licensing;

/// <summary>Whether the end user sees a prompt.</summary>
public enum PromptShown
{
    /// <summary>No prompt.</summary>
    No = 0,

    /// <summary>The prompt is shown.</summary>
    Yes = 1,

    /// <summary>The table gives no answer for this scenario.</summary>
    NotApplicable = 2,
}

/// <summary>Whether the scenario is one to use.</summary>
public enum PromptAdvice
{
    /// <summary>A supported scenario of the P table.</summary>
    Supported = 0,

    /// <summary>Works but is not recommended: warn the administrator (rule P8).</summary>
    NotRecommended = 1,

    /// <summary>Not supported at all (rule L5: device licenses on User Enrollment).</summary>
    NotSupported = 2,

    /// <summary>Supported, but the P table says nothing of the prompts (user licenses on User Enrollment, rule L5).</summary>
    NotCovered = 3,
}

/// <summary>The prompts an end user sees for one scenario (rules P1-P8).</summary>
/// <param name="Rule">The row of the P table (P1-P8), or L5 for User Enrollment.</param>
/// <param name="Advice">Supported, not recommended (warn), not supported, or not covered.</param>
/// <param name="VppInvite">The VPP invitation.</param>
/// <param name="InstallPrompt">The app install prompt.</param>
/// <param name="AppleIdPrompt">The Apple ID sign-in prompt.</param>
public sealed record EndUserPrompts(string Rule, PromptAdvice Advice, PromptShown VppInvite, PromptShown InstallPrompt, PromptShown AppleIdPrompt)
{
    /// <summary>
    /// The row of the P table for a device and license type. A kiosk is taken as supervised; a personal
    /// (BYOD) device reads the BYOD rows whatever its supervision.
    /// </summary>
    public static EndUserPrompts For(Ownership ownership, bool supervised, bool kiosk, bool userEnrollment, LicenseType licenseType)
    {
        const PromptShown Y = PromptShown.Yes, N = PromptShown.No, NA = PromptShown.NotApplicable;
        var user = licenseType == LicenseType.User;
        if (userEnrollment)
        {
            return user
                ? new("L5", PromptAdvice.NotCovered, NA, NA, NA)
                : new("L5", PromptAdvice.NotSupported, NA, NA, NA);
        }

        if (kiosk)
        {
            return user
                ? new("P8", PromptAdvice.NotRecommended, NA, NA, NA)
                : new("P7", PromptAdvice.Supported, N, N, N);
        }

        return (ownership, supervised, user) switch
        {
            (Ownership.Personal, _, true) => new("P1", PromptAdvice.Supported, Y, Y, Y),
            (Ownership.Personal, _, false) => new("P4", PromptAdvice.Supported, N, Y, N),
            (_, false, true) => new("P2", PromptAdvice.Supported, Y, Y, Y),
            (_, true, true) => new("P3", PromptAdvice.Supported, Y, N, Y),
            (_, false, false) => new("P5", PromptAdvice.Supported, N, Y, N),
            (_, true, false) => new("P6", PromptAdvice.Supported, N, N, N),
        };
    }

    /// <summary>The row of the P table for a device's profile and a license type.</summary>
    public static EndUserPrompts For(DeviceProfile profile, LicenseType licenseType)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return For(profile.Ownership, profile.Supervised, profile.Kiosk, profile.Enrollment == EnrollmentKind.UserEnrollment, licenseType);
    }
}
