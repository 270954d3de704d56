using Npgsql;
using VppLedger.Testing;

namespace VppLedger.IntegrationTests.Infrastructure;

/// <summary>
/// One PostgreSQL for the whole test run: the configured one (VPPLEDGER_CONNECTION or PG*), else a throwaway
/// cluster started once and removed when the test process exits.
/// </summary>
public static class TestServer
{
    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(() => EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { MaxConnections = 200, MaxPoolSize = 10 }));

    public static Task<EmbeddedPostgres> GetAsync() => Server.Value;

    public static async Task<string> ConnectionStringAsync() => (await GetAsync()).ConnectionString;

    /// <summary>Runs one SQL statement and returns its first column of the first row.</summary>
    public static async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }
}
