using System.Collections.Concurrent;
using JasperFx.Descriptors;
using JasperFx.MultiTenancy;
using Marten;
using Marten.Storage;
using Npgsql;
using Weasel.Core.Migrations;

namespace VppLedger.Storage;

/// <summary>
/// Marten's tenancy of the ledger when tenants are placed at run time (a registry in the control database), or when
/// the host gives the control database as a data source: several tenants per database, conjoined inside each, every
/// database a <see cref="MartenDatabase"/> of Marten's own (its schema, sessions, cleaner and migrations are Marten's).
/// <para>
/// Why not Marten's master-table tenancy: it keeps one connection string per tenant and builds one database object per
/// tenant, so two tenants on one server would be two "databases" to Marten (two schema migrations, two sealers over the
/// same log) and it has no default database. Why not Marten's sharded tenancy: it list-partitions every table by tenant,
/// and PostgreSQL refuses a unique index on a partitioned table that leaves out the partition key, which the
/// one-location-one-tenant claim (rule T4) is. docs/scale-out.md.
/// </para>
/// </summary>
internal sealed class LedgerTenancy : ITenancy, IAsyncDisposable
{
    /// <summary>The registry's table in the control database: tenant id to database name.</summary>
    public const string RegistryTable = "vpp_tenant_databases";

    private readonly Dictionary<string, MartenDatabase> _databases = new(StringComparer.Ordinal);
    private readonly List<NpgsqlDataSource> _ownedSources = [];
    private readonly NpgsqlDataSource _control;
    private readonly IReadOnlyDictionary<string, string> _static;
    private readonly ConcurrentDictionary<string, string> _registered = new(StringComparer.Ordinal);
    private readonly bool _registry;
    private readonly bool _ownsControl;
    private readonly bool _createRegistry;
    private readonly string _table;

    public LedgerTenancy(StoreOptions options, VppLedgerOptions ledger, NpgsqlDataSource control, bool ownsControl)
    {
        ArgumentNullException.ThrowIfNull(options);
        _control = control;
        _ownsControl = ownsControl;
        if (ownsControl)
        {
            _ownedSources.Add(control);
        }

        _databases[TenantDatabaseOptions.Control] = new MartenDatabase(options, control, TenantDatabaseOptions.Control);
        foreach (var (name, connectionString) in ledger.Databases.Added)
        {
            var source = NpgsqlDataSource.Create(MartenSetup.WithAutoPrepare(connectionString));
            _ownedSources.Add(source);
            _databases[name] = new MartenDatabase(options, source, name);
        }

        _static = ledger.Databases.Placements;
        _registry = ledger.Databases.UsesRegistry;
        _createRegistry = ledger.Schema == SchemaCreation.CreateOrUpdate;
        _table = $"{SchemaNames.Quote(ledger.SchemaName)}.{RegistryTable}";
        Default = new Tenant(JasperFx.StorageConstants.DefaultTenantId, _databases[TenantDatabaseOptions.Control]);
        Cleaner = new CompositeDocumentCleaner(this, options);
    }

    public Tenant Default { get; }

    public Marten.Schema.IDocumentCleaner Cleaner { get; }

    public DatabaseCardinality Cardinality => DatabaseCardinality.StaticMultiple;

    /// <summary>The databases by name, control first.</summary>
    public IReadOnlyDictionary<string, MartenDatabase> Databases => _databases;

    public bool UsesRegistry => _registry;

    public Tenant GetTenant(string tenantId) =>
        new(tenantId, _databases[Cached(tenantId) ?? LookUpAsync(tenantId, CancellationToken.None).AsTask().GetAwaiter().GetResult() ?? throw new UnknownTenantIdException(tenantId)]);

    public async ValueTask<Tenant> GetTenantAsync(string tenantId) =>
        new(tenantId, _databases[Cached(tenantId) ?? await LookUpAsync(tenantId, CancellationToken.None).ConfigureAwait(false) ?? throw new UnknownTenantIdException(tenantId)]);

    public async ValueTask<IMartenDatabase> FindOrCreateDatabase(string tenantIdOrDatabaseIdentifier) =>
        _databases.TryGetValue(tenantIdOrDatabaseIdentifier, out var named) ? named : (await GetTenantAsync(tenantIdOrDatabaseIdentifier).ConfigureAwait(false)).Database;

    public ValueTask<IMartenDatabase> FindDatabase(DatabaseId id) =>
        ValueTask.FromResult<IMartenDatabase>(_databases.Values.FirstOrDefault(d => d.Id == id)
            ?? throw new ArgumentOutOfRangeException(nameof(id), $"Database {id.Identity} is not one of the ledger's."));

    public async ValueTask<IMartenDatabase?> TryFindDatabase(string tenantIdOrDatabaseIdentifier)
    {
        if (_databases.TryGetValue(tenantIdOrDatabaseIdentifier, out var named))
        {
            return named;
        }

        var name = Cached(tenantIdOrDatabaseIdentifier) ?? await LookUpAsync(tenantIdOrDatabaseIdentifier, CancellationToken.None).ConfigureAwait(false);
        return name is null ? null : _databases[name];
    }

    // A session opened on one database may write rows of any tenant there: the rebuild of a database writes the rows of
    // every tenant whose events it holds, and a move writes a tenant's rows into its target before the registry
    // switches. Routing a tenant's own calls is GetTenant's, not this.
    public bool IsTenantStoredInCurrentDatabase(IMartenDatabase database, string tenantId) =>
        _databases.Values.Any(d => ReferenceEquals(d, database));

    public ValueTask<IReadOnlyList<IDatabase>> BuildDatabases() =>
        ValueTask.FromResult<IReadOnlyList<IDatabase>>([.. _databases.Values]);

    public ValueTask<DatabaseUsage> DescribeDatabasesAsync(CancellationToken token)
    {
        var descriptors = _databases.ToDictionary(d => d.Key, d => d.Value.Describe(), StringComparer.Ordinal);
        foreach (var (tenant, database) in _static.Concat(_registered).DistinctBy(p => p.Key))
        {
            descriptors[database].TenantIds.Add(tenant);
        }

        return ValueTask.FromResult(new DatabaseUsage { Cardinality = Cardinality, Databases = [.. descriptors.Values] });
    }

    /// <summary>The database name of a tenant, from the registry (which wins) or the static map; null when placed nowhere.</summary>
    public async ValueTask<string?> FindAsync(string tenantId, CancellationToken cancellationToken) =>
        _registered.TryGetValue(tenantId, out var known) ? known : await LookUpAsync(tenantId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Places a tenant in the registry. Returns the database it is on afterwards: <paramref name="database"/>, or the one
    /// it was already placed on (the caller refuses a difference).
    /// </summary>
    public async Task<string> PlaceAsync(string tenantId, string database, CancellationToken cancellationToken)
    {
        await EnsureRegistryAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _control.CreateCommand(
            $"insert into {_table} (tenant_id, database_name) values (@t, @d) on conflict (tenant_id) do nothing; " +
            $"select database_name from {_table} where tenant_id = @t");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("d", database);
        var placed = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        _registered[tenantId] = placed;
        return placed;
    }

    /// <summary>
    /// Points a placed tenant at another database in the registry (the last step of a move; the caller has copied its
    /// data there). Every ledger over the same control database reads the registry again when it forgets the tenant.
    /// </summary>
    public async Task SwitchAsync(string tenantId, string database, CancellationToken cancellationToken)
    {
        await EnsureRegistryAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _control.CreateCommand(
            $"insert into {_table} (tenant_id, database_name) values (@t, @d) on conflict (tenant_id) do update set database_name = excluded.database_name, placed_at = now()");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("d", database);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _registered[tenantId] = database;
    }

    /// <summary>
    /// True when <paramref name="database"/> is still the tenant's home: it has no gate row of the tenant (one indexed
    /// lookup), or it has one and the registry, read again, still names it. Otherwise the tenant's placement is replaced
    /// by the registry's (the next call goes there) and the answer is false.
    /// </summary>
    public async Task<bool> StillHomeAsync(string tenantId, IMartenDatabase database, string schema, CancellationToken cancellationToken)
    {
        await using (var connection = database.CreateConnection())
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (await TenantGate.StateAsync(connection, schema, tenantId, cancellationToken).ConfigureAwait(false) is null)
            {
                return true;
            }
        }

        Forget(tenantId);
        var home = await LookUpAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return home is not null && ReferenceEquals(_databases[home], database);
    }

    /// <summary>Drops what this process remembers of a tenant's placement: the next call reads the registry again.</summary>
    public void Forget(string tenantId) => _registered.TryRemove(tenantId, out _);

    /// <summary>Every placement: the static map, overridden by the registry.</summary>
    public async Task<IReadOnlyDictionary<string, string>> PlacementsAsync(CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, string>(_static, StringComparer.Ordinal);
        if (_registry)
        {
            await EnsureRegistryAsync(cancellationToken).ConfigureAwait(false);
            await using var command = _control.CreateCommand($"select tenant_id, database_name from {_table}");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                all[reader.GetString(0)] = reader.GetString(1);
            }
        }

        return all;
    }

    /// <summary>
    /// Creates the registry's table in the control database when it is missing (safe to repeat): always from the schema
    /// step (<paramref name="schemaStep"/>), on first use only with <see cref="SchemaCreation.CreateOrUpdate"/> (a
    /// production role need not have the right to create tables).
    /// </summary>
    public async Task EnsureRegistryAsync(CancellationToken cancellationToken, bool schemaStep = false)
    {
        if (!_registry || _registryReady || !(schemaStep || _createRegistry))
        {
            return;
        }

        await using var command = _control.CreateCommand(
            $"create schema if not exists {_table[.._table.LastIndexOf('.')]}; " +
            $"create table if not exists {_table} (tenant_id varchar({TenantId.MaxLength}) primary key, database_name varchar({TenantDatabaseOptions.MaxNameLength}) not null, placed_at timestamptz not null default now())");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _registryReady = true;
    }

    private volatile bool _registryReady;

    private string? Cached(string tenantId) => _registered.TryGetValue(tenantId, out var database) ? database : null;

    private async ValueTask<string?> LookUpAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (_registry)
        {
            await EnsureRegistryAsync(cancellationToken).ConfigureAwait(false);
            await using var command = _control.CreateCommand($"select database_name from {_table} where tenant_id = @t");
            command.Parameters.AddWithValue("t", tenantId);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string registered && _databases.ContainsKey(registered))
            {
                _registered[tenantId] = registered;
                return registered;
            }
        }

        if (!_static.TryGetValue(tenantId, out var placed))
        {
            return null; // not remembered: a placement made later, here or in another process, is found at the next call
        }

        _registered[tenantId] = placed; // the registry had no row: remembered like one, so the registry is read once per tenant
        return placed;
    }

    // The host's data source stays open: its database object is not disposed (that would dispose the source).
    private IEnumerable<MartenDatabase> OwnedDatabases => _databases.Where(d => _ownsControl || d.Key != TenantDatabaseOptions.Control).Select(d => d.Value);

    public void Dispose()
    {
        foreach (var database in OwnedDatabases)
        {
            database.Dispose();
        }

        foreach (var source in _ownedSources)
        {
            source.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in OwnedDatabases)
        {
            await database.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var source in _ownedSources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }
}
