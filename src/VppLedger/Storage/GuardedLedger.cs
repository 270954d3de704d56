using System.Runtime.CompilerServices;
using NodaTime;
using VppLedger.Audit;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Reading;

namespace VppLedger.Storage;

/// <summary>
/// A tenant's queries with every infrastructure fault turned into <see cref="LedgerUnavailableException"/>, each
/// checked to have read the tenant's home database (<see cref="MartenLicenseLedger.ReadPlacedAsync"/>: a placement this
/// process remembers from before a move is forgotten and the read done again); commands are guarded by the
/// <see cref="CommandRunner"/>, which knows whether the commit was sent.
/// </summary>
internal sealed class GuardedTenantLedger(ITenantLedger inner, MartenLicenseLedger ledger) : ITenantLedger
{
    public TenantId Tenant => inner.Tenant;

    public ITenantAudit Audit => new GuardedTenantAudit(inner.Audit, ledger);

    public IAppleOutbox AppleOutbox => inner.AppleOutbox; // guards and places its own reads; its commands go through the runner

    public AppleSide.IAppleSide AppleSide => inner.AppleSide; // guards and places its own reads

    public Task<CommandOutcome> ExecuteAsync(ILedgerCommand command, CancellationToken cancellationToken = default) =>
        inner.ExecuteAsync(command, cancellationToken);

    public Task<CommandPreview> PreviewAsync(ILedgerCommand command, int maxListedEvents = 1000, CancellationToken cancellationToken = default) =>
        ledger.ReadTenantAsync(inner.Tenant.Value, "a command was previewed", () => inner.PreviewAsync(command, maxListedEvents, cancellationToken), cancellationToken); // a preview only reads

    public Task<IReadOnlyList<CommandOutcome>> ResumeAsync(CancellationToken cancellationToken = default) =>
        inner.ResumeAsync(cancellationToken); // its read and its commands guard themselves

    public Task<IReadOnlyList<Operations.OperationInProgress>> ListOperationsInProgressAsync(CancellationToken cancellationToken = default) =>
        Read("operations in progress were listed", () => inner.ListOperationsInProgressAsync(cancellationToken), cancellationToken);

    public Task<CommandOutcome> EvaluateAlertsAsync(Instant now, Alerts.AlertThresholds? thresholds = null, CancellationToken cancellationToken = default) =>
        inner.EvaluateAlertsAsync(now, thresholds, cancellationToken);

    public Task<IReadOnlyList<Alerts.AlertRaised>> ListAlertsAsync(CancellationToken cancellationToken = default) =>
        Read("alerts were listed", () => inner.ListAlertsAsync(cancellationToken), cancellationToken);

    public Feed.IChangeFeed ChangeFeed(string subscription) => inner.ChangeFeed(subscription);

    public Task<Insights.WasteReport> GetWasteReportAsync(Insights.WasteOptions? options = null, CancellationToken cancellationToken = default) =>
        Read("the waste report was read", () => inner.GetWasteReportAsync(options, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Insights.PoolForecast>> ForecastAsync(Duration? window = null, CancellationToken cancellationToken = default) =>
        Read("the forecast was read", () => inner.ForecastAsync(window, cancellationToken), cancellationToken);

    public Task<bool> ExistsAsync(CancellationToken cancellationToken = default) =>
        Read("the tenant was looked up", () => inner.ExistsAsync(cancellationToken), cancellationToken);

    public Task<PoolSummary?> GetPoolAsync(PoolId pool, CancellationToken cancellationToken = default) =>
        Read("a pool was read", () => inner.GetPoolAsync(pool, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<PoolSummary>> ListPoolsAsync(TokenId? token = null, CancellationToken cancellationToken = default) =>
        Read("pools were listed", () => inner.ListPoolsAsync(token, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<QueuedHolder>> GetQueueAsync(PoolId pool, int take = 100, CancellationToken cancellationToken = default) =>
        Read("a queue was read", () => inner.GetQueueAsync(pool, take, cancellationToken), cancellationToken);

    public Task<TokenSummary?> GetTokenAsync(TokenId token, CancellationToken cancellationToken = default) =>
        Read("a token was read", () => inner.GetTokenAsync(token, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<TokenSummary>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        Read("tokens were listed", () => inner.ListTokensAsync(cancellationToken), cancellationToken);

    public Task<HolderLicenses> GetUserLicensesAsync(UserId user, CancellationToken cancellationToken = default) =>
        Read("a user's licenses were read", () => inner.GetUserLicensesAsync(user, cancellationToken), cancellationToken);

    public Task<HolderLicenses> GetDeviceLicensesAsync(DeviceId device, CancellationToken cancellationToken = default) =>
        Read("a device's licenses were read", () => inner.GetDeviceLicensesAsync(device, cancellationToken), cancellationToken);

    public Task<OversubscriptionReport> GetOversubscriptionAsync(CancellationToken cancellationToken = default) =>
        Read("the oversubscription report was read", () => inner.GetOversubscriptionAsync(cancellationToken), cancellationToken);

    public Task<IReadOnlyList<AssignmentSummary>> ListAssignmentsAsync(AdamId app, CancellationToken cancellationToken = default) =>
        Read("assignments were listed", () => inner.ListAssignmentsAsync(app, cancellationToken), cancellationToken);

    public Task<EndUserPrompts?> GetPromptsAsync(DeviceId device, LicenseType licenseType, CancellationToken cancellationToken = default) =>
        Read("prompts were read", () => inner.GetPromptsAsync(device, licenseType, cancellationToken), cancellationToken);

    public Task<string?> RevealTokenSecretAsync(TokenId token, CancellationToken cancellationToken = default) =>
        Read("a token secret was read", () => inner.RevealTokenSecretAsync(token, cancellationToken), cancellationToken);

    private Task<T> Read<T>(string doing, Func<Task<T>> read, CancellationToken cancellationToken, [CallerMemberName] string query = "") =>
        LedgerDiagnostics.TraceQueryAsync(inner.Tenant.Value, query, () => InfrastructureFaults.ReadAsync(doing, () => ledger.ReadPlacedAsync(inner.Tenant.Value, read, cancellationToken), cancellationToken));
}

/// <summary>
/// A tenant's audit with every infrastructure fault turned into <see cref="LedgerUnavailableException"/>, each read
/// checked to have read the tenant's home database (as <see cref="GuardedTenantLedger"/>).
/// </summary>
internal sealed class GuardedTenantAudit(ITenantAudit inner, MartenLicenseLedger ledger) : ITenantAudit
{
    public TenantId Tenant => inner.Tenant;

    public IAsyncEnumerable<AuditEntry> HistoryAsync(AuditQuery? query = null, CancellationToken cancellationToken = default) =>
        Guard(Placed(() => inner.HistoryAsync(query, cancellationToken), cancellationToken), cancellationToken);

    // A stream is checked before it starts (it cannot be read again after rows were handed out).
    private async IAsyncEnumerable<AuditEntry> Placed(Func<IAsyncEnumerable<AuditEntry>> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await InfrastructureFaults.ReadAsync("the tenant's database was looked up", () => ledger.ReadPlacedAsync(inner.Tenant.Value, () => Task.FromResult(true), cancellationToken), cancellationToken).ConfigureAwait(false);
        await foreach (var entry in stream().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public async Task<AuditRange<PoolPosition>> PoolChangesAsync(PoolId pool, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        var range = await Read("a pool's changes were read", () => inner.PoolChangesAsync(pool, from, to, cancellationToken), cancellationToken).ConfigureAwait(false);
        return range with { Changes = Guard(range.Changes, cancellationToken) };
    }

    public async Task<AuditRange<HolderPosition>> HolderChangesAsync(Holder holder, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        var range = await Read("a holder's changes were read", () => inner.HolderChangesAsync(holder, from, to, cancellationToken), cancellationToken).ConfigureAwait(false);
        return range with { Changes = Guard(range.Changes, cancellationToken) };
    }

    private static async IAsyncEnumerable<AuditEntry> Guard(IAsyncEnumerable<AuditEntry> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = source.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await InfrastructureFaults.ReadAsync("the history was read", () => rows.MoveNextAsync().AsTask(), cancellationToken).ConfigureAwait(false))
            {
                yield return rows.Current;
            }
        }
        finally
        {
            await rows.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task<PoolPosition?> PoolAsOfAsync(PoolId pool, Instant asOf, CancellationToken cancellationToken = default) =>
        Read("a pool was read as of an instant", () => inner.PoolAsOfAsync(pool, asOf, cancellationToken), cancellationToken);

    public Task<TokenPosition?> TokenAsOfAsync(TokenId token, Instant asOf, CancellationToken cancellationToken = default) =>
        Read("a token was read as of an instant", () => inner.TokenAsOfAsync(token, asOf, cancellationToken), cancellationToken);

    public Task<HolderPosition> HolderAsOfAsync(Holder holder, Instant asOf, CancellationToken cancellationToken = default) =>
        Read("a holder was read as of an instant", () => inner.HolderAsOfAsync(holder, asOf, cancellationToken), cancellationToken);

    public Task<TenantPosition> TenantAsOfAsync(Instant asOf, CancellationToken cancellationToken = default) =>
        Read("the tenant was read as of an instant", () => inner.TenantAsOfAsync(asOf, cancellationToken), cancellationToken);

    public Task<LicenseExplanation> ExplainAsync(Holder holder, PoolId pool, Instant asOf, CancellationToken cancellationToken = default) =>
        Read("a license was explained", () => inner.ExplainAsync(holder, pool, asOf, cancellationToken), cancellationToken);

    public async Task<ImportResult> ImportAsync(Stream ndjson, Actor actor, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ImportAsync(ndjson, actor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (InfrastructureFaults.IsFault(e, cancellationToken))
        {
            // An import commits in its own transaction with import keys: importing the file again is always safe.
            throw InfrastructureFaults.Unavailable("history was imported", outcomeUnknown: true, e);
        }
    }

    public Task<ChainVerification> VerifyChainAsync(CancellationToken cancellationToken = default) =>
        Read("the chain was verified", () => inner.VerifyChainAsync(cancellationToken), cancellationToken);

    public Task<ChainVerification> VerifyChainAsync(ChainHead? recordedHead, CancellationToken cancellationToken = default) =>
        Read("the chain was verified", () => inner.VerifyChainAsync(recordedHead, cancellationToken), cancellationToken);

    public Task<SealStatus> SealAsync(CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync("the chain was sealed", () => inner.SealAsync(cancellationToken), cancellationToken, writes: true);

    public Task<SealStatus> WaitForSealAsync(CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync("the chain was sealed", () => inner.WaitForSealAsync(cancellationToken), cancellationToken, writes: true);

    public Task<SealStatus> SealStatusAsync(CancellationToken cancellationToken = default) =>
        Read("the seal status was read", () => inner.SealStatusAsync(cancellationToken), cancellationToken);

    public Task<long> ExportAsync(Stream output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default) =>
        Read("the audit was exported", () => inner.ExportAsync(output, format, from, to, cancellationToken), cancellationToken);

    public Task<long> ExportAsync(TextWriter output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default) =>
        Read("the audit was exported", () => inner.ExportAsync(output, format, from, to, cancellationToken), cancellationToken);

    private Task<T> Read<T>(string doing, Func<Task<T>> read, CancellationToken cancellationToken, [CallerMemberName] string query = "") =>
        LedgerDiagnostics.TraceQueryAsync(inner.Tenant.Value, query, () => InfrastructureFaults.ReadAsync(doing, () => ledger.ReadPlacedAsync(inner.Tenant.Value, read, cancellationToken), cancellationToken));
}
