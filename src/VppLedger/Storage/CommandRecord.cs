using NodaTime;

namespace VppLedger.Storage;

/// <summary>
/// The idempotency key of one applied command (rule I4), stored in the same transaction as its events.
/// The document id is the command id; conjoined tenancy makes it unique per tenant. A replay returns the stored
/// outcome: its changes (by reference) and its warnings (null in records written before warnings were kept). A page
/// of a large operation has its own record (<c>{id}~{page}</c>) with the cursor where the next page starts.
/// </summary>
internal sealed record CommandRecord(
    string Id,
    string CommandType,
    string PayloadHash,
    bool Unchanged,
    IReadOnlyList<StoredChange> Changes,
    Instant RecordedAt,
    long? ResumeAfter = null,
    IReadOnlyList<StoredWarning>? Warnings = null,
    string? Cursor = null)
{
    /// <summary>Where the next page starts; records written before cursors were strings kept a member position.</summary>
    public string? NextCursor => Cursor ?? (ResumeAfter is { } position ? PageCursor.Members(0, 0, position) : null);
}

/// <summary>One event of a stored outcome, by reference: the event itself stays in the log.</summary>
internal sealed record StoredChange(string Stream, long Version, string EventName);

/// <summary>One warning of a stored outcome (a member skipped for a reason of its own), kept whole for a replay (rule I4).</summary>
internal sealed record StoredWarning(string Code, string Rule, string Message)
{
    public static StoredWarning From(CommandWarning warning) => new(warning.Code, warning.Rule, warning.Message);

    public CommandWarning ToWarning() => new(Code, Rule, Message);
}
