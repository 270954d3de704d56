namespace VppLedger.Directory;

/// <summary>
/// What the group decider needs of one group: counters, not the member set, since groups reach 100,000 members.
/// Membership of the members a command names comes in as a decide input. Immutable.
/// </summary>
internal sealed record GroupState
{
    /// <summary>The state of a stream with no event.</summary>
    public static GroupState Initial { get; } = new();

    /// <summary>The group's id; null until created.</summary>
    public GroupId? Id { get; init; }

    /// <summary>True once created.</summary>
    public bool Created => Id is not null;

    /// <summary>User group or device group.</summary>
    public GroupKind Kind { get; init; }

    /// <summary>How many members the group has.</summary>
    public long MemberCount { get; init; }

    /// <summary>The position the next member added takes (rule A6: positions only grow, never reused).</summary>
    public long NextPosition { get; init; }
}
