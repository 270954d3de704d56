using System.Globalization;
using VppLedger.Directory;

namespace VppLedger.Pools;

/// <summary>Why a pool command was refused. Codes are stable and listed in docs/errors.md.</summary>
internal static class PoolRejections
{
    /// <summary>The pool has never received Apple's counts, so its product kind and total are unknown (rule S2).</summary>
    public static Rejection PoolNotSynced(PoolId pool) => new(
        RejectionCodes.PoolNotSynced,
        "S2",
        $"Pool {pool} has no counts from Apple yet. Sync token {pool.Token} so Apple reports app {pool.AdamId}, then grant again.");

    /// <summary>Apple's counts cannot be right: negative, or more retired than purchased (rule S2).</summary>
    public static Rejection InvalidAppleCounts(PoolId pool, int purchasedCount, int retiredCount, int? assignedCount) => new(
        RejectionCodes.InvalidAppleCounts,
        "S2",
        string.Create(
            CultureInfo.InvariantCulture,
            $"Apple's counts for pool {pool} are not consistent (purchased {purchasedCount}, retired {retiredCount}, assigned {assignedCount?.ToString(CultureInfo.InvariantCulture) ?? "none"}): counts must be zero or more and retired at most purchased. Sync the token again; if it repeats, report it with this message."));

    /// <summary>The token was deleted: its licenses are orphaned and cannot be revoked any more (rule R7, T10).</summary>
    public static Rejection LicensesOrphanedTokenDeleted(PoolId pool) => new(
        RejectionCodes.LicensesOrphanedTokenDeleted,
        "R7",
        $"Token {pool.Token} was deleted, so the licenses of pool {pool} are orphaned and can no longer be revoked or reclaimed. Revoke licenses before deleting a token; to free these, upload the token again.");

    /// <summary>The token was deleted: the pool grants and syncs no more (rule T10).</summary>
    public static Rejection PoolOrphanedTokenDeleted(PoolId pool) => new(
        RejectionCodes.PoolOrphanedTokenDeleted,
        "T10",
        $"Token {pool.Token} was deleted, so pool {pool} takes no grant and no count any more. Upload the token again to use its licenses.");

    /// <summary>An iOS-family VPP app cannot be removed from the MDM (rule S3).</summary>
    public static Rejection VppAppCannotBeRemovedFromMdm(PoolId pool, Platform platform) => new(
        RejectionCodes.VppAppCannotBeRemovedFromMdm,
        "S3",
        $"App {pool.AdamId} ({platform}) is a VPP app of token {pool.Token}; an iOS VPP app cannot be removed from the MDM. Remove its assignments or revoke its licenses instead.");

    /// <summary>A migration names a holder that holds no user license in this pool (rule L8).</summary>
    public static Rejection UserLicenseNotHeld(PoolId pool, Holder from)
    {
        ArgumentNullException.ThrowIfNull(from);
        return new(
            RejectionCodes.UserLicenseNotHeld,
            "L8",
            $"Holder {from.Key} holds no license in pool {pool}, so there is nothing to migrate. Grant the device licenses directly instead.");
    }

    /// <summary>A migration to device licenses names no device, or names a user holder as a target (rule L8).</summary>
    public static Rejection MigrationNeedsDeviceHolders(PoolId pool) => new(
        RejectionCodes.MigrationNeedsDeviceHolders,
        "L8",
        $"A migration in pool {pool} must name one or more device holders (d.{{deviceId}}) to receive device licenses. Pass the user's devices as the targets.");

    /// <summary>Apple's answer names a holder as both completed and refused (docs/apple.md).</summary>
    public static Rejection AppleAnswerContradictsItself(PoolId pool, string appleEventId, Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.AppleAnswerContradictsItself,
            "S2",
            $"Apple's answer to event {appleEventId} for pool {pool} names holder {holder.Key} as both completed and failed. Read the event's status from Apple again and record it as Apple reports it.");
    }

    /// <summary>Apple's answer to a call is neither an event id nor an error, or both, or names no request (docs/apple.md).</summary>
    public static Rejection AppleCallAnswerNotOneOf(TokenId token) => new(
        RejectionCodes.AppleCallAnswerNotOneOf,
        "S2",
        $"The answer recorded for a call of token {token} must name the requests of the batch and be either Apple's event id or Apple's error, not both and not neither. Record AppleCallAnswer.Accepted(eventId) or AppleCallAnswer.Refused(number, message).");

    /// <summary>Apple was asked to take back a seat the ledger grants (docs/apple.md, reconciliation).</summary>
    public static Rejection SeatHeldByTheLedger(PoolId pool, Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new(
            RejectionCodes.SeatHeldByTheLedger,
            "S2",
            $"Holder {holder.Key} holds a seat of pool {pool} in the ledger, so Apple is right to hold it. Revoke the license (RevokeLicenses) to take it back.");
    }
}
