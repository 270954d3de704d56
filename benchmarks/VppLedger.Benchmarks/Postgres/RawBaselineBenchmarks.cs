using BenchmarkDotNet.Attributes;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using VppLedger.Pools;
using VppLedger.Storage;

namespace VppLedger.Benchmarks.Postgres;

/// <summary>
/// The ceiling of this machine for rows shaped like the ledger's events, with no Marten in the way: an
/// <c>mt_events</c>-like table with its unique (tenant, stream, version) key, 1,000 rows per transaction, one
/// new event on each of 1,000 streams. Times are per row (<c>OperationsPerInvoke</c>); Op/s is rows per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class RawBaselineBenchmarks
{
    private const int RowsPerTransaction = 1_000;
    private const string Tenant = "tenant-bench";
    private const string EventType = "vpp.pool.license_granted.v1";

    private BenchmarkDatabase _db = null!;
    private string[] _streams = [];
    private string[] _json = [];
    private string _table = "";
    private long _version;

    [GlobalSetup]
    public async Task Setup()
    {
        _db = await BenchmarkDatabase.OpenAsync("bench_raw");
        _table = $"{_db.Schema}.events";
        await _db.ExecuteAsync($"""
            CREATE TABLE {_table} (
                seq bigserial PRIMARY KEY,
                stream_id text NOT NULL,
                version bigint NOT NULL,
                type text NOT NULL,
                data jsonb NOT NULL,
                tenant_id text NOT NULL,
                timestamp timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT events_stream_version UNIQUE (tenant_id, stream_id, version))
            """);

        // Real event bodies through the ledger's serializer, serialized once: the database is what is measured.
        var serializer = new NewtonsoftSerializer();
        var at = Instant.FromUtc(2026, 3, 3, 10, 0);
        _streams = new string[RowsPerTransaction];
        _json = new string[RowsPerTransaction];
        for (var i = 0; i < RowsPerTransaction; i++)
        {
            var pool = new PoolId(new TokenId($"token-{i % 30:D4}"), new AdamId($"{361309726 + i}"));
            _streams[i] = $"pool:{pool}";
            _json[i] = serializer.ToJson(new LicenseGranted(pool, Holder.ForUser(new UserId($"user-{i:D7}"), AppleIdKind.Managed), GrantReason.Targeted, "A6", at));
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _db.DisposeAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = RowsPerTransaction, Description = "Raw binary COPY, 1,000 rows")]
    public async Task BinaryCopy()
    {
        var version = ++_version;
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var import = await connection.BeginBinaryImportAsync(
            $"COPY {_table} (stream_id, version, type, data, tenant_id, timestamp) FROM STDIN (FORMAT BINARY)");
        var now = DateTime.UtcNow;
        for (var i = 0; i < RowsPerTransaction; i++)
        {
            await import.StartRowAsync();
            await import.WriteAsync(_streams[i], NpgsqlDbType.Text);
            await import.WriteAsync(version, NpgsqlDbType.Bigint);
            await import.WriteAsync(EventType, NpgsqlDbType.Text);
            await import.WriteAsync(_json[i], NpgsqlDbType.Jsonb);
            await import.WriteAsync(Tenant, NpgsqlDbType.Text);
            await import.WriteAsync(now, NpgsqlDbType.TimestampTz);
        }

        await import.CompleteAsync();
    }

    [Benchmark(OperationsPerInvoke = RowsPerTransaction, Description = "Raw NpgsqlBatch of 1,000 INSERTs, 1 transaction")]
    public async Task BatchedInserts()
    {
        var version = ++_version;
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        var sql = $"INSERT INTO {_table} (stream_id, version, type, data, tenant_id, timestamp) VALUES ($1, $2, $3, $4, $5, now())";
        for (var i = 0; i < RowsPerTransaction; i++)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _streams[i], NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EventType, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _json[i], NpgsqlDbType = NpgsqlDbType.Jsonb });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Tenant, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }
}
