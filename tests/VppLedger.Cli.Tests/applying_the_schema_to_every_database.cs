using Npgsql;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>db apply --database NAME=CONNECTION</c>: the schema in the control database and in every other one (docs/scale-out.md).</summary>
public sealed class applying_the_schema_to_every_database
{
    [Fact]
    public async Task db_apply_with_a_second_database_creates_the_schema_in_both_and_the_registry_in_the_control_one()
    {
        var control = await TestServer.ConnectionStringAsync();
        var name = $"cli_db2_{Guid.NewGuid():N}"[..20];
        var schema = $"c{Guid.NewGuid():N}"[..12];
        var second = new NpgsqlConnectionStringBuilder(control) { Database = name, Pooling = false }.ConnectionString;
        await ExecAsync(control, $"create database {name}");
        try
        {
            var run = await Tool.RunAsync("db", "apply", "-c", control, "--schema", schema, "--database", $"db2={second}");

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.True(await RegisteredAsync(second, $"{schema}.mt_events"));
            Assert.True(await RegisteredAsync(control, $"{schema}.mt_events"));
            Assert.True(await RegisteredAsync(control, $"{schema}.vpp_tenant_databases"));
            Assert.False(await RegisteredAsync(second, $"{schema}.vpp_tenant_databases"));
        }
        finally
        {
            await ExecAsync(control, $"drop schema if exists {schema} cascade");
            await ExecAsync(control, $"drop database if exists {name} with (force)");
        }
    }

    private static Task ExecAsync(string connectionString, string sql) => Sql.ExecAsync(connectionString, sql);

    private static Task<bool> RegisteredAsync(string connectionString, string table) =>
        Sql.ScalarAsync<bool>(connectionString, "select to_regclass(@t) is not null", ("t", table));
}
