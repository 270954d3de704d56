using Npgsql;

namespace VppLedger.Cli.Tests.Infrastructure;

/// <summary>One statement on a connection of its own (no pool, so a database can be dropped right after).</summary>
internal static class Sql
{
    public static async Task ExecAsync(string connectionString, string sql) => await ScalarAsync<object?>(connectionString, sql);

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
