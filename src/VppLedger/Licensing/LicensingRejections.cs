using System.Globalization;

namespace VppLedger.Licensing;

/// <summary>Licensing refusals shared by pools, assignments and holder resolution. Codes are stable and listed in docs/errors.md.</summary>
public static class LicensingRejections
{
    /// <summary>A book takes user licences only (rule L6).</summary>
    public static Rejection BooksTakeUserLicencesOnly(AdamId book) => new(
        "BooksTakeUserLicencesOnly",
        "L6",
        $"Book {book} takes user licences only; a device licence was asked for. Assign the book with licence type User.");

    /// <summary>Licences move from user to device only, never back (rule L8).</summary>
    public static Rejection DeviceToUserMigrationNotSupported(AdamId app) => new(
        "DeviceToUserMigrationNotSupported",
        "L8",
        $"App {app} cannot move from device licences to user licences; Apple supports user to device only. Keep device licensing, or create a new user-licensed assignment after removing the device one.");

    /// <summary>A User Enrollment device cannot take a device licence (rule L5).</summary>
    public static Rejection DeviceLicensingNotOnUserEnrollment(DeviceId device) => new(
        "DeviceLicensingNotOnUserEnrollment",
        "L5",
        $"Device {device} is enrolled with User Enrollment, which does not support device licences. Assign the app with licence type User to the device's user, with a managed Apple ID.");

    /// <summary>A user licence on a User Enrollment device needs a managed Apple ID (rule L5).</summary>
    public static Rejection UserEnrollmentNeedsManagedAppleId(UserId user) => new(
        "UserEnrollmentNeedsManagedAppleId",
        "L5",
        $"User {user} is on a User Enrollment device but has no managed Apple ID; User Enrollment takes user licences with managed Apple IDs only. Give the user a managed Apple ID in Apple Business Manager.");

    /// <summary>User licensing goes through the App Store, which a policy blocks (rule L7).</summary>
    public static Rejection UserLicensingNeedsAppStore(DeviceId? device) => new(
        "UserLicensingNeedsAppStore",
        "L7",
        string.Create(
            CultureInfo.InvariantCulture,
            $"The App Store is blocked on device {device?.Value ?? "(unknown)"}, and user licensing needs it for the VPP invitation. Allow the App Store, or assign the app with licence type Device."));

    /// <summary>A user licence was asked for a member that is no user, or a user with no Apple ID (rules L3, L4).</summary>
    public static Rejection UserLicenceNeedsAppleId(string member) => new(
        "UserLicenceNeedsAppleId",
        "L3",
        $"Member {member} has no Apple ID known to the MDM, and a user licence is bound to an Apple ID. Report the user's Apple ID, or assign with licence type Device.");

    /// <summary>A device licence was asked for a member that is no device (rule L2).</summary>
    public static Rejection DeviceLicenceNeedsDevice(string member) => new(
        "DeviceLicenceNeedsDevice",
        "L2",
        $"Member {member} is not a device, and a device licence is bound to one device. Target a device group, or assign with licence type User.");
}
