using Snapshooter.Xunit;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger report</c> and <c>db apply</c> against a real PostgreSQL.</summary>
[Collection(SeededCollection.Name)]
public sealed class reporting_a_tenant(SeededTenant db)
{
    [Fact]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    public async Task the_report_shows_pools_and_tokens_as_tables()
    {
        var run = await Tool.RunAsync(db.Environment, "report", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Snapshot.Match(run.Output);
    }

    [Fact]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    [Trait("Rule", "T10")]
    public async Task the_json_report_gives_scripts_every_count()
    {
        var run = await Tool.RunAsync(db.Environment, "report", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        var pages = json.RootElement.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("adamId").GetString() == "361309726");
        Assert.Equal((3, 3, 0, 2), (pages.GetProperty("total").GetInt32(), pages.GetProperty("used").GetInt32(), pages.GetProperty("available").GetInt32(), pages.GetProperty("queued").GetInt32()));
        var states = json.RootElement.GetProperty("tokens").EnumerateArray().ToDictionary(t => t.GetProperty("token").GetString()!, t => t.GetProperty("state").GetString());
        Assert.Equal("valid", states["tok-main"]);
        Assert.Equal("deleted", states["tok-old"]);
        Assert.DoesNotContain("secret-main", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_connection_option_wins_over_the_environment()
    {
        var run = await Tool.RunAsync(Tool.NoEnvironment, "report", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--connection", db.Connection, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
    }

    [Fact]
    public async Task an_unknown_tenant_is_exit_code_5()
    {
        var run = await Tool.RunAsync(db.Environment, "report", "--tenant", "nobody-here", "--schema", SeededTenant.Schema);

        Assert.Equal(ExitCodes.UnknownTenant, run.ExitCode);
        Assert.Contains("Tenant 'nobody-here' has recorded nothing", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task a_schema_never_applied_is_exit_code_6_and_says_to_run_db_apply()
    {
        var run = await Tool.RunAsync(db.Environment, "report", "--tenant", SeededTenant.Tenant, "--schema", "never_applied");

        Assert.Equal(ExitCodes.SchemaMissing, run.ExitCode);
        Assert.Contains("vppledger db apply", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task applying_the_schema_again_changes_nothing_and_succeeds()
    {
        var run = await Tool.RunAsync(db.Environment, "db", "apply", "--schema", SeededTenant.Schema, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("\"applied\": true", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_demo_refuses_a_tenant_that_already_has_data()
    {
        var run = await Tool.RunAsync(db.Environment, "demo", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("already has data", run.Error, StringComparison.Ordinal);
    }
}
