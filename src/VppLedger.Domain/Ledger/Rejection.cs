namespace VppLedger;

/// <summary>
/// Why a command was refused: a stable code (never renamed, listed in docs/errors.md), the rule id
/// of spec/RULES.md that refused it, and one sentence for a person that says what to do.
/// A rejected command writes nothing.
/// </summary>
/// <param name="Code">Stable machine code, for example <c>NoLicensesAvailable</c>.</param>
/// <param name="Rule">The rule id that decided it, for example <c>S4</c>.</param>
/// <param name="Message">What was wrong and what to do.</param>
public sealed record Rejection(string Code, string Rule, string Message)
{
    /// <summary>The same reason as a warning of an applied command.</summary>
    internal CommandWarning AsWarning() => new(Code, Rule, Message);
}

/// <summary>
/// Something an applied command did not do for a reason of its own: for example a member of a targeted group that got
/// no license because it is a User Enrollment device and the assignment uses device licenses (rule L5). The command
/// as a whole was applied; the code is one of <see cref="RejectionCodes"/>, listed in docs/errors.md.
/// </summary>
/// <param name="Code">Stable machine code, one of <see cref="RejectionCodes"/>.</param>
/// <param name="Rule">The rule id that decided it.</param>
/// <param name="Message">What was not done, and what to do about it.</param>
public sealed record CommandWarning(string Code, string Rule, string Message);

/// <summary>Marks every event of the ledger: each one carries its business time (rule I1).</summary>
public interface ILedgerEvent
{
    /// <summary>When it happened in the business (not when it was appended).</summary>
    NodaTime.Instant OccurredAt { get; }
}

/// <summary>Marks every command of the ledger: each one carries its id and its actor.</summary>
public interface ILedgerCommand
{
    /// <summary>The idempotency key (rule I4).</summary>
    CommandId Id { get; }

    /// <summary>Who asked, with their permissions (rule X1).</summary>
    Actor Actor { get; }
}

/// <summary>The outcome of a pure decision: the events to append, or the rejection. An already applied command decides no events.</summary>
/// <typeparam name="TEvent">The aggregate's event type.</typeparam>
internal sealed class Decision<TEvent>
    where TEvent : ILedgerEvent
{
    private Decision(IReadOnlyList<TEvent> events, Rejection? rejection)
    {
        Events = events;
        Rejection = rejection;
    }

    /// <summary>The events decided; empty when rejected or already applied.</summary>
    public IReadOnlyList<TEvent> Events { get; }

    /// <summary>The rejection, or null when accepted.</summary>
    public Rejection? Rejection { get; }

    /// <summary>True when the command was refused.</summary>
    public bool IsRejected => Rejection is not null;

    /// <summary>Accepts with these events (none: the command was already applied).</summary>
    public static Decision<TEvent> Accept(params IReadOnlyList<TEvent> events) => new(events, null);

    /// <summary>Accepts with no events: nothing to change.</summary>
    public static Decision<TEvent> Nothing { get; } = new([], null);

    /// <summary>Refuses; no event is written.</summary>
    public static Decision<TEvent> Reject(Rejection rejection) => new([], rejection ?? throw new ArgumentNullException(nameof(rejection)));

    /// <summary>Implicit conversion so a decider can <c>return rejection;</c>.</summary>
    public static implicit operator Decision<TEvent>(Rejection rejection) => Reject(rejection);

    /// <summary>Same as the implicit conversion, for languages without one.</summary>
    public static Decision<TEvent> FromRejection(Rejection rejection) => Reject(rejection);
}
