namespace VppLedger.Directory;

/// <summary>The operating system of a managed device; revocation effects differ by platform (rules R2, R3).</summary>
public enum Platform
{
    /// <summary>iPhone.</summary>
    iOS = 0,

    /// <summary>iPad; behaves as iOS for licenses.</summary>
    iPadOS = 1,

    /// <summary>Mac.</summary>
    macOS = 2,

    /// <summary>Apple TV; behaves as iOS for licenses.</summary>
    tvOS = 3,
}

/// <summary>Who owns the device (rules P1-P8).</summary>
public enum Ownership
{
    /// <summary>Bring your own device: owned by the end user.</summary>
    Personal = 0,

    /// <summary>Owned by the organization.</summary>
    Corporate = 1,
}

/// <summary>How the device enrolled in the MDM.</summary>
public enum EnrollmentKind
{
    /// <summary>Device enrollment (by the user, or automated through Apple Business Manager).</summary>
    Device = 0,

    /// <summary>Apple's User Enrollment: user licenses with managed Apple IDs only (rule L5).</summary>
    UserEnrollment = 1,
}

/// <summary>The facts about a device that licensing rules read (L2, L5, L7, P1-P8, R2, R3).</summary>
/// <param name="Platform">The operating system.</param>
/// <param name="Ownership">Personal (BYOD) or corporate.</param>
/// <param name="Enrollment">Device enrollment or User Enrollment.</param>
/// <param name="Supervised">Whether the device is supervised.</param>
/// <param name="Kiosk">Whether the device runs in kiosk (single app) mode; kiosks are supervised.</param>
/// <param name="AppStoreBlocked">Whether a policy blocks the App Store (rule L7).</param>
public sealed record DeviceProfile(
    Platform Platform,
    Ownership Ownership,
    EnrollmentKind Enrollment,
    bool Supervised,
    bool Kiosk,
    bool AppStoreBlocked);
