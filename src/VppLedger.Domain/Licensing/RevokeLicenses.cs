namespace VppLedger.Licensing;

/// <summary>Which licenses a revocation covers (rule R1).</summary>
public enum RevocationScope
{
    /// <summary>Every license of one app under one token.</summary>
    App = 0,

    /// <summary>Every license held by one user's Apple IDs.</summary>
    User = 1,

    /// <summary>Every device license of one device.</summary>
    Device = 2,

    /// <summary>Every license of every app of one token ("revoke all, then delete", T10).</summary>
    Token = 3,
}

/// <summary>
/// Revokes licenses (R1): they are reclaimed (R3; see <see cref="RevocationEffects"/> for what the device does), and
/// queued holders in scope leave the queue. A deleted token's licenses cannot be revoked (R7).
/// </summary>
/// <param name="Scope">App, user, device or token.</param>
/// <param name="Target">The pool (App: <c>{tokenId}:{adamId}</c>), user id, device id or token id.</param>
/// <param name="Id">The command id.</param>
/// <param name="Actor">Who revokes; needs <see cref="Permissions.MobileApps"/>.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record RevokeLicenses(RevocationScope Scope, string Target, CommandId Id, Actor Actor) : ILedgerCommand
{
    /// <summary>Revoke every license of one app under one token.</summary>
    public static RevokeLicenses ForApp(PoolId pool, CommandId id, Actor actor) => new(RevocationScope.App, pool.ToString(), id, actor);

    /// <summary>Revoke every license of one user.</summary>
    public static RevokeLicenses ForUser(UserId user, CommandId id, Actor actor) => new(RevocationScope.User, user.Value, id, actor);

    /// <summary>Revoke every license of one device.</summary>
    public static RevokeLicenses ForDevice(DeviceId device, CommandId id, Actor actor) => new(RevocationScope.Device, device.Value, id, actor);

    /// <summary>Revoke every license of one token.</summary>
    public static RevokeLicenses ForToken(TokenId token, CommandId id, Actor actor) => new(RevocationScope.Token, token.Value, id, actor);
}
