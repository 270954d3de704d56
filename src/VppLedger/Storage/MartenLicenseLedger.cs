using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Reading;

namespace VppLedger.Storage;

/// <summary>The ledger over a Marten store (the store may be the host's own, configured with AddVppLedger).</summary>
internal sealed partial class MartenLicenseLedger : ILicenseLedger
{
    private readonly bool _ownsStore;
    private readonly SealLoop? _sealLoop;
    private readonly ILogger _logger;
    private int _disposed;

    public MartenLicenseLedger(DocumentStore store, VppLedgerOptions options, IClock clock, bool ownsStore, ILoggerFactory? loggers = null)
    {
        Store = store;
        Options = options;
        Clock = clock;
        _ownsStore = ownsStore;
        _logger = (ILogger?)loggers?.CreateLogger("VppLedger") ?? NullLogger.Instance;
        Runner = new CommandRunner(store, clock, options, loggers?.CreateLogger("VppLedger.Commands"));
        Checkpoints = new CheckpointStore(options.SchemaName);
        Databases = new TenantDatabasesStore(this);
        _sealLoop = options.SealInterval > TimeSpan.Zero ? new SealLoop(AllSealersAsync, options.SealInterval, options.SchemaName, loggers?.CreateLogger("VppLedger.Sealer")) : null;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Marten.Storage.IMartenDatabase, AuditSealer> _sealers = new(ReferenceEqualityComparer.Instance);

    /// <summary>The sealer of one database (the background loop and explicit seals of its tenants share it).</summary>
    public AuditSealer SealerFor(Marten.Storage.IMartenDatabase database) => _sealers.GetOrAdd(database, d => new AuditSealer(d, Options));

    /// <summary>The sealer of a tenant's database.</summary>
    /// <exception cref="TenantNotPlacedException">The tenant is placed on no database.</exception>
    public async Task<AuditSealer> SealerOfAsync(string tenantId, CancellationToken cancellationToken) =>
        SealerFor(await DatabaseOfAsync(tenantId, cancellationToken).ConfigureAwait(false));

    /// <summary>The checkpoints of positions (the same tables in every database).</summary>
    public CheckpointStore Checkpoints { get; }

    /// <summary>The event type names that belong to the chain (every ledger event).</summary>
    public static IReadOnlyList<string> LedgerTypes { get; } = [.. EventNames.All.Select(e => e.Name)];

    public ITenantDatabases Databases { get; }

    /// <summary>Marten's tenancy of the store: one database, the static map, or the ledger's registry.</summary>
    public Marten.Storage.ITenancy Tenancy => Store.Options.Tenancy;

    /// <summary>
    /// The database that holds a tenant (Marten's tenancy decides: the one database, the static map, the registry).
    /// Every raw connection of a tenant's call is opened on it; sessions opened for the tenant land on it by themselves.
    /// </summary>
    /// <exception cref="TenantNotPlacedException">The tenant is placed on no database.</exception>
    public async Task<Marten.Storage.IMartenDatabase> DatabaseOfAsync(string tenantId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return (await Tenancy.GetTenantAsync(tenantId).ConfigureAwait(false)).Database;
        }
        catch (JasperFx.MultiTenancy.UnknownTenantIdException)
        {
            throw new TenantNotPlacedException(new TenantId(tenantId));
        }
    }

    /// <summary>
    /// Runs a read of a tenant and makes sure it read the tenant's home (docs/scale-out.md "Other processes"): with the
    /// registry, a tenant's database is remembered by each process, and another process may have moved the tenant
    /// since. After the read, one indexed lookup of the tenant's gate row in the database read: no row, the read stands
    /// (a tenant's gate row is written before its move starts and stays after it). A row (a move under way or done, or
    /// a rebuild), the registry is read again: still this database, the read stands (before a move's switch the source
    /// is the tenant's only home); another one, the placement is replaced and the read done again there. Ledgers
    /// without the registry (one database, a static map) cannot move tenants and skip the check.
    /// </summary>
    public async Task<T> ReadPlacedAsync<T>(string tenantId, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        if (Tenancy is not LedgerTenancy { UsesRegistry: true } tenancy)
        {
            return await read().ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            var database = await DatabaseOfAsync(tenantId, cancellationToken).ConfigureAwait(false);
            var result = await read().ConfigureAwait(false);
            if (attempt == 3 || await tenancy.StillHomeAsync(tenantId, database, Options.SchemaName, cancellationToken).ConfigureAwait(false))
            {
                return result;
            }
        }
    }

    /// <summary>A read of a tenant with its infrastructure faults as <see cref="LedgerUnavailableException"/>, checked to have read the tenant's home (<see cref="ReadPlacedAsync"/>).</summary>
    public Task<T> ReadTenantAsync<T>(string tenantId, string doing, Func<Task<T>> read, CancellationToken cancellationToken) =>
        InfrastructureFaults.ReadAsync(doing, () => ReadPlacedAsync(tenantId, read, cancellationToken), cancellationToken);

    /// <summary>An open connection to a tenant's database.</summary>
    public async Task<Npgsql.NpgsqlConnection> OpenAsync(string tenantId, CancellationToken cancellationToken)
    {
        var connection = (await DatabaseOfAsync(tenantId, cancellationToken).ConfigureAwait(false)).CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Every database of the ledger, the control (default) one first.</summary>
    public async Task<IReadOnlyList<Marten.Storage.IMartenDatabase>> AllDatabasesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var all = await Store.Storage.AllDatabases().ConfigureAwait(false);
        return [.. all.OrderBy(d => NameOf(d) == TenantDatabaseOptions.Control ? 0 : 1).ThenBy(NameOf, StringComparer.Ordinal)];
    }

    /// <summary>
    /// A database's name in the ledger's options (<see cref="TenantDatabaseOptions.Control"/> for the one database
    /// when nothing is configured): Marten keeps the name it was registered under as its identifier.
    /// </summary>
    public string NameOf(Marten.Storage.IMartenDatabase database)
    {
        if (!Options.Databases.IsMultiple)
        {
            return TenantDatabaseOptions.Control;
        }
#pragma warning disable CS0618 // Marten's DatabaseId names the server, not the name the ledger registered the database under
        return database.Identifier;
#pragma warning restore CS0618
    }

    /// <summary>The sealer of every database.</summary>
    public async Task<IReadOnlyList<AuditSealer>> AllSealersAsync(CancellationToken cancellationToken) =>
        [.. (await AllDatabasesAsync(cancellationToken).ConfigureAwait(false)).Select(SealerFor)];

    public DocumentStore Store { get; }

    /// <summary>A query session of a tenant, on its database; a tenant placed nowhere is refused with <see cref="TenantNotPlacedException"/>.</summary>
    public IQuerySession QuerySession(string tenantId) => Placed(tenantId, () => Store.QuerySession(tenantId));

    /// <summary>A writing session of a tenant, on its database; a tenant placed nowhere is refused with <see cref="TenantNotPlacedException"/>.</summary>
    public IDocumentSession LightweightSession(string tenantId) => Placed(tenantId, () => Store.LightweightSession(tenantId));

    private static T Placed<T>(string tenantId, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (JasperFx.MultiTenancy.UnknownTenantIdException)
        {
            throw new TenantNotPlacedException(new TenantId(tenantId));
        }
    }

    public VppLedgerOptions Options { get; }

    public IClock Clock { get; }

    public CommandRunner Runner { get; }

    public ITenantLedger ForTenant(TenantId tenant) => new GuardedTenantLedger(new TenantLedger(this, tenant.Value), this);

    public Task ApplySchemaAsync(CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync("the schema was applied", async () =>
        {
            await ApplySchemaToEveryDatabaseAsync(Store, Options, cancellationToken, SealerFor).ConfigureAwait(false);
            return true;
        }, cancellationToken, writes: true);

    public Task RebuildAsync(IProgress<Audit.RebuildProgress>? progress = null, CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync("the projections were rebuilt", async () =>
        {
            RebuildStarted(_logger, Options.SchemaName);
            var logged = new RebuildLog(_logger, progress);
            foreach (var database in await AllDatabasesAsync(cancellationToken).ConfigureAwait(false))
            {
                await AuditRebuild.RunAsync(Store, database, Options, SealerFor(database), logged, cancellationToken).ConfigureAwait(false);
            }

            RebuildFinished(_logger, Options.SchemaName);
            return true;
        }, cancellationToken, writes: true);

    /// <summary>
    /// The schema step over every database of the store (each holds the whole schema), and the registry's table in the
    /// control database when the registry is used.
    /// </summary>
    public static async Task ApplySchemaToEveryDatabaseAsync(DocumentStore store, VppLedgerOptions options, CancellationToken cancellationToken, Func<Marten.Storage.IMartenDatabase, AuditSealer>? sealerFor = null)
    {
        foreach (var database in await store.Storage.AllDatabases().ConfigureAwait(false))
        {
            await database.ApplyAllConfiguredChangesToDatabaseAsync(JasperFx.AutoCreate.CreateOrUpdate).WaitAsync(cancellationToken).ConfigureAwait(false);
            await AuditSchema.DropLegacySealingAsync(database, options.SchemaName, cancellationToken).ConfigureAwait(false);
            await (sealerFor?.Invoke(database) ?? new AuditSealer(database, options)).DropLegacyCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        }

        if (store.Options.Tenancy is LedgerTenancy spread)
        {
            await SequenceRanges.SetAsync(spread, options.SchemaName, cancellationToken).ConfigureAwait(false);
        }

        if (store.Options.Tenancy is LedgerTenancy tenancy)
        {
            await tenancy.EnsureRegistryAsync(cancellationToken, schemaStep: true).ConfigureAwait(false);
        }

        await LocationGuard.For(store, options).CarryOverLegacyClaimsAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_sealLoop is not null)
        {
            await _sealLoop.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsStore)
        {
            Store.Dispose();
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Rebuilding every projection of schema {Schema} from the log")]
    private static partial void RebuildStarted(ILogger logger, string schema);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Rebuilt every projection of schema {Schema}; the chain is sealed through the end of the log")]
    private static partial void RebuildFinished(ILogger logger, string schema);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Rebuild: {Step} done ({Done} of {Total})")]
    private static partial void RebuildStep(ILogger logger, string step, int done, int total);

    /// <summary>Tells the host's progress and the log about each step of a rebuild.</summary>
    private sealed class RebuildLog(ILogger logger, IProgress<Audit.RebuildProgress>? inner) : IProgress<Audit.RebuildProgress>
    {
        public void Report(Audit.RebuildProgress value)
        {
            RebuildStep(logger, value.Projection, value.Done, value.Total);
            inner?.Report(value);
        }
    }
}

internal sealed class TenantLedger(MartenLicenseLedger ledger, string tenantId) : ITenantLedger
{
    private static readonly string[] LedgerEventNames = [.. EventNames.All.Select(e => e.Name)];

    public TenantId Tenant { get; } = new(tenantId);

    private string TenantId { get; } = tenantId;

    public Audit.ITenantAudit Audit => new TenantAudit(ledger, TenantId);

    public IAppleOutbox AppleOutbox => new AppleOutboxStore(ledger, this);

    public AppleSide.IAppleSide AppleSide => new AppleSideStore(ledger, TenantId);

    public Task<CommandOutcome> ExecuteAsync(ILedgerCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ledger.Runner.RunAsync(
            TenantId,
            command,
            LedgerHandlers.PermissionFor(command),
            context => new LedgerHandlers(context, cancellationToken).HandleAsync(command),
            cancellationToken);
    }

    public async Task<IReadOnlyList<CommandOutcome>> ResumeAsync(CancellationToken cancellationToken = default)
    {
        var outcomes = new List<CommandOutcome>();
        var docs = await InfrastructureFaults.ReadAsync("operations in progress were listed", () => OperationDocsAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var doc in docs)
        {
            outcomes.Add(await ExecuteAsync(OperationRecords.CommandOf(doc), cancellationToken).ConfigureAwait(false));
        }

        return outcomes;
    }

    public async Task<IReadOnlyList<Operations.OperationInProgress>> ListOperationsInProgressAsync(CancellationToken cancellationToken = default) =>
        [.. (await OperationDocsAsync(cancellationToken).ConfigureAwait(false))
            .Select(d => new Operations.OperationInProgress(new CommandId(d.Id), d.CommandType, d.StartedAt, d.PagesCommitted, d.LastPageAt))];

    private async Task<IReadOnlyList<OperationDoc>> OperationDocsAsync(CancellationToken cancellationToken)
    {
        await using var session = Query();
        var docs = await session.Query<OperationDoc>().ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. docs.OrderBy(d => d.StartedAt).ThenBy(d => d.Id, StringComparer.Ordinal)];
    }

    public Task<CommandPreview> PreviewAsync(ILedgerCommand command, int maxListedEvents = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ledger.Runner.PreviewAsync(
            TenantId,
            command,
            LedgerHandlers.PermissionFor(command),
            context => new LedgerHandlers(context, cancellationToken).HandleAsync(command),
            maxListedEvents,
            cancellationToken);
    }

    public Task<CommandOutcome> EvaluateAlertsAsync(Instant now, Alerts.AlertThresholds? thresholds = null, CancellationToken cancellationToken = default)
    {
        InputRules.ThrowIfOutOfRange(now, nameof(now));
        var command = Alerts.AlertCommands.Evaluate(now, thresholds ?? Alerts.AlertThresholds.Default);
        return ExecuteAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Alerts.AlertRaised>> ListAlertsAsync(CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var (_, book) = await AlertStream.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        return [.. book.Active.Values];
    }

    public Feed.IChangeFeed ChangeFeed(string subscription) => new MartenChangeFeed(ledger, TenantId, MartenChangeFeed.CheckName(subscription));

    public Task<Insights.WasteReport> GetWasteReportAsync(Insights.WasteOptions? options = null, CancellationToken cancellationToken = default) =>
        WasteStore.ComputeAsync(ledger, TenantId, options ?? new Insights.WasteOptions(), ledger.Clock.GetCurrentInstant(), cancellationToken);

    public Task<IReadOnlyList<Insights.PoolForecast>> ForecastAsync(Duration? window = null, CancellationToken cancellationToken = default) =>
        ForecastStore.ComputeAsync(ledger, TenantId, window ?? Duration.FromDays(30), ledger.Clock.GetCurrentInstant(), cancellationToken);

    public async Task<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        // Only the ledger's own events count. Marten writes "tombstone" rows for the events of a failed or conflicting
        // SaveChanges (with no option to turn them off in Marten 9), under the session's tenant: a tenant whose only
        // command failed must not exist (docs/guarantees.md).
        await using var session = Query();
        return await session.Events.QueryAllRawEvents().Where(e => LedgerEventNames.Contains(e.EventTypeName)).AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<PoolSummary?> GetPoolAsync(PoolId pool, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var doc = await session.LoadAsync<PoolDoc>(Streams.Pool(pool), cancellationToken).ConfigureAwait(false);
        return doc is null ? null : PoolSummary.From(doc.State);
    }

    public async Task<IReadOnlyList<PoolSummary>> ListPoolsAsync(TokenId? token = null, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var query = session.Query<PoolDoc>().AsQueryable();
        if (token is { } t)
        {
            var key = t.Value;
            query = query.Where(p => p.TokenKey == key);
        }

        var docs = await query.OrderBy(p => p.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. docs.Select(d => PoolSummary.From(d.State))];
    }

    public async Task<IReadOnlyList<QueuedHolder>> GetQueueAsync(PoolId pool, int take = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        await using var session = Query();
        var poolKey = Streams.Pool(pool);
        var seats = await session.Query<SeatDoc>()
            .Where(s => s.PoolKey == poolKey && s.Status == SeatStatus.Queued)
            .OrderBy(s => s.QueuePosition)
            .Take(take)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. seats.Select(s => new QueuedHolder(Holder.FromKey(s.HolderKey), s.QueuePosition))];
    }

    public async Task<TokenSummary?> GetTokenAsync(TokenId token, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var doc = await session.LoadAsync<TokenDoc>(Streams.Token(token), cancellationToken).ConfigureAwait(false);
        return doc?.State.Id is null ? null : TokenSummary.From(doc.State, ledger.Clock.GetCurrentInstant(), ledger.Options.Policy);
    }

    public async Task<IReadOnlyList<TokenSummary>> ListTokensAsync(CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var docs = await session.Query<TokenDoc>().OrderBy(t => t.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = ledger.Clock.GetCurrentInstant();
        return [.. docs.Where(d => d.State.Id is not null).Select(d => TokenSummary.From(d.State, now, ledger.Options.Policy))];
    }

    public async Task<HolderLicenses> GetUserLicensesAsync(UserId user, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var owner = user.Value;
        var seats = await session.Query<SeatDoc>()
            .Where(s => s.OwnerId == owner && s.Type == LicenseType.User)
            .OrderBy(s => s.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var devices = await session.Query<DeviceDoc>().Where(d => d.UserKey == owner).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new HolderLicenses(owner, [.. seats.Select(s =>
        {
            var holder = Holder.FromKey(s.HolderKey);
            var signedIn = devices
                .Where(d => d.State.SignedInAppleIdKind == holder.AppleIdKind && d.SignedInSince is not null && !d.State.RemovedFromManagement)
                .Select(d => new SignedInDevice(d.State.Id!.Value, d.SignedInSince!.Value));
            return new HeldLicense(LedgerHandlers.PoolOf(s.PoolKey), holder, s.Status, s.QueuePosition, s.Since, UserLicenseCoverage.Cover(signedIn), s.Apple);
        })]);
    }

    public async Task<HolderLicenses> GetDeviceLicensesAsync(DeviceId device, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var owner = device.Value;
        var seats = await session.Query<SeatDoc>()
            .Where(s => s.OwnerId == owner && s.Type == LicenseType.Device)
            .OrderBy(s => s.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new HolderLicenses(owner, [.. seats.Select(s =>
            new HeldLicense(LedgerHandlers.PoolOf(s.PoolKey), Holder.FromKey(s.HolderKey), s.Status, s.QueuePosition, s.Since, [], s.Apple))]);
    }

    public async Task<OversubscriptionReport> GetOversubscriptionAsync(CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var docs = await session.Query<PoolDoc>().Where(p => p.Queued || p.OverAllocated).ToListAsync(cancellationToken).ConfigureAwait(false);
        var pools = docs.Select(d => PoolSummary.From(d.State)).ToList();
        return new OversubscriptionReport(
            [.. pools.Where(p => p.QueuedCount > 0).OrderByDescending(p => p.QueuedCount).ThenBy(p => p.Pool.ToString(), StringComparer.Ordinal)],
            [.. pools.Where(p => p.OverAllocated).OrderBy(p => p.Pool.ToString(), StringComparer.Ordinal)]);
    }

    public async Task<IReadOnlyList<AssignmentSummary>> ListAssignmentsAsync(AdamId app, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var adam = app.Value;
        var docs = await session.Query<AssignmentDoc>().Where(a => a.AdamKey == adam && a.State.Active).OrderBy(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. docs.Select(d => AssignmentSummary.From(d.State))];
    }

    public async Task<EndUserPrompts?> GetPromptsAsync(DeviceId device, LicenseType licenseType, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var doc = await session.LoadAsync<DeviceDoc>(Streams.Device(device), cancellationToken).ConfigureAwait(false);
        return doc?.State.Profile is { } profile ? EndUserPrompts.For(profile, licenseType) : null;
    }

    public async Task<string?> RevealTokenSecretAsync(TokenId token, CancellationToken cancellationToken = default)
    {
        await using var session = Query();
        var doc = await session.LoadAsync<TokenSecretDoc>(token.Value, cancellationToken).ConfigureAwait(false);
        return doc?.Secret;
    }

    private IQuerySession Query() => ledger.QuerySession(TenantId);
}
