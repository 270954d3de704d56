namespace VppLedger.Licensing;

/// <summary>Which licences a revocation covers (rule R1).</summary>
public enum RevocationScope
{
    /// <summary>Every licence of one app under one token.</summary>
    App = 0,

    /// <summary>Every licence held by one user's Apple IDs.</summary>
    User = 1,

    /// <summary>Every device licence of one device.</summary>
    Device = 2,

    /// <summary>Every licence of every app of one token ("revoke all, then delete", T10).</summary>
    Token = 3,
}

/// <summary>
/// Revokes licences (R1): they are reclaimed (R3; see <see cref="RevocationEffects"/> for what the device does), and
/// queued holders in scope leave the queue. A deleted token's licences cannot be revoked (R7).
/// </summary>
/// <param name="Scope">App, user, device or token.</param>
/// <param name="Target">The pool (App: <c>{tokenId}:{adamId}</c>), user id, device id or token id.</param>
/// <param name="Id">The command id.</param>
/// <param name="Actor">Who revokes; needs <see cref="Permissions.MobileApps"/>.</param>
public sealed record RevokeLicences(RevocationScope Scope, string Target, CommandId Id, Actor Actor) : ILedgerCommand
{
    /// <summary>Revoke every licence of one app under one token.</summary>
    public static RevokeLicences ForApp(PoolId pool, CommandId id, Actor actor) => new(RevocationScope.App, pool.ToString(), id, actor);

    /// <summary>Revoke every licence of one user.</summary>
    public static RevokeLicences ForUser(UserId user, CommandId id, Actor actor) => new(RevocationScope.User, user.Value, id, actor);

    /// <summary>Revoke every licence of one device.</summary>
    public static RevokeLicences ForDevice(DeviceId device, CommandId id, Actor actor) => new(RevocationScope.Device, device.Value, id, actor);

    /// <summary>Revoke every licence of one token.</summary>
    public static RevokeLicences ForToken(TokenId token, CommandId id, Actor actor) => new(RevocationScope.Token, token.Value, id, actor);
}
