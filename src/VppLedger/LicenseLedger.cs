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
    /// table with its hash chain, for every tenant. Run it with no command in flight; when the task completes every
    /// projection equals what the live ones would hold.
    /// </summary>
    /// <param name="progress">Told as each projection is done, when given.</param>
    /// <param name="cancellationToken">Cancels between projections.</param>
    Task RebuildAsync(IProgress<Audit.RebuildProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Creates or updates the ledger's tables (the explicit schema step; safe to repeat).</summary>
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
    /// written in one transaction (I3), or, for an assignment to a group larger than one page, in one transaction per
    /// page, each atomic and resumed by retrying the same command id. Every value of the command is checked first
    /// (<see cref="InputRules.Check"/>): bad input is answered <c>InvalidInput</c>, never with an exception from the database. A command id seen before returns the first
    /// outcome, warnings included, and writes nothing; the same id with another payload is rejected (I4). On a concurrency conflict the
    /// command is decided again on fresh state. When the task completes with an applied outcome, its changes are durable.
    /// </summary>
    /// <param name="command">Any command of the ledger.</param>
    /// <param name="cancellationToken">Cancels before the commit; after it, the outcome stands.</param>
    /// <returns>Applied, unchanged or rejected, with the events written.</returns>
    Task<CommandOutcome> ExecuteAsync(ILedgerCommand command, CancellationToken cancellationToken = default);

    /// <summary>
    /// The tenant's Apple requests: every seat change the ledger decided, waiting to be told to Apple (docs/apple.md).
    /// A host that never talks to Apple can ignore it.
    /// </summary>
    IAppleOutbox AppleOutbox { get; }

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
