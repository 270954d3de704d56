namespace VppLedger.Tokens;

/// <summary>
/// What a host sends to upload a <c>.vpptoken</c> file (rule T5): the file as downloaded, and the admin's choices.
/// The ledger parses the file, keeps the secret in its own erasable store (T12) and records <see cref="UploadToken"/>.
/// </summary>
/// <param name="Token">The host's id for the new token.</param>
/// <param name="FileContent">The file's content as downloaded (base64 text).</param>
/// <param name="Location">Apple's location id when the host knows it; else the organization name stands for it.</param>
/// <param name="ManagedAppleId">The managed Apple ID of the Apple Business Manager account.</param>
/// <param name="Settings">Name, country/region, account type, automatic app updates.</param>
/// <param name="ConsentToSendDataToApple">The admin's consent to send user and device data to Apple (required).</param>
/// <param name="TakeControlFromOtherMdm">Take the token over from another MDM (T3).</param>
/// <param name="Id">The command id.</param>
/// <param name="Actor">Who uploads; needs <see cref="Permissions.ManagedApps"/>.</param>
/// <param name="Programme">Apps and Books (the default), or a legacy VPP token to migrate later with <see cref="MigrateLegacyTokenFile"/> (T9).</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record UploadTokenFile(
    TokenId Token,
    string FileContent,
    LocationKey? Location,
    AppleId ManagedAppleId,
    TokenSettings Settings,
    bool ConsentToSendDataToApple,
    bool TakeControlFromOtherMdm,
    CommandId Id,
    Actor Actor,
    TokenProgramme Programme = TokenProgramme.AppsAndBooks) : ILedgerCommand
{
    /// <inheritdoc />
    public override string ToString() => $"UploadTokenFile {{ Token = {Token}, Id = {Id} }}";
}

/// <summary>A renewed token file for the same location (T8): new expiry, new secret, same apps and licenses.</summary>
/// <param name="Token">The token to renew.</param>
/// <param name="FileContent">The new file's content.</param>
/// <param name="Location">Apple's location id when known; else the organization name stands for it.</param>
/// <param name="Id">The command id.</param>
/// <param name="Actor">Who renews; needs <see cref="Permissions.ManagedApps"/>.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RenewTokenFile(TokenId Token, string FileContent, LocationKey? Location, CommandId Id, Actor Actor) : ILedgerCommand
{
    /// <inheritdoc />
    public override string ToString() => $"RenewTokenFile {{ Token = {Token}, Id = {Id} }}";
}

/// <summary>
/// Migrate a legacy VPP token in place to the Apps and Books location token that replaces it (T9): the token keeps
/// its id, so its apps, assignments and licenses stay. The ledger keeps the new file's secret in its own erasable
/// store (T12) and claims the new location for the tenant (T4).
/// </summary>
/// <param name="Token">The legacy token.</param>
/// <param name="FileContent">The new location token file's content.</param>
/// <param name="Location">Apple's location id when known; else the organization name stands for it.</param>
/// <param name="Id">The command id.</param>
/// <param name="Actor">Who migrates; needs <see cref="Permissions.ManagedApps"/>.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record MigrateLegacyTokenFile(TokenId Token, string FileContent, LocationKey? Location, CommandId Id, Actor Actor) : ILedgerCommand
{
    /// <inheritdoc />
    public override string ToString() => $"MigrateLegacyTokenFile {{ Token = {Token}, Id = {Id} }}";
}
