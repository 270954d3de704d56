using System.Globalization;
using NodaTime;
using Npgsql;
using VppLedger.Directory;
using VppLedger.Testing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Benchmarks.Postgres;

/// <summary>
/// A ledger suite's tenant, driven through the public API only: a durable PostgreSQL (the configured one, else a
/// throwaway cluster), a ledger in the suite's own schema, a token, and helpers to build pools, users and groups.
/// Open it in <c>[GlobalSetup]</c>, dispose it in <c>[GlobalCleanup]</c>.
/// </summary>
internal sealed class LedgerTenant : IAsyncDisposable
{
    public static readonly Actor Admin = new("bench", Permissions.All);

    private readonly EmbeddedPostgres _server;
    private long _ids;

    private LedgerTenant(EmbeddedPostgres server, ILicenseLedger ledger, string schema)
    {
        _server = server;
        Ledger = ledger;
        Schema = schema;
        Tenant = ledger.ForTenant(new TenantId("bench"));
    }

    public ILicenseLedger Ledger { get; }

    public ITenantLedger Tenant { get; }

    public string Schema { get; }

    public string ConnectionString => _server.ConnectionString;

    public static TokenId Token { get; } = new("tok");

    /// <summary>Starts the server, creates the schema afresh and uploads <see cref="Token"/>.</summary>
    public static async Task<LedgerTenant> OpenAsync(string schema)
    {
        var server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = true, MaxPoolSize = 8 });
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }

        var ledger = LicenseLedger.Create(server.ConnectionString, o => o.SchemaName = schema);
        await ledger.ApplySchemaAsync();
        var tenant = new LedgerTenant(server, ledger, schema);
        Console.WriteLine($"// VppLedger benchmarks: {server.Description}, schema {schema}");
        await tenant.RunAsync(new UploadTokenFile(
            Token,
            VppTokenFile.Create("Bench Org", "bench-secret", SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(300)),
            LocationKey.FromAppleLocationId("bench-" + schema),
            new AppleId("admin@bench.example", AppleIdKind.Managed),
            new TokenSettings("Bench", "US", TokenAccountType.Business, true),
            true,
            false,
            tenant.NextId(),
            Admin));
        return tenant;
    }

    public CommandId NextId() => new("bench-" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture));

    /// <summary>A pool of <see cref="Token"/> with room for <paramref name="purchased"/> licenses.</summary>
    public async Task<PoolId> PoolAsync(int adam, int purchased)
    {
        var pool = new PoolId(Token, new AdamId(adam.ToString(CultureInfo.InvariantCulture)));
        await RunAsync(new ApplyAppleCounts(pool, ProductKind.App, purchased, 0, null, NextId(), Admin));
        return pool;
    }

    /// <summary>Records users <c>{prefix}0..count-1</c> with managed Apple IDs, 5,000 a command.</summary>
    public async Task<IReadOnlyList<UserId>> UsersAsync(string prefix, int count)
    {
        var users = Enumerable.Range(0, count).Select(i => new UserId(prefix + i.ToString(CultureInfo.InvariantCulture))).ToList();
        foreach (var chunk in users.Chunk(RecordDirectory.MaxEntriesPerCommand))
        {
            await RunAsync(new RecordDirectory([.. chunk.Select(u => new DirectoryUser(u, null, new AppleId(u.Value + "@bench.example", AppleIdKind.Managed)))], [], NextId(), Admin));
        }

        return users;
    }

    /// <summary>
    /// Grants <paramref name="holders"/> in <paramref name="pool"/>, <paramref name="perCommand"/> a command. Device
    /// holders are recorded in the directory first (a direct grant passes the holder rules, issue 10 item 13).
    /// </summary>
    public async Task GrantAsync(PoolId pool, IEnumerable<Holder> holders, int perCommand = 5_000)
    {
        var all = holders.ToList();
        await DevicesAsync(all.Where(h => h.Type == LicenseType.Device).Select(h => h.Device!.Value));
        foreach (var chunk in all.Chunk(perCommand))
        {
            await RunAsync(new GrantLicenses(pool, chunk, NextId(), Admin));
        }
    }

    /// <summary>Records corporate supervised iPads under these ids, as many a command as the ledger takes.</summary>
    public async Task DevicesAsync(IEnumerable<DeviceId> devices)
    {
        var profile = new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);
        foreach (var chunk in devices.Chunk(RecordDirectory.MaxEntriesPerCommand))
        {
            await RunAsync(new RecordDirectory([], [.. chunk.Select(d => new DirectoryDevice(d, new SerialNumber("SN-" + d.Value), profile, null, null))], NextId(), Admin));
        }
    }

    public async Task<CommandOutcome> RunAsync(ILedgerCommand command)
    {
        var outcome = await Tenant.ExecuteAsync(command);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"{command.GetType().Name} was rejected: {outcome.Rejection}");
        }

        return outcome;
    }

    /// <summary>VACUUM ANALYZE after a bulk load (notes/marten-9.md: autovacuum would start in the timed iterations).</summary>
    public async Task VacuumAnalyzeAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        finally
        {
            await Ledger.DisposeAsync();
            await _server.DisposeAsync();
        }
    }
}
