using Marten.Storage;

namespace VppLedger.Storage;

/// <summary>The ledger's databases and placements, over whichever tenancy the store has (one database, static map, registry).</summary>
internal sealed class TenantDatabasesStore(MartenLicenseLedger ledger) : ITenantDatabases
{
    private TenantDatabaseOptions Options => ledger.Options.Databases;

    public IReadOnlyList<string> Names => Options.IsMultiple ? Options.Names : [TenantDatabaseOptions.Control];

    public Task PlaceTenantAsync(TenantId tenant, string database, CancellationToken cancellationToken = default)
    {
        var id = tenant.Value;
        if (!Names.Contains(database, StringComparer.Ordinal))
        {
            throw new UnknownDatabaseException(database, Names);
        }

        if (ledger.Tenancy is not LedgerTenancy { UsesRegistry: true } registry)
        {
            throw new InvalidOperationException(
                $"Tenant '{id}' cannot be placed at run time: the ledger has no registry of tenant databases. Call options.Databases.UseRegistry() (docs/scale-out.md), or place tenants in the static map with options.Databases.Place(...).");
        }

        if (Options.Placements.TryGetValue(id, out var mapped) && !string.Equals(mapped, database, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Tenant '{id}' is on database '{mapped}' in the static map, not '{database}': moving a tenant copies its log first (vppledger tenant move).");
        }

        return InfrastructureFaults.ReadAsync("a tenant was placed", async () =>
        {
            var placed = await registry.PlaceAsync(id, database, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(placed, database, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Tenant '{id}' is already on database '{placed}', not '{database}': moving a tenant copies its log first (vppledger tenant move).");
            }

            return true;
        }, cancellationToken, writes: true);
    }

    public Task MoveTenantAsync(TenantId tenant, string toDatabase, IProgress<TenantMoveProgress>? progress = null, CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync("a tenant was moved", async () =>
        {
            await new TenantMover(ledger).MoveAsync(tenant, toDatabase, progress, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken, writes: true);

    public Task<string?> FindTenantAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        var id = tenant.Value;
        return InfrastructureFaults.ReadAsync("a tenant's database was looked up", async () =>
        {
            if (!Options.IsMultiple)
            {
                return TenantDatabaseOptions.Control;
            }

            if (ledger.Tenancy is LedgerTenancy registry)
            {
                return await registry.FindAsync(id, cancellationToken).ConfigureAwait(false);
            }

            return Options.Placements.TryGetValue(id, out var database) ? database : null;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<TenantDatabase>> ListAsync(CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync<IReadOnlyList<TenantDatabase>>("the tenant databases were listed", async () =>
        {
            var placements = ledger.Tenancy is LedgerTenancy registry
                ? await registry.PlacementsAsync(cancellationToken).ConfigureAwait(false)
                : Options.Placements;
            var byDatabase = placements.ToLookup(p => p.Value, p => new TenantId(p.Key), StringComparer.Ordinal);
            return [.. Names.Select(name => new TenantDatabase(name, [.. byDatabase[name].OrderBy(t => t.Value, StringComparer.Ordinal)]))];
        }, cancellationToken);

    public async Task RebuildAsync(string database, IProgress<Audit.RebuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!Names.Contains(database, StringComparer.Ordinal))
        {
            throw new UnknownDatabaseException(database, Names);
        }

        await InfrastructureFaults.ReadAsync("a database's projections were rebuilt", async () =>
        {
            var target = (await ledger.AllDatabasesAsync(cancellationToken).ConfigureAwait(false)).Single(d => ledger.NameOf(d) == database);
            await AuditRebuild.RunAsync(ledger.Store, target, ledger.Options, ledger.SealerFor(target), progress, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken, writes: true).ConfigureAwait(false);
    }

    public Task<Audit.ChainVerification> RebuildTenantAsync(TenantId tenant, IProgress<Audit.RebuildProgress>? progress = null, CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync("a tenant's projections were rebuilt", () => new TenantRebuild(ledger).RunAsync(tenant.Value, progress, cancellationToken), cancellationToken, writes: true);
}
