namespace VppLedger;

/// <summary>How a command ended.</summary>
public enum CommandStatus
{
    /// <summary>Decided and committed: the events in <see cref="CommandOutcome.Changes"/> are durable.</summary>
    Applied = 0,

    /// <summary>Accepted but nothing to change (already applied): nothing was written.</summary>
    Unchanged = 1,

    /// <summary>Refused: see <see cref="CommandOutcome.Rejection"/>. Nothing was written.</summary>
    Rejected = 2,
}

/// <summary>One event a command wrote: its stream, its version in that stream and its stable name.</summary>
/// <param name="Stream">The stream id, for example <c>pool:tok-1:361309726</c>.</param>
/// <param name="Version">The event's version in its stream.</param>
/// <param name="EventName">The stable event name, for example <c>vpp.pool.license_granted.v1</c>.</param>
/// <param name="Event">The event itself.</param>
public sealed record LedgerChange(string Stream, long Version, string EventName, ILedgerEvent Event);

/// <summary>
/// The typed outcome of one command. When the task that returned it completed with <see cref="CommandStatus.Applied"/>,
/// every change is committed in one transaction (rule I3). A retry with the same command id returns the first
/// outcome with <see cref="IsReplay"/> set and writes nothing (rule I4).
/// </summary>
/// <param name="Id">The command id.</param>
/// <param name="Status">Applied, unchanged or rejected.</param>
/// <param name="Changes">The events written, in order; empty unless applied.</param>
/// <param name="Rejection">Why it was refused; null unless rejected.</param>
/// <param name="IsReplay">True when this is the stored outcome of an earlier run of the same command id.</param>
public sealed record CommandOutcome(
    CommandId Id,
    CommandStatus Status,
    IReadOnlyList<LedgerChange> Changes,
    Rejection? Rejection,
    bool IsReplay = false)
{
    /// <summary>
    /// Members of a targeted group that got no license for a reason of their own (for example a User Enrollment device
    /// and a device license, rule L5), while the command as a whole was applied. Empty for most commands.
    /// </summary>
    public IReadOnlyList<CommandWarning> Warnings { get; init; } = [];

    /// <summary>True unless rejected.</summary>
    public bool Succeeded => Status != CommandStatus.Rejected;

    /// <summary>The events of one type among the changes.</summary>
    /// <typeparam name="TEvent">The event type.</typeparam>
    public IEnumerable<TEvent> EventsOf<TEvent>()
        where TEvent : ILedgerEvent => Changes.Select(c => c.Event).OfType<TEvent>();
}
