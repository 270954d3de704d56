namespace VppLedger.Tokens;

/// <summary>Marks the commands on one location token. Every one needs the "managed apps" permission (rule X1).</summary>
public interface ITokenCommand : ILedgerCommand
{
    /// <summary>The token the command is about.</summary>
    TokenId Token { get; }
}

/// <summary>
/// Upload a token file (rule T5). The command carries the file's facts, not its secret (rule T12): the host
/// hands <see cref="VppTokenFile.Secret"/> to the secret store beside the command.
/// </summary>
/// <param name="Token">The host's id for the new token.</param>
/// <param name="File">The parsed file's facts (<see cref="VppTokenFile.Facts"/>).</param>
/// <param name="Location">The token's location (see <see cref="LocationKey"/>).</param>
/// <param name="ManagedAppleId">The managed Apple ID of the account.</param>
/// <param name="Settings">Name, country or region, account type, automatic app updates.</param>
/// <param name="ConsentToSendDataToApple">The administrator's consent to send user and device data to Apple; required.</param>
/// <param name="TakeControlFromOtherMdm">Reassign the token from another MDM to this one (rule T3).</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
/// <param name="Programme">Apps and Books (default) or a legacy VPP token (rule T9).</param>
[RequiresPermission(Permissions.ManagedApps)]
internal sealed record UploadToken(
    TokenId Token,
    TokenFileFacts File,
    LocationKey Location,
    AppleId ManagedAppleId,
    TokenSettings Settings,
    bool ConsentToSendDataToApple,
    bool TakeControlFromOtherMdm,
    CommandId Id,
    Actor Actor,
    TokenProgramme Programme = TokenProgramme.AppsAndBooks) : ITokenCommand;

/// <summary>Renew a token with a new file of the same location (rule T8). The secret travels beside the command (rule T12).</summary>
/// <param name="Token">The token.</param>
/// <param name="File">The new file's facts.</param>
/// <param name="Location">The new file's location; must be the token's.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
internal sealed record RenewToken(TokenId Token, TokenFileFacts File, LocationKey Location, CommandId Id, Actor Actor) : ITokenCommand;

/// <summary>Change a token's settings (rules T7, T11).</summary>
/// <param name="Token">The token.</param>
/// <param name="Settings">The settings wanted, all of them.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record ChangeTokenSettings(TokenId Token, TokenSettings Settings, CommandId Id, Actor Actor) : ITokenCommand;

/// <summary>Record a successful sync with Apple (rules T6, T7). The command id identifies the sync.</summary>
/// <param name="Token">The token.</param>
/// <param name="Trigger">Scheduled or on demand.</param>
/// <param name="AppCount">How many apps and books Apple reported.</param>
/// <param name="LicenseCount">How many licenses Apple reported in total.</param>
/// <param name="AppsMissingFromStore">Apps the store of the token's country lacks (rule T7).</param>
/// <param name="Id">The idempotency key, recorded as the sync's id.</param>
/// <param name="Actor">Who asked (the host's sync job).</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RecordTokenSyncSucceeded(
    TokenId Token,
    SyncTrigger Trigger,
    int AppCount,
    long LicenseCount,
    IReadOnlyList<AdamId> AppsMissingFromStore,
    CommandId Id,
    Actor Actor) : ITokenCommand;

/// <summary>Record a failed sync with Apple (rule T6). The command id identifies the sync.</summary>
/// <param name="Token">The token.</param>
/// <param name="Trigger">Scheduled or on demand.</param>
/// <param name="Reason">Apple's error, or what else went wrong.</param>
/// <param name="Id">The idempotency key, recorded as the sync's id.</param>
/// <param name="Actor">Who asked (the host's sync job).</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RecordTokenSyncFailed(TokenId Token, SyncTrigger Trigger, string Reason, CommandId Id, Actor Actor) : ITokenCommand;

/// <summary>Record that Apple reports the token bound to another MDM (rule T3).</summary>
/// <param name="Token">The token.</param>
/// <param name="OtherMdm">The other MDM's name, if Apple gives it.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record MarkTokenAssignedToExternalMdm(TokenId Token, string? OtherMdm, CommandId Id, Actor Actor) : ITokenCommand;

/// <summary>Take control of a token from another MDM (rule T3).</summary>
/// <param name="Token">The token.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record TakeTokenControl(TokenId Token, CommandId Id, Actor Actor) : ITokenCommand;

/// <summary>
/// Replace a legacy VPP token in place by its new Apps and Books location token, keeping its apps,
/// assignments and licenses (rule T9). The secret travels beside the command (rule T12).
/// </summary>
/// <param name="Token">The legacy token.</param>
/// <param name="File">The new location token file's facts.</param>
/// <param name="Location">The new token's location.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record MigrateLegacyToken(TokenId Token, TokenFileFacts File, LocationKey Location, CommandId Id, Actor Actor) : ITokenCommand;

/// <summary>Delete a token (rule T10): licenses are orphaned, unless the policy revokes them first.</summary>
/// <param name="Token">The token.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record DeleteToken(TokenId Token, CommandId Id, Actor Actor) : ITokenCommand;

/// <summary>
/// What the storage layer knows about the location of an upload or a migration beyond this stream (rule T4).
/// </summary>
/// <param name="ActiveInAnotherTenant">The location is claimed by another tenant: the upload is rejected.</param>
/// <param name="HeldInThisTenantBy">Another token of this tenant that holds the location, if any: the upload is accepted and marked duplicate.</param>
internal sealed record TokenLocationClaims(bool ActiveInAnotherTenant, TokenId? HeldInThisTenantBy)
{
    /// <summary>The location is claimed nowhere else.</summary>
    public static TokenLocationClaims None { get; } = new(false, null);
}
