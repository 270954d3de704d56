using System.Globalization;

namespace VppLedger.Licensing;

/// <summary>Licensing refusals shared by pools, assignments and holder resolution. Codes are stable and listed in docs/errors.md.</summary>
internal static class LicensingRejections
{
    /// <summary>A book takes user licenses only (rule L6).</summary>
    public static Rejection BooksTakeUserLicensesOnly(AdamId book) => new(
        RejectionCodes.BooksTakeUserLicensesOnly,
        "L6",
        $"Book {book} takes user licenses only; a device license was asked for. Assign the book with license type User.");

    /// <summary>Apple's assets snapshot says the asset takes no device license (rule L6; Apple's error 9707).</summary>
    public static Rejection AssetNotDeviceAssignable(AdamId asset) => new(
        RejectionCodes.AssetNotDeviceAssignable,
        "L6",
        $"Apple's assets snapshot says asset {asset} is not device-assignable; a device license was asked for. Assign it with license type User.");

    /// <summary>
    /// Why a pool of <paramref name="product"/> takes no device license (rule L6): a book never does, nor an asset
    /// Apple's assets snapshot recorded as not device-assignable; null when it may.
    /// </summary>
    public static Rejection? RefuseDeviceLicense(AdamId asset, ProductKind product, bool deviceAssignable) =>
        product == ProductKind.Book ? BooksTakeUserLicensesOnly(asset)
        : deviceAssignable ? null
        : AssetNotDeviceAssignable(asset);

    /// <summary>Licenses move from user to device only, never back (rule L8).</summary>
    public static Rejection DeviceToUserMigrationNotSupported(AdamId app) => new(
        RejectionCodes.DeviceToUserMigrationNotSupported,
        "L8",
        $"App {app} cannot move from device licenses to user licenses; Apple supports user to device only. Keep device licensing, or create a new user-licensed assignment after removing the device one.");

    /// <summary>A User Enrollment device cannot take a device license (rule L5).</summary>
    public static Rejection DeviceLicensingNotOnUserEnrollment(DeviceId device) => new(
        RejectionCodes.DeviceLicensingNotOnUserEnrollment,
        "L5",
        $"Device {device} is enrolled with User Enrollment, which does not support device licenses. Assign the app with license type User to the device's user, with a managed Apple ID.");

    /// <summary>A user license on a User Enrollment device needs a managed Apple ID (rule L5).</summary>
    public static Rejection UserEnrollmentNeedsManagedAppleId(UserId user) => new(
        RejectionCodes.UserEnrollmentNeedsManagedAppleId,
        "L5",
        $"User {user} is on a User Enrollment device but has no managed Apple ID; User Enrollment takes user licenses with managed Apple IDs only. Give the user a managed Apple ID in Apple Business Manager.");

    /// <summary>User licensing goes through the App Store, which a policy blocks (rule L7).</summary>
    public static Rejection UserLicensingNeedsAppStore(DeviceId? device) => new(
        RejectionCodes.UserLicensingNeedsAppStore,
        "L7",
        string.Create(
            CultureInfo.InvariantCulture,
            $"The App Store is blocked on device {device?.Value ?? "(unknown)"}, and user licensing needs it for the VPP invitation. Allow the App Store, or assign the app with license type Device."));

    /// <summary>A user license was asked for a member that is no user, or a user with no Apple ID (rules L3, L4).</summary>
    public static Rejection UserLicenseNeedsAppleId(string member) => new(
        RejectionCodes.UserLicenseNeedsAppleId,
        "L3",
        $"Member {member} has no Apple ID known to the MDM, and a user license is bound to an Apple ID. Report the user's Apple ID, or assign with license type Device.");

    /// <summary>A device license was asked for a member that is no device (rule L2).</summary>
    public static Rejection DeviceLicenseNeedsDevice(string member) => new(
        RejectionCodes.DeviceLicenseNeedsDevice,
        "L2",
        $"Member {member} is not a device, and a device license is bound to one device. Target a device group, or assign with license type User.");

    /// <summary>A license was asked for a holder the directory never recorded (rule A1).</summary>
    /// <param name="holder">The holder.</param>
    public static Rejection HolderNotRecorded(Holder holder) => new(
        RejectionCodes.HolderNotRecorded,
        "A1",
        $"Holder {holder} names a {(holder ?? throw new ArgumentNullException(nameof(holder))).Type.ToString().ToLowerInvariant()} the directory never recorded, so it cannot take a license. Record it (RecordUser or RecordDevice) first.");

    /// <summary>A license was asked for a user who left the organization (rule R4).</summary>
    /// <param name="user">The user.</param>
    public static Rejection HolderLeftOrganization(UserId user) => new(
        RejectionCodes.HolderLeftOrganization,
        "R4",
        $"User '{user}' left the organization, so no license can be granted to them. Grant it to someone who is still in the organization.");

    /// <summary>A license was asked for a device removed from management (rule R5: it keeps what it holds, but takes nothing new).</summary>
    /// <param name="device">The device.</param>
    public static Rejection DeviceNotManaged(DeviceId device) => new(
        RejectionCodes.DeviceNotManaged,
        "R5",
        $"Device '{device}' was removed from management; it keeps the licenses it holds but takes no new one. Enroll it again (RecordDevice) first.");

    /// <summary>A group member was never recorded in the directory, so it got no license (rule A1). A warning: the others are served.</summary>
    /// <param name="what">User or Device.</param>
    /// <param name="id">The member's id.</param>
    public static Rejection MemberNotRecorded(string what, string id) => new(
        RejectionCodes.MemberNotRecorded,
        "A1",
        $"{what} '{id}' is a group member but was never recorded in the directory, so it got no license. Record it (RecordUser or RecordDevice), then add it to the group again.");
}
