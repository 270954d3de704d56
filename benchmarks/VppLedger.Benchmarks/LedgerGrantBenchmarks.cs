using BenchmarkDotNet.Attributes;
using NodaTime;
using VppLedger.Directory;
using VppLedger.Testing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Benchmarks;

/// <summary>
/// Granting one license through the ledger (permission check, idempotency lookup, pool write state, the named seat,
/// pure decide, one transaction) into a pool that already has 0, 1,000 or 100,000 holders. The target: the
/// 100,000-holder grant costs at most 1.2x the empty one (ARCHITECTURE.md "Scale"). Durable PostgreSQL (fsync on).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 12, invocationCount: 64)]
public class LedgerGrantBenchmarks
{
    private static readonly Actor Admin = new("bench", Permissions.All);
    private EmbeddedPostgres _postgres = null!;
    private ILicenseLedger _ledger = null!;
    private ITenantLedger _tenant = null!;
    private PoolId _pool;
    private int _next;

    [Params(0, 1_000, 100_000)]
    public int Holders { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _postgres = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = true });
        _ledger = LicenseLedger.Create(_postgres.ConnectionString, o => o.SchemaName = "bench_grant_" + Holders);
        await _ledger.ApplySchemaAsync();
        _tenant = _ledger.ForTenant(new TenantId("bench"));
        var token = new TokenId("tok");
        _pool = new PoolId(token, new AdamId("361309726"));
        await Run(new UploadTokenFile(
            token,
            VppTokenFile.Create("Bench Org", "bench-secret", SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(300)),
            LocationKey.FromAppleLocationId("bench-" + Holders),
            new AppleId("admin@bench.example", AppleIdKind.Managed),
            new TokenSettings("Bench", "US", TokenAccountType.Business, true),
            true,
            false,
            CommandId.New(),
            Admin));
        await Run(new ApplyAppleCounts(_pool, ProductKind.App, 1_000_000, 0, null, CommandId.New(), Admin));
        var holders = Smoke.Active ? Math.Min(Holders, 1_000) : Holders; // the smoke run keeps CI short

        // A direct grant passes the holder rules, so every holder is recorded in the directory first.
        var profile = new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);
        var recorded = Enumerable.Range(0, holders).Select(i => $"seed-{i}").Concat(Enumerable.Range(1, NewHolders).Select(i => $"new-{i}"));
        foreach (var chunk in recorded.Chunk(RecordDirectory.MaxEntriesPerCommand))
        {
            await Run(new RecordDirectory([], [.. chunk.Select(d => new DirectoryDevice(new DeviceId(d), new SerialNumber("SN-" + d), profile, null, null))], CommandId.New(), Admin));
        }

        for (var start = 0; start < holders; start += 5_000)
        {
            var batch = Enumerable.Range(start, Math.Min(5_000, holders - start)).Select(i => Holder.ForDevice(new DeviceId($"seed-{i}"))).ToList();
            await Run(new GrantLicenses(_pool, batch, CommandId.New(), Admin));
        }

        await VacuumAsync();
    }

    // Enough recorded new holders for BenchmarkDotNet's invocations; one beyond them is refused (HolderNotRecorded).
    private static int NewHolders => Smoke.Active ? 2_000 : 200_000;

    [Benchmark]
    public Task<CommandOutcome> GrantOneLicense() =>
        _tenant.ExecuteAsync(new GrantLicenses(_pool, [Holder.ForDevice(new DeviceId($"new-{Interlocked.Increment(ref _next)}"))], CommandId.New(), Admin));

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _ledger.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    private async Task Run(ILedgerCommand command)
    {
        var outcome = await _tenant.ExecuteAsync(command);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException(outcome.Rejection!.Message);
        }
    }

    private async Task VacuumAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("VACUUM ANALYZE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
