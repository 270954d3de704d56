using BenchmarkDotNet.Attributes;
using Marten;
using NodaTime;
using VppLedger.Storage;

namespace VppLedger.Benchmarks.Postgres;

/// <summary>
/// The design the ledger avoids, measured so the difference is a number: a grant that loads the pool's whole
/// holder set as one document, adds the holder, stores the document back (with optimistic concurrency, the naive
/// way to keep used &lt;= total, rule S4) and appends one event, in one <c>SaveChangesAsync</c>. It costs
/// O(pool size) per grant. Same store settings as the ledger (<see cref="MartenSetup.CreateStore"/>).
/// </summary>
/// <remarks>
/// Each timed invocation grants one new holder, so the pool grows by <see cref="InvocationsPerIteration"/> per
/// iteration at most; the iteration clean-up puts the pool back to <see cref="Holders"/>, so "pool of 0" stays a
/// pool of (nearly) 0.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
[InvocationCount(InvocationsPerIteration)]
public class NaiveMartenBenchmarks
{
    /// <summary>Invocations per iteration: few, since the 100,000-holder case takes a few hundred ms each.</summary>
    public const int InvocationsPerIteration = 8;

    private const string Tenant = "tenant-bench";
    private static readonly Instant At = Instant.FromUtc(2026, 3, 3, 10, 0);

    private BenchmarkDatabase _db = null!;
    private DocumentStore _store = null!;
    private string _poolId = "";
    private int _next;

    /// <summary>Holders in the pool before the grant.</summary>
    [Params(0, 1_000, 100_000)]
    public int Holders { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _db = await BenchmarkDatabase.OpenAsync("bench_naive");
        _store = MartenSetup.CreateStore(_db.ConnectionString, new VppLedgerOptions
        {
            SchemaName = _db.Schema,
            ConfigureMarten = o =>
            {
                o.Events.MapEventType<NaiveLicenseGranted>("bench.naive.granted.v1");
                o.Schema.For<NaivePool>().UseOptimisticConcurrency(true);
            },
        });
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        _poolId = $"pool:token-0042:{361309726 + Holders}";
        await ResetPoolAsync();
        await using (var session = _store.LightweightSession(Tenant))
        {
            session.Events.StartStream(_poolId, new NaiveLicenseGranted(_poolId, "u.setup.managed", At));
            await session.SaveChangesAsync();
        }

        await _db.VacuumAnalyzeAsync();
    }

    [IterationCleanup]
    public void PutThePoolBack() => ResetPoolAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _store.Dispose();
        await _db.DisposeAsync();
    }

    [Benchmark(Description = "Naive Marten grant: load holder set, store, append")]
    public async Task GrantOne()
    {
        var holder = $"u.new-{Interlocked.Increment(ref _next):D7}.managed";
        await using var session = _store.LightweightSession(Tenant);
        var pool = await session.LoadAsync<NaivePool>(_poolId)
            ?? throw new InvalidOperationException($"Pool {_poolId} is missing.");
        if (pool.Holders.Count >= pool.Total || pool.Holders.Contains(holder))
        {
            throw new InvalidOperationException("The naive pool is full or already holds the new holder: the set-up is wrong.");
        }

        pool.Holders.Add(holder);
        session.Store(pool);
        session.Events.Append(_poolId, new NaiveLicenseGranted(_poolId, holder, At));
        await session.SaveChangesAsync();
    }

    // Loads the pool (so the optimistic concurrency check sees its version) and drops the holders the timed
    // grants added; creates it on first use.
    private async Task ResetPoolAsync()
    {
        await using var session = _store.LightweightSession(Tenant);
        var pool = await session.LoadAsync<NaivePool>(_poolId);
        if (pool is null)
        {
            session.Insert(new NaivePool
            {
                Id = _poolId,
                Holders = [.. Enumerable.Range(0, Holders).Select(i => $"u.user-{i:D7}.managed")],
                Total = Holders + 1_000_000,
            });
        }
        else if (pool.Holders.Count > Holders)
        {
            pool.Holders.RemoveRange(Holders, pool.Holders.Count - Holders);
            session.Store(pool);
        }

        await session.SaveChangesAsync();
    }
}

/// <summary>A pool that keeps its whole holder set in one document: what the ledger must not do.</summary>
public sealed class NaivePool
{
    public string Id { get; set; } = "";

    public List<string> Holders { get; set; } = [];

    public int Total { get; set; }
}

/// <summary>
/// The naive grant's event. Not an <c>ILedgerEvent</c>: the ledger's audit projection skips it (it would look the
/// row's sequence up by stream version, which a Quick append without an expected version does not know), so the
/// naive grant writes no audit row and its figures flatter it a little.
/// </summary>
public sealed record NaiveLicenseGranted(string Pool, string Holder, Instant OccurredAt);
