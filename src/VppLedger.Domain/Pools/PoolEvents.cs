using NodaTime;

namespace VppLedger.Pools;

/// <summary>
/// Marks every event of a pool stream (<c>pool:{tokenId}:{adamId}</c>). Each event names its pool so that
/// projections and audit replays across pools need not parse stream ids.
/// </summary>
public interface IPoolEvent : ILedgerEvent
{
    /// <summary>The pool the event belongs to.</summary>
    PoolId Pool { get; }
}

/// <summary>Why a holder was granted a license (rule I1: every grant says why).</summary>
public enum GrantReason
{
    /// <summary>The holder was targeted and a license was free (rule A6).</summary>
    Targeted = 0,

    /// <summary>The holder waited in the queue and a license was freed or bought (rule A6).</summary>
    PromotedFromQueue = 1,

    /// <summary>A device license granted while the device's user license was reclaimed (rule L8).</summary>
    MigratedFromUserLicense = 2,
}

/// <summary>Why a holder's license was reclaimed, or why a queued holder left the queue (rule I1).</summary>
public enum ReclaimReason
{
    /// <summary>The assignment was removed (rule R2).</summary>
    AssignmentRemoved = 0,

    /// <summary>An administrator revoked the license (rules R1, R3).</summary>
    Revoked = 1,

    /// <summary>The holder is no longer in any targeted group (rule R4).</summary>
    NoLongerTargeted = 2,

    /// <summary>The user left the organization (rule R4).</summary>
    LeftOrganization = 3,

    /// <summary>The assignment's intent was set to Uninstall (rule A4).</summary>
    UninstallIntent = 4,

    /// <summary>The user license was replaced by device licenses (rule L8).</summary>
    MigratedToDeviceLicense = 5,

    /// <summary>A queued device left the queue: Apple's assets snapshot says the asset is not device-assignable (rule L6).</summary>
    NotDeviceAssignable = 6,
}

/// <summary>
/// Apple's counts for the pool were applied (rule S2: Apple is the source of truth for totals).
/// The first one creates the pool. Total = <paramref name="PurchasedCount"/> - <paramref name="RetiredCount"/>.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Product">App or book (rule L6).</param>
/// <param name="PurchasedCount">Licenses bought, as Apple reports them.</param>
/// <param name="RetiredCount">Licenses retired or refunded, as Apple reports them.</param>
/// <param name="AppleAssignedCount">Licenses Apple says are assigned, when the sync reported it.</param>
/// <param name="OccurredAt">When the counts were read from Apple.</param>
public sealed record AppleCountsApplied(
    PoolId Pool,
    ProductKind Product,
    int PurchasedCount,
    int RetiredCount,
    int? AppleAssignedCount,
    Instant OccurredAt) : IPoolEvent;

/// <summary>
/// Apple's assigned count differs from the ledger's used count (rule S2). Recorded, never silently
/// overwritten: the ledger's own count stays as it is.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="AppleAssignedCount">What Apple reports as assigned.</param>
/// <param name="LedgerUsedCount">What the ledger counts as used at that moment.</param>
/// <param name="OccurredAt">When the sync read Apple's count.</param>
public sealed record AssignedCountDriftRecorded(
    PoolId Pool,
    int AppleAssignedCount,
    int LedgerUsedCount,
    Instant OccurredAt) : IPoolEvent;

/// <summary>A holder was granted one license of the pool.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">Who holds it; its type says user or device license (rule S1).</param>
/// <param name="Reason">Why it was granted.</param>
/// <param name="Rule">The rule id that decided the grant (rule I1).</param>
/// <param name="OccurredAt">When it was granted.</param>
public sealed record LicenseGranted(
    PoolId Pool,
    Holder Holder,
    GrantReason Reason,
    string Rule,
    Instant OccurredAt) : IPoolEvent;

/// <summary>A targeted holder found no free license and waits at the end of the pool's FIFO queue (rule A6, S4).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">Who waits.</param>
/// <param name="Position">Queue position: strictly increasing per pool, never reused; lower is served first.</param>
/// <param name="Rule">A6 (no license free) or S4 (pool over-allocated).</param>
/// <param name="OccurredAt">When the holder was queued.</param>
public sealed record HolderQueued(
    PoolId Pool,
    Holder Holder,
    long Position,
    string Rule,
    Instant OccurredAt) : IPoolEvent;

/// <summary>A queued holder left the queue without a license (no longer targeted, revoked...).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">Who left.</param>
/// <param name="Reason">Why.</param>
/// <param name="Rule">The rule id that decided it.</param>
/// <param name="OccurredAt">When the holder left the queue.</param>
public sealed record HolderLeftQueue(
    PoolId Pool,
    Holder Holder,
    ReclaimReason Reason,
    string Rule,
    Instant OccurredAt) : IPoolEvent;

/// <summary>A holder's license was reclaimed: it is free again.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">Who held it.</param>
/// <param name="Reason">Why it was reclaimed.</param>
/// <param name="Rule">The rule id that decided the reclaim (rule I1).</param>
/// <param name="OccurredAt">When it was reclaimed.</param>
public sealed record LicenseReclaimed(
    PoolId Pool,
    Holder Holder,
    ReclaimReason Reason,
    string Rule,
    Instant OccurredAt) : IPoolEvent;

/// <summary>
/// The pool's token was deleted (rule T10): the licenses still assigned at Apple are orphaned and can no
/// longer be revoked (rule R7). The ledger keeps them recorded.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="OccurredAt">When the token was deleted.</param>
public sealed record PoolOrphaned(PoolId Pool, Instant OccurredAt) : IPoolEvent;
