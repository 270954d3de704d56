namespace VppLedger.Storage;

/// <summary>
/// The token secret (rule T12), in its own document so it can be rotated and erased; never in an event,
/// a projection of the log, or a log line.
/// </summary>
internal sealed record TokenSecretDoc(string Id, string Secret, string Fingerprint);

