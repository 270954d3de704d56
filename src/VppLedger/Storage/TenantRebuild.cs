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

        var sealer = ledger.SealerFor(database);
        await TenantGate.SealTenantAsync(connection, schema, sealer, tenant, cancellationToken).ConfigureAwait(false);
        var verification = await RebuildInAsync(database, tenant, progress, cancellationToken).ConfigureAwait(false);
        await TenantGate.OpenAsync(connection, schema, tenant, Rebuilding, cancellationToken).ConfigureAwait(false);
        return verification;
    }

    /// <summary>Rebuilds the tenant's projections in <paramref name="database"/> (its writes there stopped, its log sealed) and verifies its chain there.</summary>
    public async Task<ChainVerification> RebuildInAsync(Marten.Storage.IMartenDatabase database, string tenant, IProgress<RebuildProgress>? progress, CancellationToken cancellationToken)
    {
        await AuditRebuild.RunTenantAsync(ledger.Store, database, ledger.Options, ledger.SealerFor(database), tenant, progress, cancellationToken).ConfigureAwait(false);
        return await new TenantAudit(ledger, tenant).VerifyChainInAsync(database, null, cancellationToken).ConfigureAwait(false);
    }
}
