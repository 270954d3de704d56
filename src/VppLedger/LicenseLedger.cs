using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Reading;

namespace VppLedger;

/// <summary>
/// The license book a host embeds. Thread-safe: one instance serves the whole process; every call opens its own
/// short session. Get one per tenant with <see cref="ForTenant"/>. Dispose it at shutdown, either way: disposing
/// stops the background sealer and closes the store it owns (a store of the host's stays open).
/// </summary>
public interface ILicenseLedger : IAsyncDisposable, IDisposable
{
    /// <summary>The ledger of one tenant (one MDM customer). Nothing done through it reads or changes another tenant (rule X2).</summary>
    /// <param name="tenant">The tenant, for example <c>new TenantId("contoso")</c>.</param>
    /// <exception cref="InvalidOperationException">The tenant id is <c>default</c>.</exception>
    ITenantLedger ForTenant(TenantId tenant);

    /// <summary>
    /// Rebuilds every projection from the log (rule I2): the write states, the seat and member rows, and the audit
    /// table with its hash chain, for every tenant, database after database (each from its own log). Run it with no command in flight; when the task completes every
    /// projection equals what the live ones would hold.
    /// </summary>
    /// <param name="progress">Told as each projection is done, when given.</param>
    /// <param name="cancellationToken">Cancels between projections.</param>
    Task RebuildAsync(IProgress<Audit.RebuildProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The databases the tenants live in, and the placement of new tenants at run time (docs/scale-out.md). With one
    /// database (nothing configured in <see cref="VppLedgerOptions.Databases"/>) it lists the control database alone.
    /// </summary>
    ITenantDatabases Databases { get; }

    /// <summary>Creates or updates the ledger's tables in every database (the explicit schema step; safe to repeat).</summary>
    /// <param name="cancellationToken">Cancels the step.</param>
    Task ApplySchemaAsync(CancellationToken cancellationToken = default);
}

/// <summary>The ledger of one tenant: commands and queries.</summary>
public interface ITenantLedger
{
    /// <summary>The tenant.</summary>
    TenantId Tenant { get; }

    /// <summary>The tenant's audit: history, as-of positions, explanations, imports, hash chain and exports (I1, I2, I5).</summary>
    Audit.ITenantAudit Audit { get; }

    /// <summary>
    /// Runs one command. Permissions are checked before anything is read (X1); the decision is pure; every event is
    /// written in one transaction (I3), or, for a large operation (an assignment, assignment change or removal of a group
    /// larger than one page, a revocation of every license of a pool or token, a token deletion that revokes), in one
    /// transaction per page, each atomic and resumed by retrying the same command id (or <see cref="ResumeAsync"/>). Every value of the command is checked first
    /// (<see cref="InputRules.Check"/>): bad input is answered <c>InvalidInput</c>, never with an exception from the database. A command id seen before returns the first
    /// outcome, warnings included, and writes nothing; the same id with another payload is rejected (I4). On a concurrency conflict the
    /// command is decided again on fresh state. When the task completes with an applied outcome, its changes are durable.
    /// </summary>
    /// <param name="command">Any command of the ledger.</param>
    /// <param name="cancellationToken">Cancels before the commit; after it, the outcome stands.</param>
    /// <returns>Applied, unchanged or rejected, with the events written.</returns>
    Task<CommandOutcome> ExecuteAsync(ILedgerCommand command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finishes every large operation of the tenant whose last page has not committed (a crash or a cancellation
    /// between pages): each is run again under its own command id, as the host would retry it, and resumes after its
    /// last committed page with no double effect (I4). A host calls it at start-up; retrying the command itself does the
    /// same for one operation. The actor is the one the operation was started by.
    /// </summary>
    /// <param name="cancellationToken">Cancels between pages; what committed stays, and a later call resumes it.</param>
    /// <returns>The outcome of each operation finished, in the order they were started.</returns>
    Task<IReadOnlyList<CommandOutcome>> ResumeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The large operations of the tenant in progress: started, not completed. Between two pages every rule holds
    /// (counts, queue order, idempotency); a reader sees the pages committed so far (docs/guarantees.md).
    /// </summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<Operations.OperationInProgress>> ListOperationsInProgressAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// What-if: decides <paramref name="command"/> on the current state exactly as <see cref="ExecuteAsync"/> would
    /// (input checks, permission X1, the same rules and deciders, an id already used answers its first outcome, I4) and
    /// writes nothing, not even the idempotency record: executing the same command afterwards, with nothing committed
    /// in between, writes the same events. A large fan-out is decided whole in memory (it is not split into
    /// transactions) and summarised per pool; the outcome lists at most <paramref name="maxListedEvents"/> events.
    /// </summary>
    /// <param name="command">Any command of the ledger.</param>
    /// <param name="maxListedEvents">How many of the events to list in the outcome; the per-pool summary counts all. Default 1,000.</param>
    /// <param name="cancellationToken">Cancels the preview.</param>
    /// <returns>The outcome it would have, the number of events it would write, and per pool what it would grant, queue, reclaim and orphan.</returns>
    Task<CommandPreview> PreviewAsync(ILedgerCommand command, int maxListedEvents = 1000, CancellationToken cancellationToken = default);

    /// <summary>
    /// Evaluates the tenant's alerts at <paramref name="now"/> (the host's scheduled call): a live token expiring within
    /// 30 (the policy's window, T2), 7 or 1 days, a live pool with fewer free licenses than a threshold (S1), a queue
    /// whose head waited longer than a duration (A6). Each crossing is recorded once as an <see cref="Alerts.AlertRaised"/>
    /// event and an <see cref="Alerts.AlertCleared"/> when it no longer holds, in the tenant's alert stream, in one
    /// transaction. Idempotent for the same instant and thresholds: a second call returns the first outcome
    /// (<see cref="CommandOutcome.IsReplay"/>) and writes nothing; a later call writes only what changed. Alerts change
    /// no license, so the call needs no actor.
    /// </summary>
    /// <param name="now">The instant of the evaluation; the events carry it as their business time.</param>
    /// <param name="thresholds">When alerts are raised; <see cref="Alerts.AlertThresholds.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    /// <returns>The alerts raised and cleared by this evaluation, as events.</returns>
    Task<CommandOutcome> EvaluateAlertsAsync(Instant now, Alerts.AlertThresholds? thresholds = null, CancellationToken cancellationToken = default);

    /// <summary>The alerts raised and not cleared yet, by key.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<Alerts.AlertRaised>> ListAlertsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The tenant's change feed under a durable subscription: every ledger event of the tenant in log order, at least
    /// once, with a checkpoint the host commits and resumes from after a crash (docs/change-feed.md).
    /// </summary>
    /// <param name="subscription">The subscription's name, 1 to 64 letters, digits, '.', '_' or '-' (for example <c>siem</c>).</param>
    /// <exception cref="ArgumentException">The name is empty, too long or has other characters.</exception>
    Feed.IChangeFeed ChangeFeed(string subscription);

    /// <summary>
    /// The idle and wasted licenses of the tenant now, per pool and kind: held by retired devices (R5), by users who
    /// left (R4), by holders no active assignment targets, in orphaned pools (T10), free licenses unused for the idle
    /// period (from history), and queues while another token's pool of the same app has free licenses (L10); with
    /// unit prices, in money. Reads one pass over the tenant's granted seats.
    /// </summary>
    /// <param name="options">Idle period and unit prices; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<Insights.WasteReport> GetWasteReportAsync(Insights.WasteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The run-out forecast of every live pool: at the net rate of grants minus reclaims over the trailing window
    /// (business time, from history), when its free licenses run out, and how many to buy to serve its queue
    /// (docs/forecast.md documents the method).
    /// </summary>
    /// <param name="window">The trailing window; 30 days when null.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<Insights.PoolForecast>> ForecastAsync(Duration? window = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The tenant's Apple requests: every seat change the ledger decided, waiting to be told to Apple (docs/apple.md).
    /// A host that never talks to Apple can ignore it.
    /// </summary>
    IAppleOutbox AppleOutbox { get; }

    /// <summary>
    /// Apple's side of the tenant's tokens: reconciliation findings and their plan, client config, walks of Apple's
    /// assignments, Apple's user states (docs/apple.md). Its commands go through <see cref="ExecuteAsync"/>.
    /// </summary>
    AppleSide.IAppleSide AppleSide { get; }

    /// <summary>True when the tenant has recorded anything.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<bool> ExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>One pool's counts (S1), queue length (A6), over-allocation (S4) and drift (S2); null when unknown.</summary>
    /// <param name="pool">The token and app.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<PoolSummary?> GetPoolAsync(PoolId pool, CancellationToken cancellationToken = default);

    /// <summary>Every pool of the tenant, or of one token, ordered by token and app.</summary>
    /// <param name="token">Only this token's pools, when given.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<PoolSummary>> ListPoolsAsync(TokenId? token = null, CancellationToken cancellationToken = default);

    /// <summary>The head of a pool's waiting queue, first in first out (A6).</summary>
    /// <param name="pool">The token and app.</param>
    /// <param name="take">How many entries, at most.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<QueuedHolder>> GetQueueAsync(PoolId pool, int take = 100, CancellationToken cancellationToken = default);

    /// <summary>One token's state (T2, T3, T4, T10) and last sync (T6), never its secret; null when unknown.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<TokenSummary?> GetTokenAsync(TokenId token, CancellationToken cancellationToken = default);

    /// <summary>Every token of the tenant, deleted ones included, ordered by id.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<TokenSummary>> ListTokensAsync(CancellationToken cancellationToken = default);

    /// <summary>A user's licenses and queue places, with the devices each user license covers (L3, L4).</summary>
    /// <param name="user">The user.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<HolderLicenses> GetUserLicensesAsync(UserId user, CancellationToken cancellationToken = default);

    /// <summary>A device's device licenses and queue places.</summary>
    /// <param name="device">The device.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<HolderLicenses> GetDeviceLicensesAsync(DeviceId device, CancellationToken cancellationToken = default);

    /// <summary>The pools with queued demand (A6) and the over-allocated ones (S4).</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<OversubscriptionReport> GetOversubscriptionAsync(CancellationToken cancellationToken = default);

    /// <summary>The active assignments of an app, under every token (L10: one per token and group).</summary>
    /// <param name="app">The app's adamId.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<AssignmentSummary>> ListAssignmentsAsync(AdamId app, CancellationToken cancellationToken = default);

    /// <summary>What the end user of a device sees for an app (P1-P8), given the license type it is assigned with.</summary>
    /// <param name="device">The device.</param>
    /// <param name="licenseType">The license type of the assignment.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The prompts, or null when the device is unknown.</returns>
    Task<EndUserPrompts?> GetPromptsAsync(DeviceId device, LicenseType licenseType, CancellationToken cancellationToken = default);

    /// <summary>The token's secret, for the host's own calls to Apple (T12). Null when unknown or erased.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<string?> RevealTokenSecretAsync(TokenId token, CancellationToken cancellationToken = default);
}

/// <summary>Creates a ledger over a PostgreSQL database.</summary>
public static class LicenseLedger
{
    /// <summary>
    /// A ledger with a store of its own. Dispose it at shutdown. With <see cref="SchemaCreation.CreateOrUpdate"/> the
    /// tables are created on first use; with <see cref="SchemaCreation.None"/> call <see cref="ILicenseLedger.ApplySchemaAsync"/>
    /// (or <c>vppledger db apply</c>) at deployment.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Changes to the options.</param>
    /// <param name="clock">The clock that stamps business time on events; the system clock by default.</param>
    /// <param name="loggerFactory">Where the ledger and Marten log (retries, parts, rebuild progress, the sealer); none by default.</param>
    /// <exception cref="ArgumentException">The connection string is empty or malformed, or an option is out of range.</exception>
    public static ILicenseLedger Create(string connectionString, Action<VppLedgerOptions>? configure = null, IClock? clock = null, ILoggerFactory? loggerFactory = null)
    {
        var options = Configured(configure);
        return Create(Storage.MartenSetup.CreateStore(connectionString, options, loggerFactory), options, clock, loggerFactory);
    }

    /// <summary>
    /// A ledger with a store of its own over the host's <see cref="NpgsqlDataSource"/> (its pooling, credentials and
    /// logging). The data source stays the host's: dispose it after the ledger.
    /// </summary>
    /// <param name="dataSource">The host's data source.</param>
    /// <param name="configure">Changes to the options.</param>
    /// <param name="clock">The clock that stamps business time on events; the system clock by default.</param>
    /// <param name="loggerFactory">Where the ledger and Marten log; none by default.</param>
    public static ILicenseLedger Create(NpgsqlDataSource dataSource, Action<VppLedgerOptions>? configure = null, IClock? clock = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var options = Configured(configure);
        return Create(Storage.MartenSetup.CreateStore(dataSource, options, loggerFactory), options, clock, loggerFactory);
    }

    internal static ILicenseLedger Create(Marten.DocumentStore store, VppLedgerOptions options, IClock? clock, ILoggerFactory? loggerFactory) =>
        new Storage.MartenLicenseLedger(store, options, clock ?? SystemClock.Instance, ownsStore: true, loggerFactory);

    private static VppLedgerOptions Configured(Action<VppLedgerOptions>? configure)
    {
        var options = new VppLedgerOptions();
        configure?.Invoke(options);
        return options;
    }
}
