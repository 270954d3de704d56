using System.Globalization;

namespace VppLedger.Directory;

/// <summary>Every refusal of the directory facts (users, devices, groups). Codes are stable and listed in docs/errors.md.</summary>
internal static class DirectoryRejections
{
    /// <summary>An Apple ID was given in the slot of the other kind (rule L4).</summary>
    /// <param name="expected">The kind the slot holds.</param>
    public static Rejection AppleIdKindMismatch(AppleIdKind expected) => new(
        RejectionCodes.AppleIdKindMismatch,
        "L4",
        $"The {expected.ToString().ToLowerInvariant()} Apple ID slot holds an Apple ID of the other kind. Pass the personal Apple ID as personal and the managed one as managed.");

    /// <summary>No user was recorded under this id (rule R4).</summary>
    /// <param name="user">The user.</param>
    public static Rejection UserNotFound(UserId user) => new(
        RejectionCodes.UserNotFound,
        "R4",
        $"No user '{user}' was recorded. Record the user before reporting that they left.");

    /// <summary>No device was recorded under this id (rule R5).</summary>
    /// <param name="device">The device.</param>
    public static Rejection DeviceNotFound(DeviceId device) => new(
        RejectionCodes.DeviceNotFound,
        "R5",
        $"No device '{device}' was recorded. Record the device before reporting it removed from management.");

    /// <summary>No group was created under this id (rule A1).</summary>
    /// <param name="group">The group.</param>
    public static Rejection GroupNotFound(GroupId group) => new(
        RejectionCodes.GroupNotFound,
        "A1",
        $"No group '{group}' was created. Create the group, with its kind, before adding or removing members.");

    /// <summary>A group was created again with the other kind (rule A1).</summary>
    /// <param name="group">The group.</param>
    /// <param name="current">Its kind.</param>
    public static Rejection GroupKindCannotChange(GroupId group, GroupKind current) => new(
        RejectionCodes.GroupKindCannotChange,
        "A1",
        $"Group '{group}' is a {current.ToString().ToLowerInvariant()} group; a group's kind never changes. Create a new group under another id.");

    /// <summary>A member of the wrong kind for the group (rule A1).</summary>
    /// <param name="group">The group.</param>
    /// <param name="kind">The group's kind.</param>
    /// <param name="member">The first member of the other kind.</param>
    public static Rejection MemberKindMismatch(GroupId group, GroupKind kind, GroupMember member) => new(
        RejectionCodes.MemberKindMismatch,
        "A1",
        $"Group '{group}' is a {kind.ToString().ToLowerInvariant()} group, but member '{member}' is a {member.Kind.ToString().ToLowerInvariant()}. Add users to user groups and devices to device groups.");

    /// <summary>Too many members in one command (rule A6: order is kept across batches).</summary>
    /// <param name="count">How many members the command named.</param>
    public static Rejection TooManyMembersInOneCommand(int count) => new(
        RejectionCodes.TooManyMembersInOneCommand,
        "A6",
        string.Create(CultureInfo.InvariantCulture, $"The command names {count} members; at most {GroupDecider.MaxMembersPerCommand} are accepted at once. Send the members in batches, in targeting order."));

    /// <summary>Too many users and devices in one <see cref="RecordDirectory"/> command (rule I3: one transaction each).</summary>
    /// <param name="count">How many entries the command named.</param>
    public static Rejection TooManyDirectoryEntriesInOneCommand(int count) => new(
        RejectionCodes.TooManyDirectoryEntriesInOneCommand,
        "I3",
        string.Create(CultureInfo.InvariantCulture, $"The command names {count} users and devices; at most {RecordDirectory.MaxEntriesPerCommand} are accepted at once. Send them in batches."));
}
