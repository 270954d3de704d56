using System.Collections.Immutable;
using NodaTime;

namespace VppLedger.Tokens;

/// <summary>
/// The pure decider of a location token stream, <c>token:{tokenId}</c>: one <c>Decide</c> per command, and
/// <see cref="Evolve"/>. No clock, no I/O: time comes in as <c>now</c>, and what lies beyond the stream (the
/// tenant's token count, location claims, the policy) comes in as arguments the storage layer gathers.
/// Every <c>Decide</c> decides no events for a command already applied. No decider checks a permission: the
/// ledger checks the command's own one (<see cref="RequiresPermissionAttribute"/>, rule X1) before anything is read.
/// </summary>
internal static class TokenDecider
{
    /// <summary>Most tokens one tenant holds; the next upload is rejected. // rule T1</summary>
    public const int MaxTokensPerTenant = 3000; // rule T1

    /// <summary>Upload a token file (rules T1, T3, T4, T5, T12).</summary>
    /// <param name="command">The upload.</param>
    /// <param name="state">The token stream's state.</param>
    /// <param name="tenantTokenCount">How many tokens the tenant holds now, deleted ones excluded (rule T1).</param>
    /// <param name="claims">Where else the location is held (rule T4).</param>
    /// <param name="now">The current time.</param>
    internal static Decision<ITokenEvent> Decide(UploadToken command, TokenState state, int tenantTokenCount, TokenLocationClaims claims, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(claims);
        if (state.Deleted)
        {
            return TokenRejections.TokenDeleted(command.Token);
        }

        if (state.File is { } uploaded)
        {
            return uploaded.Fingerprint == command.File.Fingerprint
                ? Decision<ITokenEvent>.Nothing
                : TokenRejections.TokenAlreadyUploaded(command.Token);
        }

        if (!command.ConsentToSendDataToApple)
        {
            return TokenRejections.ConsentRequired();
        }

        if (command.ManagedAppleId.Kind != AppleIdKind.Managed || command.ManagedAppleId == default)
        {
            return TokenRejections.ManagedAppleIdRequired();
        }

        if (Check(command.Settings) is { } invalid)
        {
            return invalid;
        }

        if (command.File.ExpiresAt <= now)
        {
            return TokenRejections.TokenFileExpired(command.File.ExpiresAt);
        }

        if (tenantTokenCount >= MaxTokensPerTenant)
        {
            return TokenRejections.TooManyTokens(tenantTokenCount);
        }

        if (claims.ActiveInAnotherTenant)
        {
            return TokenRejections.DuplicateLocationInAnotherTenant();
        }

        return Decision<ITokenEvent>.Accept(new TokenUploaded(
            now,
            command.Token,
            command.Location,
            command.File,
            command.ManagedAppleId,
            command.Settings,
            command.Programme,
            command.TakeControlFromOtherMdm,
            DuplicateOf(claims, command.Token)));
    }

    /// <summary>Renew with a new file of the same location (rule T8). The same file twice decides nothing.</summary>
    /// <param name="command">The renewal.</param>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The current time.</param>
    internal static Decision<ITokenEvent> Decide(RenewToken command, TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Existing(command, state, "renew a token") is { } refused)
        {
            return refused;
        }

        if (state.File!.Fingerprint == command.File.Fingerprint)
        {
            return Decision<ITokenEvent>.Nothing;
        }

        if (command.Location != state.Location)
        {
            return TokenRejections.RenewalForAnotherLocation(command.Token);
        }

        if (command.File.ExpiresAt <= now)
        {
            return TokenRejections.TokenFileExpired(command.File.ExpiresAt);
        }

        if (command.File.ExpiresAt < state.ExpiresAt)
        {
            return TokenRejections.RenewalOlderThanCurrent(state.ExpiresAt, command.File.ExpiresAt);
        }

        return Decision<ITokenEvent>.Accept(new TokenRenewed(now, command.File));
    }

    /// <summary>Change the settings (rules T5, T7, T11). The same settings twice decide nothing.</summary>
    /// <param name="command">The change.</param>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<ITokenEvent> Decide(ChangeTokenSettings command, TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Existing(command, state, "change a token's settings") is { } refused)
        {
            return refused;
        }

        if (Check(command.Settings) is { } invalid)
        {
            return invalid;
        }

        return command.Settings == state.Settings
            ? Decision<ITokenEvent>.Nothing
            : Decision<ITokenEvent>.Accept(new TokenSettingsChanged(now, command.Settings));
    }

    /// <summary>
    /// Record a successful sync (rules T6, T7). Refused when the token may not sync (rules T2, T3, T10). The same
    /// sync id as the last one recorded decides nothing; older retries are caught by the command-id store (rule I4).
    /// </summary>
    /// <param name="command">The sync outcome.</param>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<ITokenEvent> Decide(RecordTokenSyncSucceeded command, TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Uploaded && state.LastSyncId == command.Id)
        {
            return Decision<ITokenEvent>.Nothing;
        }

        if (TokenRules.CheckCanSyncOrGrant(state, now) is { } blocked)
        {
            return blocked;
        }

        if (command.AppCount < 0 || command.LicenseCount < 0)
        {
            return TokenRejections.InvalidSyncCounts(command.AppCount, command.LicenseCount);
        }

        return Decision<ITokenEvent>.Accept(new TokenSyncSucceeded(
            now,
            command.Id,
            command.Trigger,
            state.Settings!.CountryCode,
            command.AppCount,
            command.LicenseCount,
            [.. (command.AppsMissingFromStore ?? []).Distinct()]));
    }

    /// <summary>Record a failed sync (rule T6). Accepted even for an expired token: the failure is the record of why.</summary>
    /// <param name="command">The sync outcome.</param>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<ITokenEvent> Decide(RecordTokenSyncFailed command, TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Existing(command, state, "sync a token") is { } refused)
        {
            return refused;
        }

        if (state.LastSyncId == command.Id)
        {
            return Decision<ITokenEvent>.Nothing;
        }

        if (string.IsNullOrWhiteSpace(command.Reason))
        {
            return TokenRejections.SyncFailureReasonMissing();
        }

        return Decision<ITokenEvent>.Accept(new TokenSyncFailed(now, command.Id, command.Trigger, command.Reason.Trim()));
    }

    /// <summary>Record that Apple reports the token bound to another MDM (rule T3). Already so: nothing.</summary>
    /// <param name="command">The report.</param>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<ITokenEvent> Decide(MarkTokenAssignedToExternalMdm command, TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Existing(command, state, "mark a token as assigned to another MDM") is { } refused)
        {
            return refused;
        }

        return state.AssignedToExternalMdm
            ? Decision<ITokenEvent>.Nothing
            : Decision<ITokenEvent>.Accept(new TokenAssignedToExternalMdm(now, string.IsNullOrWhiteSpace(command.OtherMdm) ? null : command.OtherMdm.Trim()));
    }

    /// <summary>Take control of the token from another MDM (rule T3). Already in control: nothing.</summary>
    /// <param name="command">The command.</param>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<ITokenEvent> Decide(TakeTokenControl command, TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Existing(command, state, "take control of a token") is { } refused)
        {
            return refused;
        }

        return state.AssignedToExternalMdm
            ? Decision<ITokenEvent>.Accept(new TokenControlTaken(now))
            : Decision<ITokenEvent>.Nothing;
    }

    /// <summary>
    /// Migrate a legacy VPP token in place to its Apps and Books location token (rule T9): same token id, so
    /// nothing under it is deleted or recreated. Checked against other tenants like an upload (rule T4).
    /// </summary>
    /// <param name="command">The migration.</param>
    /// <param name="state">The legacy token's state.</param>
    /// <param name="claims">Where else the new location is held (rule T4).</param>
    /// <param name="now">The current time.</param>
    public static Decision<ITokenEvent> Decide(MigrateLegacyToken command, TokenState state, TokenLocationClaims claims, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(claims);
        if (Existing(command, state, "migrate a token") is { } refused)
        {
            return refused;
        }

        if (state.MigratedFromLegacyVpp && state.File!.Fingerprint == command.File.Fingerprint)
        {
            return Decision<ITokenEvent>.Nothing;
        }

        if (state.Programme != TokenProgramme.LegacyVpp)
        {
            return TokenRejections.NotALegacyToken(command.Token);
        }

        if (command.File.ExpiresAt <= now)
        {
            return TokenRejections.TokenFileExpired(command.File.ExpiresAt);
        }

        if (claims.ActiveInAnotherTenant)
        {
            return TokenRejections.DuplicateLocationInAnotherTenant();
        }

        if (claims.HeldInThisTenantBy is { } holder && holder != command.Token)
        {
            // Rules T9, T4: two legacy tokens (or a legacy token and an uploaded one) of one location would each
            // count the location's licenses; the first keeps them, this one is refused.
            return TokenRejections.LocationAlreadyHeldInTenant(command.Token, holder);
        }

        return Decision<ITokenEvent>.Accept(new TokenMigratedFromLegacyVpp(now, command.Location, command.File, DuplicateOf(claims, command.Token)));
    }

    /// <summary>
    /// Delete the token (rule T10). Its licenses are orphaned at Apple (rule R7) unless
    /// <see cref="LedgerPolicy.DeletingTokenRevokes"/>, which the event records as a revocation request.
    /// Already deleted: nothing.
    /// </summary>
    /// <param name="command">The deletion.</param>
    /// <param name="state">The token's state.</param>
    /// <param name="policy">The ledger policy.</param>
    /// <param name="now">The current time.</param>
    public static Decision<ITokenEvent> Decide(DeleteToken command, TokenState state, LedgerPolicy policy, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        if (!state.Uploaded)
        {
            return TokenRejections.TokenNotFound(command.Token);
        }

        return state.Deleted
            ? Decision<ITokenEvent>.Nothing
            : Decision<ITokenEvent>.Accept(new TokenDeleted(now, policy.DeletingTokenRevokes));
    }

    /// <summary>Folds one event into the state. Never validates, never throws; an unknown event leaves the state as it is.</summary>
    /// <param name="state">The state before.</param>
    /// <param name="event">The event.</param>
    public static TokenState Evolve(TokenState state, ITokenEvent @event) => @event switch
    {
        TokenUploaded e => state with
        {
            Id = e.Token,
            Location = e.Location,
            File = e.File,
            ManagedAppleId = e.ManagedAppleId,
            Settings = e.Settings,
            Programme = e.Programme,
            DuplicateOf = e.DuplicateOf,
            AssignedToExternalMdm = false,
            MetadataCountryCode = e.Settings?.CountryCode,
        },
        TokenRenewed e => state with { File = e.File },
        TokenSettingsChanged e => state with { Settings = e.Settings },
        TokenSyncSucceeded e => state with
        {
            SyncCount = state.SyncCount + 1,
            LastSyncId = e.SyncId,
            LastSyncAt = e.OccurredAt,
            LastSyncSucceeded = true,
            MetadataCountryCode = e.CountryCode,
            AppsMissingFromStore = (e.AppsMissingFromStore ?? []).ToImmutableHashSet(),
        },
        TokenSyncFailed e => state with
        {
            SyncCount = state.SyncCount + 1,
            LastSyncId = e.SyncId,
            LastSyncAt = e.OccurredAt,
            LastSyncSucceeded = false,
        },
        TokenAssignedToExternalMdm => state with { AssignedToExternalMdm = true },
        TokenControlTaken => state with { AssignedToExternalMdm = false },
        TokenMigratedFromLegacyVpp e => state with
        {
            Programme = TokenProgramme.AppsAndBooks,
            MigratedFromLegacyVpp = true,
            Location = e.Location,
            File = e.File,
            DuplicateOf = e.DuplicateOf,
        },
        TokenDeleted e => state with { Deleted = true, RevocationRequested = e.RevocationRequested },
        _ => state,
    };

    /// <summary>Folds events in order, from <see cref="TokenState.Initial"/>.</summary>
    /// <param name="events">The stream's events, oldest first.</param>
    public static TokenState Fold(IEnumerable<ITokenEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Aggregate(TokenState.Initial, Evolve);
    }

    private static Rejection? Existing(ITokenCommand command, TokenState state, string action)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Uploaded)
        {
            return TokenRejections.TokenNotFound(command.Token);
        }

        return state.Deleted ? TokenRejections.TokenDeleted(command.Token) : null;
    }

    private static Rejection? Check(TokenSettings settings)
    {
        var nameLength = settings?.Name?.Trim().Length ?? 0;
        if (nameLength == 0 || nameLength > TokenSettings.MaxNameLength)
        {
            return TokenRejections.InvalidTokenName(nameLength);
        }

        var country = settings!.CountryCode ?? string.Empty;
        return country.Length == 2 && char.IsAsciiLetterUpper(country[0]) && char.IsAsciiLetterUpper(country[1])
            ? null
            : TokenRejections.InvalidCountryCode(country);
    }

    private static TokenId? DuplicateOf(TokenLocationClaims claims, TokenId token) =>
        claims.HeldInThisTenantBy is { } other && other != token ? other : null;
}
