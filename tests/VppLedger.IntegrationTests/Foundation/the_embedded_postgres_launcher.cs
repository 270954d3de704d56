using Npgsql;
using VppLedger.Testing;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Foundation;

public sealed class the_embedded_postgres_launcher
{
    [Fact]
    public async Task starts_a_throwaway_cluster_that_answers_and_is_removed_at_the_end()
    {
        string dataDirectory;
        string connectionString;
        await using (var pg = await EmbeddedPostgres.StartThrowawayAsync(new EmbeddedPostgresOptions()))
        {
            Assert.True(pg.IsThrowaway);
            dataDirectory = pg.DataDirectory!;
            connectionString = pg.ConnectionString;
            Assert.True(System.IO.Directory.Exists(dataDirectory));

            await using var connection = new NpgsqlConnection(pg.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select 40 + 2", connection);
            Assert.Equal(42, await command.ExecuteScalarAsync());
        }

        Assert.False(System.IO.Directory.Exists(dataDirectory));
        await using var gone = new NpgsqlConnection(connectionString + ";Timeout=2;Pooling=false");
        await Assert.ThrowsAnyAsync<Exception>(() => gone.OpenAsync());
    }

    [Fact]
    public async Task with_vppledger_connection_set_no_cluster_is_started()
    {
        var existing = await TestServer.ConnectionStringAsync();
        var environment = new Dictionary<string, string> { [PostgresEnvironment.ConnectionVariable] = existing };

        await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Environment = environment.GetValueOrDefault });

        Assert.False(pg.IsThrowaway);
        Assert.Null(pg.DataDirectory);
        Assert.Equal(existing, pg.ConnectionString);
        Assert.Contains(PostgresEnvironment.ConnectionVariable, pg.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void the_pg_variables_are_used_when_pghost_is_set()
    {
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = "db.internal",
            ["PGPORT"] = "6543",
            ["PGUSER"] = "ledger",
            ["PGPASSWORD"] = "s3cret",
            ["PGDATABASE"] = "vpp",
        };

        var connection = new NpgsqlConnectionStringBuilder(PostgresEnvironment.ConfiguredConnection(environment.GetValueOrDefault));

        Assert.Equal("db.internal", connection.Host);
        Assert.Equal(6543, connection.Port);
        Assert.Equal("ledger", connection.Username);
        Assert.Equal("s3cret", connection.Password);
        Assert.Equal("vpp", connection.Database);
    }

    [Fact]
    public void nothing_is_configured_without_either_variable()
    {
        Assert.Null(PostgresEnvironment.ConfiguredConnection(_ => null));
    }
}
