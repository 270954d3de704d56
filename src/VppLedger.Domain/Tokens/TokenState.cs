using System.Collections.Immutable;
using NodaTime;

namespace VppLedger.Tokens;

/// <summary>
/// What the token decider needs of one token stream, folded by <see cref="TokenDecider.Evolve"/>. Immutable.
/// Holds the fingerprint of the secret, never the secret (rule T12).
/// </summary>
internal sealed record TokenState
{
    /// <summary>The state of a stream with no event: nothing uploaded.</summary>
    public static TokenState Initial { get; } = new();

    /// <summary>The token's id; null until uploaded.</summary>
    public TokenId? Id { get; init; }

    /// <summary>True once a file was uploaded.</summary>
    public bool Uploaded => Id is not null;

    /// <summary>True once deleted (rule T10).</summary>
    public bool Deleted { get; init; }

    /// <summary>True when the deletion asked for the licenses to be revoked first (<see cref="LedgerPolicy.DeletingTokenRevokes"/>).</summary>
    public bool RevocationRequested { get; init; }

    /// <summary>The token's location (rules T4, T8).</summary>
    public LocationKey Location { get; init; }

    /// <summary>The current file's facts: organization, expiry, fingerprint; null until uploaded.</summary>
    public TokenFileFacts? File { get; init; }

    /// <summary>When the current file expires (rule T2); <see cref="Instant.MinValue"/> until uploaded.</summary>
    public Instant ExpiresAt => File?.ExpiresAt ?? Instant.MinValue;

    /// <summary>The managed Apple ID of the account (rule T5).</summary>
    public AppleId? ManagedAppleId { get; init; }

    /// <summary>The settings in force; null until uploaded.</summary>
    public TokenSettings? Settings { get; init; }

    /// <summary>Apps and Books, or legacy VPP until migrated (rule T9).</summary>
    public TokenProgramme Programme { get; init; }

    /// <summary>True once a legacy token was migrated in place (rule T9).</summary>
    public bool MigratedFromLegacyVpp { get; init; }

    /// <summary>Another token of the tenant that held the same location at upload (rule T4).</summary>
    public TokenId? DuplicateOf { get; init; }

    /// <summary>True while Apple reports the token bound to another MDM (rule T3).</summary>
    public bool AssignedToExternalMdm { get; init; }

    /// <summary>How many syncs were recorded, successful or not (rule T6).</summary>
    public long SyncCount { get; init; }

    /// <summary>The id of the last sync recorded, so a retried record decides nothing.</summary>
    public CommandId? LastSyncId { get; init; }

    /// <summary>When the last sync was recorded.</summary>
    public Instant? LastSyncAt { get; init; }

    /// <summary>Whether the last sync succeeded; null before the first.</summary>
    public bool? LastSyncSucceeded { get; init; }

    /// <summary>The country whose store metadata the apps hold: the country at upload, then of the last successful sync (rule T7).</summary>
    public string? MetadataCountryCode { get; init; }

    /// <summary>True when the country changed since the last successful sync: metadata updates at the next one (rule T7).</summary>
    public bool CountryChangePending => Settings is not null && !string.Equals(Settings.CountryCode, MetadataCountryCode, StringComparison.Ordinal);

    /// <summary>Apps the store of the current country lacked at the last successful sync: flagged and not updated (rule T7).</summary>
    public IReadOnlySet<AdamId> AppsMissingFromStore { get; init; } = ImmutableHashSet<AdamId>.Empty;
}
