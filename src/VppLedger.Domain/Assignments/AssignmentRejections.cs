using System.Globalization;

namespace VppLedger.Assignments;

/// <summary>Why an assignment command was refused. Codes are stable and listed in docs/errors.md.</summary>
internal static class AssignmentRejections
{
    /// <summary>Available intent was asked for a device group (rule A2).</summary>
    public static Rejection AvailableIntentNotForDeviceGroups(GroupId group) => new(
        RejectionCodes.AvailableIntentNotForDeviceGroups,
        "A2",
        $"Group {group} is a device group, and Available intent is not supported for device groups. Use Required, or target a user group.");

    /// <summary>
    /// User licensing was asked for a device group (rules L5, L7): a user license goes to a user's Apple ID through
    /// the App Store, and a device group names devices, not users, so such an assignment would grant nobody.
    /// </summary>
    public static Rejection UserLicensingNotForDeviceGroups(GroupId group) => new(
        RejectionCodes.UserLicensingNotForDeviceGroups,
        "L7",
        $"Group {group} is a device group, and user licensing needs a user's Apple ID, which a device group does not name. Use device licensing for this group, or assign user licensing to a user group.");

    /// <summary>The group already has a different assignment of this app (rule A1).</summary>
    public static Rejection AssignmentAlreadyExists(PoolId pool, GroupId group) => new(
        RejectionCodes.AssignmentAlreadyExists,
        "A1",
        $"App {pool.AdamId} of token {pool.Token} is already assigned to group {group} with other settings. Change that assignment instead of creating another.");

    /// <summary>There is no active assignment to change (rule A1).</summary>
    public static Rejection AssignmentNotFound(PoolId pool, GroupId group) => new(
        RejectionCodes.AssignmentNotFound,
        "A1",
        $"App {pool.AdamId} of token {pool.Token} is not assigned to group {group}. Create the assignment first.");
}
