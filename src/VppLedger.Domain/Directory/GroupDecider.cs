using NodaTime;

namespace VppLedger.Directory;

/// <summary>
/// The pure decider of a group stream, <c>group:{groupId}</c>.
/// It never loads the member set: the storage layer passes which of the members a command names are in the group.
/// </summary>
internal static class GroupDecider
{
    /// <summary>
    /// Most members one command adds or removes: keeps one event well under a megabyte; a host reports a large
    /// group in batches, in targeting order (rule A6).
    /// </summary>
    public const int MaxMembersPerCommand = LedgerLimits.MaxGroupMembersPerCommand;

    /// <summary>Create a group (rule A1). Created already with the same kind: nothing.</summary>
    /// <param name="command">The creation.</param>
    /// <param name="state">The group's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<IGroupEvent> Decide(CreateGroup command, GroupState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Created)
        {
            return Decision<IGroupEvent>.Accept(new GroupCreated(now, command.Group, command.Kind));
        }

        return state.Kind == command.Kind
            ? Decision<IGroupEvent>.Nothing
            : DirectoryRejections.GroupKindCannotChange(command.Group, state.Kind);
    }

    /// <summary>
    /// Add members in order (rule A6): each new member takes the next position. Members in
    /// <paramref name="alreadyMembers"/> and repeats are skipped; nothing new decides nothing.
    /// </summary>
    /// <param name="command">The addition.</param>
    /// <param name="state">The group's state.</param>
    /// <param name="alreadyMembers">Which of the members the command names are in the group now (only those, not the whole group).</param>
    /// <param name="now">The current time.</param>
    public static Decision<IGroupEvent> Decide(AddGroupMembers command, GroupState state, IReadOnlySet<GroupMember> alreadyMembers, Instant now)
    {
        ArgumentNullException.ThrowIfNull(alreadyMembers);
        if (Members(command, state, command?.Members, "add group members") is { } refused)
        {
            return refused;
        }

        var seen = new HashSet<GroupMember>();
        var added = new List<PositionedGroupMember>();
        var position = state.NextPosition;
        foreach (var member in command!.Members)
        {
            if (!alreadyMembers.Contains(member) && seen.Add(member))
            {
                added.Add(new PositionedGroupMember(member, position));
                position = checked(position + 1);
            }
        }

        return added.Count == 0
            ? Decision<IGroupEvent>.Nothing
            : Decision<IGroupEvent>.Accept(new GroupMembersAdded(now, added));
    }

    /// <summary>
    /// Remove members. Only those in <paramref name="currentMembers"/> are removed; none of them decides nothing.
    /// </summary>
    /// <param name="command">The removal.</param>
    /// <param name="state">The group's state.</param>
    /// <param name="currentMembers">Which of the members the command names are in the group now (only those, not the whole group).</param>
    /// <param name="now">The current time.</param>
    public static Decision<IGroupEvent> Decide(RemoveGroupMembers command, GroupState state, IReadOnlySet<GroupMember> currentMembers, Instant now)
    {
        ArgumentNullException.ThrowIfNull(currentMembers);
        if (Members(command, state, command?.Members, "remove group members") is { } refused)
        {
            return refused;
        }

        var removed = command!.Members.Where(currentMembers.Contains).Distinct().ToList();
        return removed.Count == 0
            ? Decision<IGroupEvent>.Nothing
            : Decision<IGroupEvent>.Accept(new GroupMembersRemoved(now, removed));
    }

    /// <summary>Folds one event into the state. Never validates, never throws.</summary>
    /// <param name="state">The state before.</param>
    /// <param name="event">The event.</param>
    public static GroupState Evolve(GroupState state, IGroupEvent @event) => @event switch
    {
        GroupCreated e => state with { Id = e.Group, Kind = e.Kind },
        GroupMembersAdded { Members.Count: > 0 } e => state with
        {
            MemberCount = state.MemberCount + e.Members.Count,
            NextPosition = Math.Max(state.NextPosition, e.Members[^1].Position + 1),
        },
        GroupMembersRemoved e => state with { MemberCount = Math.Max(0, state.MemberCount - (e.Members?.Count ?? 0)) },
        _ => state,
    };

    /// <summary>Folds events in order, from <see cref="GroupState.Initial"/>.</summary>
    /// <param name="events">The stream's events, oldest first.</param>
    public static GroupState Fold(IEnumerable<IGroupEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Aggregate(GroupState.Initial, Evolve);
    }

    private static Rejection? Members(IGroupCommand? command, GroupState state, IReadOnlyList<GroupMember>? members, string action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(members);
        if (!state.Created)
        {
            return DirectoryRejections.GroupNotFound(command.Group);
        }

        if (members.Count > MaxMembersPerCommand)
        {
            return DirectoryRejections.TooManyMembersInOneCommand(members.Count);
        }

        foreach (var member in members)
        {
            if (member.Kind != state.Kind)
            {
                return DirectoryRejections.MemberKindMismatch(command.Group, state.Kind, member);
            }
        }

        return null;
    }
}
