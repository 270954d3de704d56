using System.Globalization;
using BenchmarkDotNet.Attributes;
using NodaTime;
using VppLedger.Audit;
using VppLedger.Benchmarks.Postgres;
using VppLedger.Benchmarks.Scale;
using VppLedger.Pools;

namespace VppLedger.Benchmarks;

/// <summary>
/// Reading a tenant whose log is one pool of 100,000 events (its counts and 99,999 grants) plus the token upload:
/// the pool's as-of position (<see cref="ITenantAudit.PoolAsOfAsync"/>), the whole-tenant in-memory fold streaming
/// the log (<see cref="ITenantAudit.TenantAsOfAsync"/>) and the audit export to a null stream, NDJSON and CSV.
/// Times are per event or row (<c>OperationsPerInvoke</c> = 100,000), so Op/s is events/s or rows/s.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class LedgerAuditBenchmarks
{
    internal const int PoolEvents = 100_000;
    private LedgerTenant _ledger = null!;
    private PoolId _pool;
    private Instant _asOf;

    [GlobalSetup]
    public async Task Setup() => (_ledger, _pool, _asOf) = await BuildAsync("bench_audit");

    [GlobalCleanup]
    public async Task Cleanup() => await _ledger.DisposeAsync();

    [Benchmark(OperationsPerInvoke = PoolEvents, Description = "Audit.PoolAsOfAsync, pool of 100,000 events")]
    public async Task<PoolPosition?> PoolAsOf() => await _ledger.Tenant.Audit.PoolAsOfAsync(_pool, _asOf) ?? throw new InvalidOperationException("No position.");

    [Benchmark(OperationsPerInvoke = PoolEvents, Description = "Audit.TenantAsOfAsync, whole-tenant fold")]
    public Task<TenantPosition> TenantFold() => _ledger.Tenant.Audit.TenantAsOfAsync(_asOf);

    [Benchmark(OperationsPerInvoke = PoolEvents, Description = "Audit.ExportAsync NDJSON to a null stream")]
    public Task<long> ExportNdjson() => _ledger.Tenant.Audit.ExportAsync(new CountingStream(), AuditExportFormat.Ndjson);

    [Benchmark(OperationsPerInvoke = PoolEvents, Description = "Audit.ExportAsync CSV to a null stream")]
    public Task<long> ExportCsv() => _ledger.Tenant.Audit.ExportAsync(new CountingStream(), AuditExportFormat.Csv);

    /// <summary>The tenant: one pool of <see cref="PoolEvents"/> events (fewer under the smoke run).</summary>
    internal static async Task<(LedgerTenant Ledger, PoolId Pool, Instant AsOf)> BuildAsync(string schema)
    {
        var ledger = await LedgerTenant.OpenAsync(schema);
        var pool = await ledger.PoolAsync(361309726, 1_000_000);
        var grants = (Smoke.Active ? 1_000 : PoolEvents) - 1;
        await ledger.GrantAsync(pool, Enumerable.Range(0, grants).Select(i => Holder.ForDevice(new DeviceId("d" + i.ToString(CultureInfo.InvariantCulture)))));
        await ledger.Tenant.Audit.WaitForSealAsync(); // the chain and the checkpoints of positions (issue 17) are cut
        await ledger.VacuumAnalyzeAsync();
        return (ledger, pool, SystemClock.Instance.GetCurrentInstant());
    }
}

/// <summary>
/// <see cref="ILicenseLedger.RebuildAsync"/> over the tenant of <see cref="LedgerAuditBenchmarks"/> (100,001 events):
/// one pass over the log for every projection, the chain and the checkpoints. Per event of the log.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class LedgerRebuildBenchmarks
{
    private LedgerTenant _ledger = null!;

    [GlobalSetup]
    public async Task Setup() => (_ledger, _, _) = await LedgerAuditBenchmarks.BuildAsync("bench_rebuild");

    [GlobalCleanup]
    public async Task Cleanup() => await _ledger.DisposeAsync();

    [Benchmark(OperationsPerInvoke = LedgerAuditBenchmarks.PoolEvents, Description = "ILicenseLedger.RebuildAsync, one pass")]
    public Task Rebuild() => _ledger.Ledger.RebuildAsync();
}
