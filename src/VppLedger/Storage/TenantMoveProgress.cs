namespace VppLedger;

/// <summary>The steps of a tenant's move to another database, in order (docs/scale-out.md).</summary>
public enum TenantMoveStep
{
    /// <summary>The tenant's writes are stopped in its database; commands sent now are refused with <c>TenantMoving</c> (retry them).</summary>
    StoppingWrites,

    /// <summary>The tenant's log is sealed into its chain.</summary>
    Sealing,

    /// <summary>The tenant's rows are copied to the target database (<see cref="TenantMoveProgress.RowsCopied"/> so far).</summary>
    Copying,

    /// <summary>The tenant's projections are rebuilt on the target from its copied log, and its chain checked over them.</summary>
    Rebuilding,

    /// <summary>The chain is verified on the target: the same head, every event hashing to its chain row.</summary>
    Verifying,

    /// <summary>The registry points the tenant at the target: the move's commit point.</summary>
    Switching,

    /// <summary>The old copy is removed from the source database.</summary>
    RemovingOldCopy,

    /// <summary>The move is over; the tenant is written and read on the target.</summary>
    Done,
}

/// <summary>Where a tenant's move stands.</summary>
/// <param name="Step">The step under way.</param>
/// <param name="RowsCopied">Rows copied to the target so far (events, streams, chain, idempotency records and the other rows a log cannot give back).</param>
public sealed record TenantMoveProgress(TenantMoveStep Step, long RowsCopied);
