using NodaTime;

namespace VppLedger.AppleSide;

/// <summary>Marks the events of a token's Apple stream (<c>apple:{tokenId}</c>): what Apple said of the token, and reconciliation.</summary>
public interface IAppleSideEvent : ILedgerEvent
{
    /// <summary>The token.</summary>
    TokenId Token { get; }
}

/// <summary>A notification was recorded; its <c>notificationId</c> joins the token's stored set, so it is recorded once.</summary>
/// <param name="Token">The token.</param>
/// <param name="NotificationId">Apple's notificationId.</param>
/// <param name="Type">Apple's notificationType.</param>
/// <param name="AppleEventId">The event an <c>ASSET_MANAGEMENT</c> notification answers, else null.</param>
/// <param name="AssetCount">The change an <c>ASSET_COUNT</c> notification carries, else null.</param>
/// <param name="UserCount">How many user states a user notification carried.</param>
/// <param name="OccurredAt">When it was recorded.</param>
public sealed record AppleNotificationRecorded(
    TokenId Token,
    string NotificationId,
    AppleNotificationType Type,
    string? AppleEventId,
    AppleAssetCountChange? AssetCount,
    int UserCount,
    Instant OccurredAt) : IAppleSideEvent;

/// <summary>Apple's states of users moved forward (registered, associated, retired).</summary>
/// <param name="Token">The token.</param>
/// <param name="Users">The users whose state moved, with the new state.</param>
/// <param name="OccurredAt">When it was recorded.</param>
public sealed record AppleUserStatesRecorded(TokenId Token, IReadOnlyList<AppleUserStateReport> Users, Instant OccurredAt) : IAppleSideEvent;

/// <summary>Apple's client config of the token changed: who manages it (rule T3) and the location's uId (rule T4).</summary>
/// <param name="Token">The token.</param>
/// <param name="MdmId">Apple's mdmInfo.id.</param>
/// <param name="MdmName">Apple's mdmInfo.name.</param>
/// <param name="LocationUId">Apple's uId.</param>
/// <param name="ManagedByThisMdm">False when the id is another MDM's (rule T3).</param>
/// <param name="OccurredAt">When it was recorded.</param>
public sealed record AppleClientConfigRecorded(TokenId Token, string? MdmId, string? MdmName, string? LocationUId, bool ManagedByThisMdm, Instant OccurredAt) : IAppleSideEvent;

/// <summary>One page of a walk of Apple's assignments was recorded.</summary>
/// <param name="Token">The token.</param>
/// <param name="WalkId">The walk.</param>
/// <param name="VersionId">Apple's versionId of the page.</param>
/// <param name="SinceVersionId">The delta's base versionId, or null for a whole walk.</param>
/// <param name="PageIndex">The page, from 0.</param>
/// <param name="Assignments">The page's assignments.</param>
/// <param name="OccurredAt">When it was recorded.</param>
public sealed record AppleAssignmentsPageRecorded(
    TokenId Token,
    string WalkId,
    string VersionId,
    string? SinceVersionId,
    int PageIndex,
    IReadOnlyList<AppleSeatReport> Assignments,
    Instant OccurredAt) : IAppleSideEvent;

/// <summary>A walk of Apple's assignments completed: the snapshot is what Apple holds, and was reconciled with the seats.</summary>
/// <param name="Token">The token.</param>
/// <param name="WalkId">The walk.</param>
/// <param name="VersionId">Apple's versionId of every page.</param>
/// <param name="SinceVersionId">The delta's base versionId, or null for a whole walk.</param>
/// <param name="PageCount">Pages recorded.</param>
/// <param name="OccurredAt">When it completed.</param>
public sealed record AppleAssignmentsSnapshotCompleted(TokenId Token, string WalkId, string VersionId, string? SinceVersionId, int PageCount, Instant OccurredAt) : IAppleSideEvent;

/// <summary>A difference between Apple's assignments and the seats was found (docs/apple.md, "Reconciliation").</summary>
/// <param name="Token">The token.</param>
/// <param name="Key">The finding's identity: class, pool and holder.</param>
/// <param name="Class">What it is.</param>
/// <param name="Pool">The pool.</param>
/// <param name="HolderRef">Who, as Apple names it: <c>user:{clientUserId}</c> or <c>serial:{serialNumber}</c>.</param>
/// <param name="Holder">The ledger's holder, when the ledger knows it.</param>
/// <param name="Detail">One sentence for a person.</param>
/// <param name="Rule">The rule: S2, or T3 for another MDM.</param>
/// <param name="OccurredAt">When the snapshot that found it completed.</param>
public sealed record ReconciliationFindingRecorded(
    TokenId Token,
    string Key,
    ReconciliationClass Class,
    PoolId Pool,
    string HolderRef,
    Holder? Holder,
    string Detail,
    string Rule,
    Instant OccurredAt) : IAppleSideEvent;

/// <summary>A later snapshot no longer shows a finding: it is cleared.</summary>
/// <param name="Token">The token.</param>
/// <param name="Key">The finding's identity, as recorded.</param>
/// <param name="Class">What it was.</param>
/// <param name="Pool">The pool.</param>
/// <param name="OccurredAt">When the snapshot that cleared it completed.</param>
public sealed record ReconciliationFindingCleared(TokenId Token, string Key, ReconciliationClass Class, PoolId Pool, Instant OccurredAt) : IAppleSideEvent;
