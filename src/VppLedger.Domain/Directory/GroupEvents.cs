using NodaTime;

namespace VppLedger.Directory;

/// <summary>Marks the events of a group stream, <c>group:{groupId}</c>.</summary>
public interface IGroupEvent : ILedgerEvent;

/// <summary>The host created a group of users or of devices (rule A1).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Group">The host's id of the group.</param>
/// <param name="Kind">User group or device group; never changes.</param>
public sealed record GroupCreated(Instant OccurredAt, GroupId Group, GroupKind Kind) : IGroupEvent;

/// <summary>Members joined the group, each with its position: the targeting order of rule A6.</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Members">The new members in order of addition, with increasing positions.</param>
public sealed record GroupMembersAdded(Instant OccurredAt, IReadOnlyList<PositionedGroupMember> Members) : IGroupEvent;

/// <summary>Members left the group (a user no longer in any targeted group has the license reclaimed, rule R4).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Members">The members that left; each was a member.</param>
public sealed record GroupMembersRemoved(Instant OccurredAt, IReadOnlyList<GroupMember> Members) : IGroupEvent;
