using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger tenant rebuild --tenant T</c> (docs/scale-out.md "Rebuilding one tenant").</summary>
public sealed class rebuilding_one_tenant
{
    [Fact]
    public async Task tenant_rebuild_writes_the_tenants_projections_again_from_its_log_and_leaves_its_neighbour_alone()
    {
        var control = await TestServer.ConnectionStringAsync();
        var schema = $"c{Guid.NewGuid():N}"[..12];
        try
        {
            await SchemaWithUserU1Async(control, schema, "cli-rebuilt", "cli-neighbour");

            // The projection rows of both tenants are lost; only the rebuilt tenant gets its own back.
            await Sql.ExecAsync(control, $"delete from {schema}.mt_doc_userdoc");

            var run = await Tool.RunAsync("tenant", "rebuild", "--tenant", "cli-rebuilt", "-c", control, "--schema", schema);

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Contains("intact", run.Output, StringComparison.Ordinal);
            Assert.Equal(1L, await Sql.ScalarAsync<long>(control, $"select count(*) from {schema}.mt_doc_userdoc where tenant_id = 'cli-rebuilt' and id = 'user:u1'"));
            Assert.Equal(0L, await Sql.ScalarAsync<long>(control, $"select count(*) from {schema}.mt_doc_userdoc where tenant_id = 'cli-neighbour'"));
        }
        finally
        {
            await Sql.ExecAsync(control, $"drop schema if exists {schema} cascade");
        }
    }

    [Fact]
    public async Task tenant_rebuild_of_a_tenant_whose_log_was_changed_exits_with_one_and_names_the_event()
    {
        var control = await TestServer.ConnectionStringAsync();
        var schema = $"c{Guid.NewGuid():N}"[..12];
        try
        {
            await SchemaWithUserU1Async(control, schema, "cli-tampered");

            await Sql.ExecAsync(control, $"update {schema}.mt_events set data = jsonb_set(data, '{{User}}', '\"u2\"') where tenant_id = 'cli-tampered' and stream_id = 'user:u1'");

            var run = await Tool.RunAsync("tenant", "rebuild", "--tenant", "cli-tampered", "-c", control, "--schema", schema);

            Assert.True(run.ExitCode == ExitCodes.Rejected, run.ToString());
            Assert.Contains("user:u1", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            await Sql.ExecAsync(control, $"drop schema if exists {schema} cascade");
        }
    }

    // The ledger's tables in a schema of their own (by the tool), and user u1 recorded in each tenant, sealed.
    private static async Task SchemaWithUserU1Async(string control, string schema, params string[] tenants)
    {
        var apply = await Tool.RunAsync("db", "apply", "-c", control, "--schema", schema);
        Assert.True(apply.ExitCode == ExitCodes.Ok, apply.ToString());
        await using var ledger = LicenseLedger.Create(control, o =>
        {
            o.SchemaName = schema;
            o.Schema = SchemaCreation.None;
        });
        foreach (var id in tenants)
        {
            var tenant = ledger.ForTenant(new TenantId(id));
            var outcome = await tenant.ExecuteAsync(
                new Directory.RecordUser(new UserId("u1"), null, null, new CommandId($"cli-rebuild-{id}"), new Actor("sync", Permissions.Directory)));
            Assert.Equal(CommandStatus.Applied, outcome.Status);
            await tenant.Audit.WaitForSealAsync();
        }
    }
}
