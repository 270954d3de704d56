using Npgsql;
using VppLedger.Testing;

namespace VppLedger.Benchmarks.Postgres;

/// <summary>
/// The PostgreSQL a suite measures against: the server named by <c>VPPLEDGER_CONNECTION</c> (or <c>PG*</c>), else a
/// throwaway cluster started with durable settings (fsync, synchronous commit and full-page writes on), so the
/// figures are those of a real server. Each suite works in a schema of its own, dropped on dispose; a throwaway
/// cluster is removed with it. Open it in <c>[GlobalSetup]</c>, dispose it in <c>[GlobalCleanup]</c>.
/// </summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgres _server;

    private BenchmarkDatabase(EmbeddedPostgres server, string schema, NpgsqlDataSource dataSource)
    {
        _server = server;
        Schema = schema;
        DataSource = dataSource;
    }

    /// <summary>The suite's own schema.</summary>
    public string Schema { get; }

    /// <summary>Connections to the server (a small pool: the machine has 2 cores).</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The server's connection string.</summary>
    public string ConnectionString => _server.ConnectionString;

    /// <summary>Where the server came from, for the log.</summary>
    public string Description => _server.Description;

    /// <summary>Starts (or connects to) the server and creates <paramref name="schema"/> afresh.</summary>
    public static async Task<BenchmarkDatabase> OpenAsync(string schema)
    {
        var server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = true, MaxPoolSize = 4 });
        try
        {
            var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
            var database = new BenchmarkDatabase(server, schema, dataSource);
            await database.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
            Console.WriteLine($"// VppLedger benchmarks: {server.Description}, schema {schema}");
            return database;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs SQL text with no parameters (schema set-up, maintenance).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// <c>VACUUM ANALYZE</c> on the suite's tables: without it, autovacuum starts in the middle of the timed
    /// iterations after a bulk load and the planner works from empty statistics (notes/marten-9.md).
    /// </summary>
    public async Task VacuumAnalyzeAsync()
    {
        await using var list = DataSource.CreateCommand("SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE schemaname = $1");
        list.Parameters.AddWithValue(Schema);
        var tables = new List<string>();
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await ExecuteAsync($"VACUUM ANALYZE {table}");
        }
    }

    /// <summary>Drops the schema, then stops and removes a throwaway cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExecuteAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        }
        finally
        {
            await DataSource.DisposeAsync();
            await _server.DisposeAsync();
        }
    }
}
