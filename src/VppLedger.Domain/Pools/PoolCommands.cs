using VppLedger.Directory;

namespace VppLedger.Pools;

/// <summary>Marks every command decided on one pool stream. Time is not part of a command: the decider takes it.</summary>
public interface IPoolCommand : ILedgerCommand
{
    /// <summary>The pool the command acts on.</summary>
    PoolId Pool { get; }
}

/// <summary>
/// Apply Apple's counts for an app under a token (rule S2). Needs <see cref="Permissions.ManagedApps"/> (rule X1).
/// A rising total serves the queue first-in-first-out (rule A6); a total below used over-allocates the pool (rule S4).
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Product">App or book, as Apple reports it.</param>
/// <param name="PurchasedCount">Licenses bought.</param>
/// <param name="RetiredCount">Licenses retired or refunded; at most <paramref name="PurchasedCount"/>.</param>
/// <param name="AppleAssignedCount">Licenses Apple reports as assigned, when the sync read it; a difference is recorded as drift.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record ApplyAppleCounts(
    PoolId Pool,
    ProductKind Product,
    int PurchasedCount,
    int RetiredCount,
    int? AppleAssignedCount,
    CommandId Id,
    Actor Actor) : IPoolCommand;

/// <summary>
/// Grant one license to each holder, in targeting order (rule A6): the first ones up to the free count get a
/// license, the rest wait in the pool's FIFO queue. Holders that already hold or wait are left as they are.
/// Needs <see cref="Permissions.MobileApps"/> (rule X1).
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holders">The holders, in targeting order.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record GrantLicenses(PoolId Pool, IReadOnlyList<Holder> Holders, CommandId Id, Actor Actor) : IPoolCommand;

/// <summary>
/// Reclaim the licenses of these holders (rules R2, R3, R4, A4); queued ones leave the queue. Freed licenses go
/// to the queue head in the same decision (rule A6). Needs <see cref="Permissions.MobileApps"/> (rule X1).
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holders">The holders whose licenses are reclaimed.</param>
/// <param name="Reason">Why; it decides the rule id recorded on each event.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
internal sealed record ReclaimLicenses(
    PoolId Pool,
    IReadOnlyList<Holder> Holders,
    ReclaimReason Reason,
    CommandId Id,
    Actor Actor) : IPoolCommand;

/// <summary>
/// Revoke every license of the app under this token (rule R1), one page of holders at a time: the storage
/// layer pages through the granted and queued holders and sends each page as one command. Unlike
/// <see cref="ReclaimLicenses"/>, freed licenses do not go to the queue, so the pages stay stable.
/// Needs <see cref="Permissions.MobileApps"/> (rule X1).
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holders">One page of holders: granted ones are reclaimed, queued ones leave the queue.</param>
/// <param name="Id">Idempotency key (rule I4); one per page.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
internal sealed record RevokeAllLicenses(PoolId Pool, IReadOnlyList<Holder> Holders, CommandId Id, Actor Actor) : IPoolCommand;

/// <summary>
/// Move a user from a user license to device licenses for its devices (rule L8), in one decision: the user
/// license is reclaimed and each device granted (or queued). Device to user is refused.
/// Needs <see cref="Permissions.MobileApps"/> (rule X1).
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="From">The user license holder.</param>
/// <param name="To">The device holders that take device licenses instead.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
internal sealed record MigrateToDeviceLicenses(
    PoolId Pool,
    Holder From,
    IReadOnlyList<Holder> To,
    CommandId Id,
    Actor Actor) : IPoolCommand;

/// <summary>
/// Record that the pool's token was deleted (rule T10): its licenses are orphaned and can no longer be revoked
/// (rule R7). Needs <see cref="Permissions.ManagedApps"/> (rule X1), as deleting a token does.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.ManagedApps)]
internal sealed record OrphanPool(PoolId Pool, CommandId Id, Actor Actor) : IPoolCommand;

/// <summary>
/// Remove the app from the MDM's catalogue. An iOS-family VPP app cannot be removed (rule S3); for a macOS app
/// the pool keeps its licenses recorded, so the ledger writes nothing.
/// Needs <see cref="Permissions.MobileApps"/> (rule X1).
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Platform">The platform the app is for.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record RemoveAppFromMdm(PoolId Pool, Platform Platform, CommandId Id, Actor Actor) : IPoolCommand;

/// <summary>
/// Serve the queue: grant free licenses to the queue head, first in first out (rule A6). The step a token's renewal
/// (rule T8) or regained control (rule T3) takes on each of its pools, for the holders that queued while grants were
/// held (rule T2). A pool with no free license or no queue decides nothing. Internal: a step of those commands, not a host command.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked (the renewal's actor).</param>
internal sealed record ServeQueue(PoolId Pool, CommandId Id, Actor Actor) : IPoolCommand;
