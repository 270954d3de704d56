using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

// The documents Marten keeps. Write states are the deciders' own immutable states, wrapped with the stream id
// Marten needs; the rest are indexed rows that let a command read only what it touches (ARCHITECTURE.md "Scale").

/// <summary>Write state of <c>token:{id}</c>.</summary>
internal sealed record TokenDoc(string Id, TokenState State, string? Location, bool Deleted);

/// <summary>Write state of <c>pool:{token}:{adamId}</c>: counters only, never the holder set.</summary>
internal sealed record PoolDoc(string Id, PoolState State, string TokenKey, string AdamKey, bool Queued, bool OverAllocated);

/// <summary>Write state of <c>assignment:{token}:{adamId}:{group}</c>.</summary>
internal sealed record AssignmentDoc(string Id, AssignmentState State, string PoolKey, string TokenKey, string AdamKey, string GroupKey);

/// <summary>Write state of <c>user:{id}</c>.</summary>
internal sealed record UserDoc(string Id, UserState State);

/// <summary>Write state of <c>device:{id}</c>, with the user it belongs to (for L3 coverage and device licenses of user groups).</summary>
internal sealed record DeviceDoc(string Id, DeviceState State, string? UserKey, Instant? SignedInSince, string? SerialKey = null);

/// <summary>Write state of <c>group:{id}</c>: counters only, never the member set.</summary>
internal sealed record GroupDoc(string Id, GroupState State);

/// <summary>
/// One holder's seat in one pool: granted (requested or confirmed at Apple), or queued at a position (rule A6).
/// Indexed by pool, status and position.
/// </summary>
internal sealed record SeatDoc(
    string Id,
    string PoolKey,
    string TokenKey,
    string HolderKey,
    string OwnerId,
    LicenseType Type,
    SeatStatus Status,
    long QueuePosition,
    Instant Since,
    AppleSeatState Apple = AppleSeatState.Requested,
    Instant? RequestedAt = null)
{
    /// <summary>The seat as the decider reads it, with the holder's pending releases.</summary>
    public HolderSeat ToSeat(int pendingReleaseCount) =>
        (Status == SeatStatus.Queued ? HolderSeat.Queued(QueuePosition) : HolderSeat.Granted with { Apple = Apple })
        with { PendingReleaseCount = pendingReleaseCount };
}

/// <summary>
/// One request of the Apple outbox: a seat change the ledger decided, stored with its event in the same transaction.
/// The id is the pool stream and the event's version, so one decided change is one request. Indexed by token, status and
/// order, and by Apple's event id.
/// </summary>
internal sealed record AppleRequestDoc(
    string Id,
    string TokenKey,
    string PoolKey,
    long Version,
    AppleRequestKind Kind,
    string HolderKey,
    Instant DecidedAt,
    AppleRequestStatus Status,
    string? AppleEventId,
    int? ErrorNumber,
    string? ErrorMessage)
{
    public static string IdOf(PoolId pool, long version) => Streams.Pool(pool) + "@" + version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public AppleRequest ToRequest(SerialNumber? serial) =>
        new(Id, LedgerHandlers.PoolOf(PoolKey), Kind, Holder.FromKey(HolderKey), serial, DecidedAt);
}

/// <summary>Releases of seats Apple had confirmed, waiting for Apple's disassociation, of one holder in one pool (docs/apple.md).</summary>
internal sealed record ReleaseDoc(string Id, string PoolKey, string HolderKey, int PendingCount);

/// <summary>One member of one group, at its targeting position (rule A6). Indexed by group and position, and by member.</summary>
internal sealed record MemberDoc(string Id, string GroupKey, GroupKind Kind, string MemberId, long Position);

/// <summary>Write state of <c>apple:{token}</c>: Apple's client config, the walk in progress, the last completed one.</summary>
internal sealed record AppleSideDoc(string Id, AppleSide.AppleSideState State, string TokenKey);

/// <summary>
/// One seat Apple holds, as the latest walk of its assignments listed it (docs/apple.md). <see cref="WalkId"/> is the
/// walk that last listed it: a whole walk's completion deletes the rows it did not list.
/// </summary>
internal sealed record AppleSeatDoc(string Id, string TokenKey, string PoolKey, string HolderRef, string WalkId);

/// <summary>Apple's state of one user of a token.</summary>
internal sealed record AppleUserDoc(string Id, string TokenKey, string ClientUserId, AppleSide.AppleUserState State);

/// <summary>One notification recorded: the token's stored set of notification ids.</summary>
internal sealed record AppleNotificationDoc(string Id, string TokenKey, string NotificationId);

/// <summary>One open reconciliation finding.</summary>
internal sealed record FindingDoc(string Id, string TokenKey, AppleSide.ReconciliationFinding Finding);
