namespace VppLedger.Storage;

/// <summary>
/// The token secret (rule T12), in its own document so it can be rotated and erased; never in an event,
/// a projection of the log, or a log line.
/// </summary>
internal sealed record TokenSecretDoc(string Id, string Secret, string Fingerprint);

/// <summary>
/// A tenant's claim on a token location (rule T4). A unique index across tenants makes a second tenant's claim
/// fail in the database, even when two uploads race.
/// </summary>
internal sealed record LocationClaimDoc(string Id, string Location, string Token);
