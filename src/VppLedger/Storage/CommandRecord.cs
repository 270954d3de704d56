using NodaTime;

namespace VppLedger.Storage;

/// <summary>
/// The idempotency key of one applied command (rule I4), stored in the same transaction as its events.
/// The document id is the command id; conjoined tenancy makes it unique per tenant. A replay returns the stored
/// outcome: its changes (by reference) and its warnings (null in records written before warnings were kept).
/// </summary>
internal sealed record CommandRecord(
    string Id,
    string CommandType,
    string PayloadHash,
    bool Unchanged,
    IReadOnlyList<StoredChange> Changes,
    Instant RecordedAt,
    long? ResumeAfter = null,
    IReadOnlyList<StoredWarning>? Warnings = null);

/// <summary>One event of a stored outcome, by reference: the event itself stays in the log.</summary>
internal sealed record StoredChange(string Stream, long Version, string EventName);

/// <summary>One warning of a stored outcome (a member skipped for a reason of its own), kept whole for a replay (rule I4).</summary>
internal sealed record StoredWarning(string Code, string Rule, string Message)
{
    public static StoredWarning From(CommandWarning warning) => new(warning.Code, warning.Rule, warning.Message);

    public CommandWarning ToWarning() => new(Code, Rule, Message);
}
