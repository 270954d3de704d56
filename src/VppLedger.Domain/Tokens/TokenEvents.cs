using NodaTime;

namespace VppLedger.Tokens;

/// <summary>Marks the events of a location token stream, <c>token:{tokenId}</c>. None carries the secret (rule T12).</summary>
public interface ITokenEvent : ILedgerEvent;

/// <summary>A token file was uploaded with its settings (rule T5).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Token">The host's id of the token.</param>
/// <param name="Location">The Apple location of the token (rules T4, T8).</param>
/// <param name="File">The file's facts: organization, expiry, fingerprint of the secret (rules T2, T12).</param>
/// <param name="ManagedAppleId">The managed Apple ID of the account (rule T5).</param>
/// <param name="Settings">Name, country or region, account type, automatic app updates (rules T5, T7, T11).</param>
/// <param name="Programme">Apps and Books, or a legacy VPP token to migrate later (rule T9).</param>
/// <param name="TookControlFromOtherMdm">True when the upload reassigned the token from another MDM (rule T3).</param>
/// <param name="DuplicateOf">Another token of the tenant that holds the same location, if any (rule T4).</param>
public sealed record TokenUploaded(
    Instant OccurredAt,
    TokenId Token,
    LocationKey Location,
    TokenFileFacts File,
    AppleId ManagedAppleId,
    TokenSettings Settings,
    TokenProgramme Programme,
    bool TookControlFromOtherMdm,
    TokenId? DuplicateOf) : ITokenEvent;

/// <summary>A new file of the same location replaced the token's file; apps, assignments and licenses stay (rule T8).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="File">The new file's facts.</param>
public sealed record TokenRenewed(Instant OccurredAt, TokenFileFacts File) : ITokenEvent;

/// <summary>The administrator changed the token's settings (rules T7, T11).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Settings">The settings now in force.</param>
public sealed record TokenSettingsChanged(Instant OccurredAt, TokenSettings Settings) : ITokenEvent;

/// <summary>A sync with Apple succeeded (rule T6).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="SyncId">The command id of the sync, so a retry records it once.</param>
/// <param name="Trigger">Scheduled or on demand.</param>
/// <param name="CountryCode">The store country whose metadata the sync used (rule T7).</param>
/// <param name="AppCount">How many apps and books Apple reported under the token.</param>
/// <param name="LicenseCount">How many licenses Apple reported in total.</param>
/// <param name="AppsMissingFromStore">Apps the store of <paramref name="CountryCode"/> lacks: not updated, flagged (rule T7).</param>
public sealed record TokenSyncSucceeded(
    Instant OccurredAt,
    CommandId SyncId,
    SyncTrigger Trigger,
    string CountryCode,
    int AppCount,
    long LicenseCount,
    IReadOnlyList<AdamId> AppsMissingFromStore) : ITokenEvent;

/// <summary>A sync with Apple failed (rule T6).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="SyncId">The command id of the sync, so a retry records it once.</param>
/// <param name="Trigger">Scheduled or on demand.</param>
/// <param name="Reason">Apple's error, or what else went wrong.</param>
public sealed record TokenSyncFailed(Instant OccurredAt, CommandId SyncId, SyncTrigger Trigger, string Reason) : ITokenEvent;

/// <summary>Apple reported the token bound to another MDM: no sync, no grant until control is taken (rule T3).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="OtherMdm">The other MDM's name as Apple reports it, if known.</param>
public sealed record TokenAssignedToExternalMdm(Instant OccurredAt, string? OtherMdm) : ITokenEvent;

/// <summary>This MDM took control of the token back from another MDM (rule T3).</summary>
/// <param name="OccurredAt">When.</param>
public sealed record TokenControlTaken(Instant OccurredAt) : ITokenEvent;

/// <summary>
/// A legacy VPP token was migrated to an Apps and Books location token in place: same token id, so its
/// pools, apps and assignments are kept (rule T9).
/// </summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Location">The location of the new token.</param>
/// <param name="File">The new file's facts.</param>
/// <param name="DuplicateOf">Another token of the tenant that holds the same location, if any (rule T4).</param>
public sealed record TokenMigratedFromLegacyVpp(Instant OccurredAt, LocationKey Location, TokenFileFacts File, TokenId? DuplicateOf) : ITokenEvent;

/// <summary>
/// The token was deleted: its apps and assignments leave the MDM; its licenses are orphaned at Apple and can no
/// longer be revoked (rules T10, R7), unless <paramref name="RevocationRequested"/>.
/// </summary>
/// <param name="OccurredAt">When.</param>
/// <param name="RevocationRequested">True under <see cref="LedgerPolicy.DeletingTokenRevokes"/>: the ledger revokes the licenses first.</param>
public sealed record TokenDeleted(Instant OccurredAt, bool RevocationRequested) : ITokenEvent;

/// <summary>
/// A token of the tenant was uploaded, migrated or deleted. Appended to the tenant's one stream <c>tenant:tokens</c>,
/// whose version every upload, migration and deletion checks at commit: the tenant's token count (rule T1) and the
/// location claims (rule T4) that such a command reads are covered by it, so two of them never both commit on the
/// same read.
/// </summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Token">The token uploaded, migrated or deleted.</param>
/// <param name="LiveTokenCount">How many tokens the tenant holds after the change, deleted ones excluded (rule T1).</param>
public sealed record TenantTokensChanged(Instant OccurredAt, TokenId Token, int LiveTokenCount) : ILedgerEvent;
