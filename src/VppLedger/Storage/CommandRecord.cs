using NodaTime;

namespace VppLedger.Storage;

/// <summary>
/// The idempotency key of one applied command (rule I4), stored in the same transaction as its events.
/// The document id is the command id; conjoined tenancy makes it unique per tenant.
/// </summary>
internal sealed record CommandRecord(
    string Id,
    string CommandType,
    string PayloadHash,
    bool Unchanged,
    IReadOnlyList<StoredChange> Changes,
    Instant RecordedAt,
    long? ResumeAfter = null);

/// <summary>One event of a stored outcome, by reference: the event itself stays in the log.</summary>
internal sealed record StoredChange(string Stream, long Version, string EventName);
