namespace VppLedger.Directory;

/// <summary>Marks the commands on one group. Every one needs the "directory" permission (rule X1).</summary>
public interface IGroupCommand : ILedgerCommand
{
    /// <summary>The group the command is about.</summary>
    GroupId Group { get; }
}

/// <summary>Create a group of users or of devices (rule A1).</summary>
/// <param name="Group">The host's id of the group.</param>
/// <param name="Kind">User group or device group.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.Directory)]
public sealed record CreateGroup(GroupId Group, GroupKind Kind, CommandId Id, Actor Actor) : IGroupCommand;

/// <summary>
/// Add members, in targeting order (rule A6), at most <see cref="LedgerLimits.MaxGroupMembersPerCommand"/> at once.
/// Members already in the group, and repeats within the command, are skipped.
/// </summary>
/// <param name="Group">The group.</param>
/// <param name="Members">The members, in the order they join.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.Directory)]
public sealed record AddGroupMembers(GroupId Group, IReadOnlyList<GroupMember> Members, CommandId Id, Actor Actor) : IGroupCommand;

/// <summary>Remove members, at most <see cref="LedgerLimits.MaxGroupMembersPerCommand"/> at once. Members not in the group are skipped.</summary>
/// <param name="Group">The group.</param>
/// <param name="Members">The members that leave.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.Directory)]
public sealed record RemoveGroupMembers(GroupId Group, IReadOnlyList<GroupMember> Members, CommandId Id, Actor Actor) : IGroupCommand;
