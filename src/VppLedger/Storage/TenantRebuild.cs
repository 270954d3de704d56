using VppLedger.Audit;

namespace VppLedger.Storage;

/// <summary>
/// Rebuilds one tenant's projections from its log (docs/scale-out.md "Rebuilding one tenant"): stops the tenant's
/// writes in its database with the move's gate (state <c>rebuilding</c>; commands are refused meanwhile with the
/// retryable <c>TenantMoving</c>), seals its log, deletes and rebuilds its projection rows and checkpoints
/// (<see cref="AuditRebuild.RunTenantAsync"/>), checks its chain against the rebuilt audit rows, then opens its writes
/// again. The other tenants of the database keep working throughout. A move rebuilds the tenant on its target the same way.
/// </summary>
internal sealed class TenantRebuild(MartenLicenseLedger ledger)
{
    /// <summary>The gate state of a tenant whose projections are being rebuilt.</summary>
    public const string Rebuilding = "rebuilding";

    public async Task<ChainVerification> RunAsync(string tenant, IProgress<RebuildProgress>? progress, CancellationToken cancellationToken)
    {
        var schema = ledger.Options.SchemaName;
        var database = await ledger.DatabaseOfAsync(tenant, cancellationToken).ConfigureAwait(false);
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (await TenantGate.CloseUnlessClosedAsync(connection, schema, tenant, Rebuilding, cancellationToken).ConfigureAwait(false) is var state && state != Rebuilding)
        {
            throw new InvalidOperationException(
                $"Tenant '{tenant}' cannot be rebuilt now: its writes are stopped in its database by a move ({state}). Finish the move first (run it again), then rebuild the tenant where it lives.");
        }

        var verification = await RebuildInAsync(database, tenant, progress, cancellationToken).ConfigureAwait(false);
        await TenantGate.OpenAsync(connection, schema, tenant, Rebuilding, cancellationToken).ConfigureAwait(false);
        return verification;
    }

    /// <summary>
    /// Rebuilds the tenant's projections in <paramref name="database"/> (its writes there stopped) and verifies its chain
    /// there. Seals the database through the tenant's last event first: every event of the tenant then has its chain
    /// row (the sealer never needs the audit rows the rebuild deletes), and its checkpoints are rebuilt from all of them
    /// (on a move's target the copied events may lie above the target's watermark until then).
    /// </summary>
    public async Task<ChainVerification> RebuildInAsync(Marten.Storage.IMartenDatabase database, string tenant, IProgress<RebuildProgress>? progress, CancellationToken cancellationToken)
    {
        await using (var connection = database.CreateConnection())
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await TenantGate.SealTenantAsync(connection, ledger.Options.SchemaName, ledger.SealerFor(database), tenant, cancellationToken).ConfigureAwait(false);
        }

        await AuditRebuild.RunTenantAsync(ledger.Store, database, ledger.Options, ledger.SealerFor(database), tenant, progress, cancellationToken).ConfigureAwait(false);
        return await new TenantAudit(ledger, tenant).VerifyChainInAsync(database, null, cancellationToken).ConfigureAwait(false);
    }
}
