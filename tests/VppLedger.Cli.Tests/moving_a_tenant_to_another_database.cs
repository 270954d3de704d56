using Npgsql;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger tenant move --tenant T --to DB</c> (docs/scale-out.md).</summary>
public sealed class moving_a_tenant_to_another_database
{
    [Fact]
    public async Task tenant_move_copies_the_tenant_to_the_named_database_and_leaves_nothing_behind()
    {
        var control = await TestServer.ConnectionStringAsync();
        var name = $"cli_mv_{Guid.NewGuid():N}"[..20];
        var schema = $"c{Guid.NewGuid():N}"[..12];
        var second = new NpgsqlConnectionStringBuilder(control) { Database = name, Pooling = false }.ConnectionString;
        await ExecAsync(control, $"create database {name}");
        try
        {
            var apply = await Tool.RunAsync("db", "apply", "-c", control, "--schema", schema, "--database", $"db2={second}");
            Assert.True(apply.ExitCode == ExitCodes.Ok, apply.ToString());
            await using (var ledger = LicenseLedger.Create(control, o =>
            {
                o.SchemaName = schema;
                o.Schema = SchemaCreation.None;
                o.Databases.Add("db2", second).UseRegistry();
            }))
            {
                await ledger.Databases.PlaceTenantAsync(new TenantId("cli-mover"), TenantDatabaseOptions.Control);
                var outcome = await ledger.ForTenant(new TenantId("cli-mover")).ExecuteAsync(
                    new Directory.RecordUser(new UserId("u1"), null, null, new CommandId("cli-move-1"), new Actor("sync", Permissions.Directory)));
                Assert.Equal(CommandStatus.Applied, outcome.Status);
            }

            var run = await Tool.RunAsync("tenant", "move", "--tenant", "cli-mover", "--to", "db2", "-c", control, "--schema", schema, "--database", $"db2={second}");

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Contains("is on database db2", run.Output, StringComparison.Ordinal);
            Assert.Equal(1L, await CountAsync(second, $"select count(*) from {schema}.mt_events where tenant_id = 'cli-mover' and stream_id = 'user:u1'"));
            Assert.Equal(0L, await CountAsync(control, $"select count(*) from {schema}.mt_events where tenant_id = 'cli-mover'"));

            var unknown = await Tool.RunAsync("tenant", "move", "--tenant", "cli-mover", "--to", "db9", "-c", control, "--schema", schema, "--database", $"db2={second}");
            Assert.True(unknown.ExitCode == ExitCodes.Usage, unknown.ToString());
        }
        finally
        {
            await ExecAsync(control, $"drop schema if exists {schema} cascade");
            await ExecAsync(control, $"drop database if exists {name} with (force)");
        }
    }

    private static Task ExecAsync(string connectionString, string sql) => Sql.ExecAsync(connectionString, sql);

    private static Task<long> CountAsync(string connectionString, string sql) => Sql.ScalarAsync<long>(connectionString, sql);
}
