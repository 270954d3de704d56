using System.Globalization;
using VppLedger.Pools;

namespace VppLedger.Audit;

/// <summary>
/// Why a line of imported history was refused when no live command's rejection says it: each names the event that
/// live commands could never have produced. Codes are stable and listed in docs/errors.md.
/// </summary>
internal static class HistoryRejections
{
    /// <summary>A pool or assignment event names a token this tenant never uploaded, here or earlier in the file (rule X2).</summary>
    /// <param name="token">The token the event names.</param>
    public static Rejection TokenNotInTenant(TokenId token) => new(
        RejectionCodes.ImportTokenNotInTenant,
        "X2",
        $"The event belongs to token {token.Value}, which this tenant never uploaded. Put the token's vpp.token.uploaded.v1 line before its pools' lines, or import the pool into the tenant that holds the token.");

    /// <summary>A grant while every license of the pool was in use (rule S4).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="usedCount">Licenses in use before the grant.</param>
    /// <param name="totalCount">Licenses usable.</param>
    public static Rejection GrantOverTotal(PoolId pool, int usedCount, int totalCount) => new(
        RejectionCodes.ImportGrantOverTotal,
        "S4",
        string.Create(CultureInfo.InvariantCulture, $"The grant in pool {pool} would make {usedCount + 1L} licenses used of {totalCount}; a grant never makes used exceed total. Queue the holder (vpp.pool.holder_queued.v1) instead, or apply Apple's higher counts first."));

    /// <summary>A holder granted or queued while it already holds a license of the pool or waits in its queue (rule A6).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="holder">The holder.</param>
    /// <param name="status">Where it stands already.</param>
    public static Rejection HolderAlreadySeated(PoolId pool, Holder holder, SeatStatus status)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.ImportHolderAlreadySeated,
            "A6",
            $"Holder {holder.Key} already {(status == SeatStatus.Granted ? "holds a license of" : "waits in the queue of")} pool {pool}; nobody holds twice or both holds and waits. Remove the line, or reclaim the license (or leave the queue) first.");
    }

    /// <summary>A promotion from the queue, or a departure from it, of a holder that does not wait in it (rule A6).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="holder">The holder.</param>
    public static Rejection HolderNotQueued(PoolId pool, Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.ImportHolderNotQueued,
            "A6",
            $"Holder {holder.Key} does not wait in the queue of pool {pool}, so it can neither be promoted from it nor leave it. Queue the holder first (vpp.pool.holder_queued.v1), or grant it with reason Targeted.");
    }

    /// <summary>A promotion from the queue of a holder who is not first in line (rule A6: first in, first out).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="holder">The holder promoted.</param>
    /// <param name="headKey">The key of the holder first in line.</param>
    public static Rejection PromotionOutOfOrder(PoolId pool, Holder holder, string headKey)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.ImportPromotionOutOfOrder,
            "A6",
            $"Holder {holder.Key} is promoted from the queue of pool {pool} while {headKey} is first in line; the queue is served first in, first out. Promote {headKey} first, or take it out of the queue (vpp.pool.holder_left_queue.v1) before.");
    }

    /// <summary>A seat for a holder the directory never recorded: an unknown user or device, or a user without an Apple ID of that kind (rule A1).</summary>
    /// <param name="holder">The holder.</param>
    public static Rejection HolderNotRecorded(Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.ImportHolderNotRecorded,
            "A1",
            $"Holder {holder.Key} was never recorded in the directory (or the user has no Apple ID of that kind), so no license can be granted or queued for it. Put its vpp.user.recorded.v1 or vpp.device.recorded.v1 line before this one.");
    }

    /// <summary>A seat for a user who left the organization (rule R4).</summary>
    /// <param name="holder">The holder.</param>
    public static Rejection HolderLeftOrganization(Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.ImportHolderLeftOrganization,
            "R4",
            $"Holder {holder.Key} belongs to a user who left the organization, so no license can be granted or queued for it. Remove the line, or put it before the vpp.user.left_organization.v1 line.");
    }

    /// <summary>An imported line carries Apple's answer about a seat (docs/apple.md): Apple's answers are recorded live.</summary>
    /// <param name="pool">The pool.</param>
    public static Rejection AppleAnswerNotImportable(PoolId pool) => new(
        RejectionCodes.ImportAppleAnswerNotSupported,
        "S2",
        $"The line records Apple's answer about a seat of pool {pool}; an import carries the ledger's own decisions, and Apple's answers are recorded live with RecordAppleEventResult. Remove the line, import the history, then record Apple's answers.");

    /// <summary>A line of a token's Apple stream (notifications, snapshots, reconciliation): recorded live, from Apple.</summary>
    /// <param name="token">The token.</param>
    public static Rejection AppleSideNotImportable(TokenId token) => new(
        RejectionCodes.ImportAppleAnswerNotSupported,
        "S2",
        $"The line records what Apple said of token {token} (a notification, a snapshot or a reconciliation finding); an import carries the ledger's own decisions. Remove the line, import the history, then read Apple again.");

    /// <summary>A reclaim of a license the holder does not hold (rule S1: used counts the seats held).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="holder">The holder.</param>
    public static Rejection SeatNotHeld(PoolId pool, Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.ImportSeatNotHeld,
            "S1",
            $"Holder {holder.Key} holds no license of pool {pool}, so none can be reclaimed; the used count would no longer match the licenses held. Remove the line, or put its grant before it.");
    }

    /// <summary>A queue position other than the next one of the pool (rule A6: positions increase one by one, first in first out).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="position">The position in the line.</param>
    /// <param name="expected">The next position of the pool.</param>
    public static Rejection QueuePositionNotNext(PoolId pool, long position, long expected) => new(
        RejectionCodes.ImportQueuePositionNotNext,
        "A6",
        string.Create(CultureInfo.InvariantCulture, $"Queue position {position} in pool {pool} is not the next one: the pool's next position is {expected}. Number the pool's queued holders one after another from {expected}, in the order they were queued."));

    /// <summary>A holder queued while a license of the pool was free (rule A6: the queue holds only those who found none).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="availableCount">Licenses free at that moment.</param>
    public static Rejection QueuedWhileLicenseFree(PoolId pool, int availableCount) => new(
        RejectionCodes.ImportQueuedWhileLicenseFree,
        "A6",
        string.Create(CultureInfo.InvariantCulture, $"A holder was queued in pool {pool} while {availableCount} license(s) were free; a holder waits only when no license is free. Grant it instead (vpp.pool.license_granted.v1, reason Targeted)."));

    /// <summary>A drift record whose ledger count is not the pool's used count, or whose Apple count is negative (rule S2).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="recordedUsedCount">The ledger count the line records.</param>
    /// <param name="usedCount">The pool's used count at that line.</param>
    /// <param name="appleAssignedCount">Apple's count the line records.</param>
    public static Rejection DriftNotConsistent(PoolId pool, int recordedUsedCount, int usedCount, int appleAssignedCount) => new(
        RejectionCodes.ImportDriftNotConsistent,
        "S2",
        string.Create(CultureInfo.InvariantCulture, $"The drift of pool {pool} records the ledger's used count as {recordedUsedCount} and Apple's as {appleAssignedCount}, but the pool counts {usedCount} used there (and counts are never negative). Record the used count the pool had at that moment."));

    /// <summary>A pool orphaned while its token was not deleted (rule T10: only a token's deletion orphans its pools).</summary>
    /// <param name="pool">The pool.</param>
    public static Rejection OrphanedWithoutDeletion(PoolId pool) => new(
        RejectionCodes.ImportOrphanedWithoutDeletion,
        "T10",
        $"Pool {pool} is orphaned while token {pool.Token.Value} is not deleted; only a token's deletion orphans its pools. Put the token's vpp.token.deleted.v1 line first, or remove this line.");

    /// <summary>A token event of a token this tenant never uploaded, or an upload of a token that exists (rules T8, T10).</summary>
    /// <param name="token">The token.</param>
    public static Rejection TokenEventBeforeUpload(TokenId token) => new(
        RejectionCodes.ImportTokenEventBeforeUpload,
        "T8",
        $"Token {token.Value} has an event before it was uploaded in this tenant. Put its vpp.token.uploaded.v1 line first.");

    /// <summary>A token's duplicate mark names no live token of the same location, or is missing while one exists (rule T4).</summary>
    /// <param name="token">The token.</param>
    /// <param name="expected">A live token of the tenant with the same location, or null when there is none.</param>
    public static Rejection DuplicateMarkNotConsistent(TokenId token, TokenId? expected) => new(
        RejectionCodes.ImportDuplicateMarkNotConsistent,
        "T4",
        expected is { } other
            ? $"Token {token.Value} holds the same location as token {other.Value} of this tenant, but its DuplicateOf does not name a live token of that location. Set DuplicateOf to \"{other.Value}\"."
            : $"Token {token.Value} is marked a duplicate, but no live token of this tenant holds its location. Set DuplicateOf to null.");
}
