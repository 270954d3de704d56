using System.Globalization;
using BenchmarkDotNet.Attributes;
using VppLedger.Benchmarks.Postgres;
using VppLedger.Pools;

namespace VppLedger.Benchmarks;

/// <summary>
/// Granting 1,000 new holders in one <c>GrantLicenses</c> command through <see cref="ITenantLedger.ExecuteAsync"/>:
/// one transaction of 1,000 events, 1,000 seat rows, 1,000 audit rows and the pool's write state. Times are per
/// holder (<c>OperationsPerInvoke</c>), so Op/s compares with the raw baseline's rows/s. Target: at least 0.5x the
/// raw batched INSERT rate (<see cref="RawBaselineBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 4)]
public class LedgerBatchGrantBenchmarks
{
    private const int HoldersPerCommand = 1_000;
    private LedgerTenant _ledger = null!;
    private PoolId _pool;
    private int _batch;

    [GlobalSetup]
    public async Task Setup()
    {
        _ledger = await LedgerTenant.OpenAsync("bench_batch");
        _pool = await _ledger.PoolAsync(361309726, 10_000_000);

        // A direct grant passes the holder rules, so the holders of every batch are recorded up front.
        await _ledger.DevicesAsync(Enumerable.Range(1, RecordedBatches).SelectMany(b => Enumerable.Range(0, HoldersPerCommand).Select(i => DeviceIn(b, i))));
        await _ledger.VacuumAnalyzeAsync();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _ledger.DisposeAsync();

    // Enough recorded batches for BenchmarkDotNet's invocations; a batch beyond them is refused (HolderNotRecorded).
    private static int RecordedBatches => Smoke.Active ? 20 : 400;

    private static DeviceId DeviceIn(int batch, int i) => new(string.Create(CultureInfo.InvariantCulture, $"b{batch}-{i}"));

    [Benchmark(OperationsPerInvoke = HoldersPerCommand, Description = "Ledger GrantLicenses, 1,000 new holders in one command")]
    public Task<CommandOutcome> GrantThousand()
    {
        var batch = Interlocked.Increment(ref _batch);
        var holders = new Holder[HoldersPerCommand];
        for (var i = 0; i < holders.Length; i++)
        {
            holders[i] = Holder.ForDevice(DeviceIn(batch, i));
        }

        return _ledger.RunAsync(new GrantLicenses(_pool, holders, _ledger.NextId(), LedgerTenant.Admin));
    }
}
