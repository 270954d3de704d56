namespace VppLedger.AppleSide;

/// <summary>
/// Record one notification Apple pushed (docs/apple.md, "Notifications"). Each <c>notificationId</c> is recorded once
/// in the token's stored set: the same notification again, under any command id, decides nothing (rule I4), and
/// notifications may arrive in any order, before or after the status poll. <c>ASSET_MANAGEMENT</c> answers the seats of
/// the event (as <see cref="Pools.IAppleOutbox.RecordEventStatusAsync"/> does); <c>ASSET_COUNT</c> is recorded (the host
/// then reads the assets again: counts change only through <see cref="ApplyAppleAssetsSnapshot"/>);
/// <c>USER_MANAGEMENT</c> and <c>USER_ASSOCIATED</c> record Apple's user states. Needs
/// <see cref="Permissions.ManagedApps"/> (rule X1).
/// </summary>
/// <param name="Token">The token whose <c>notificationUrl</c> received it.</param>
/// <param name="Notification">The notification, parsed.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who records it (the host's notification endpoint).</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RecordAppleNotification(TokenId Token, AppleNotification Notification, CommandId Id, Actor Actor) : ILedgerCommand;

/// <summary>
/// Record Apple's states of users of a token (from <c>POST /users/...</c> answers or a users read). A state only moves
/// forward (registered, associated, retired): an older state recorded later changes nothing. Needs
/// <see cref="Permissions.ManagedApps"/> (rule X1).
/// </summary>
/// <param name="Token">The token (Apple's users belong to its location).</param>
/// <param name="Users">The users and their states.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who records it.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RecordAppleUserStates(TokenId Token, IReadOnlyList<AppleUserStateReport> Users, CommandId Id, Actor Actor) : ILedgerCommand;

/// <summary>
/// Record Apple's client config of a token (<c>GET /client/config</c>). An <c>mdmInfo.id</c> that is not
/// <paramref name="HostMdmId"/> means another MDM took control of the token (rule T3): the token is marked assigned to
/// an external MDM (it neither syncs nor grants until <see cref="Tokens.TakeTokenControl"/>), and reconciliation classes
/// the seats Apple holds that the ledger does not as held under another MDM. Needs <see cref="Permissions.ManagedApps"/> (rule X1).
/// </summary>
/// <param name="Token">The token.</param>
/// <param name="MdmId">Apple's <c>mdmInfo.id</c>, or null when Apple names none.</param>
/// <param name="MdmName">Apple's <c>mdmInfo.name</c>.</param>
/// <param name="LocationUId">Apple's <c>uId</c> of the location (rule T4).</param>
/// <param name="HostMdmId">The <c>mdmInfo.id</c> this host sets in Apple's client config.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who records it.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RecordAppleClientConfig(TokenId Token, string? MdmId, string? MdmName, string? LocationUId, string HostMdmId, CommandId Id, Actor Actor) : ILedgerCommand;

/// <summary>
/// Apply a whole walk of Apple's <c>GET /assets</c> for a token: for each asset, its pool (token + adamId + pricingParam)
/// takes Apple's counts (purchased = <c>totalCount</c>, retired = <c>retiredCount</c>; a different <c>assignedCount</c>
/// is drift, rule S2; a rising total serves the queue, rule A6) and its facts (device-assignable, revocable, platforms).
/// The token must be able to sync (rules T2, T3). Needs <see cref="Permissions.ManagedApps"/> (rule X1).
/// </summary>
/// <param name="Token">The token.</param>
/// <param name="VersionId">The versionId every page of the walk carried.</param>
/// <param name="Assets">Every asset of every page.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who records it.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record ApplyAppleAssetsSnapshot(TokenId Token, string? VersionId, IReadOnlyList<AppleAssetReport> Assets, CommandId Id, Actor Actor) : ILedgerCommand;

/// <summary>
/// Record one page of a walk of Apple's <c>GET /assignments</c> (docs/apple.md, "Assignments snapshots"). Page 0 starts
/// a walk under a new <paramref name="WalkId"/>; each next page must follow in order under the same versionId, else it is
/// refused (<c>AppleAssignmentsVersionChanged</c>, <c>AppleAssignmentsPageOutOfOrder</c>) and the walk starts again from
/// page 0 with a new walk id. A walk with <paramref name="SinceVersionId"/> is a delta over the last completed walk (it
/// must name that walk's versionId) and only adds what it lists; a walk without one is whole. The last page completes the
/// snapshot and reconciles it with the seats, one finding per difference (rules S2, T3). Needs
/// <see cref="Permissions.ManagedApps"/> (rule X1).
/// </summary>
/// <param name="Token">The token.</param>
/// <param name="WalkId">The host's id of this walk (1 to 128 characters); a restarted walk takes a new one.</param>
/// <param name="VersionId">Apple's versionId of this page.</param>
/// <param name="SinceVersionId">The versionId the walk reads changes since, or null for a whole walk.</param>
/// <param name="PageIndex">The page, from 0.</param>
/// <param name="IsLastPage">True on the walk's last page.</param>
/// <param name="Assignments">The page's assignments.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who records it.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RecordAppleAssignmentsPage(
    TokenId Token,
    string WalkId,
    string VersionId,
    string? SinceVersionId,
    int PageIndex,
    bool IsLastPage,
    IReadOnlyList<AppleSeatReport> Assignments,
    CommandId Id,
    Actor Actor) : ILedgerCommand;
