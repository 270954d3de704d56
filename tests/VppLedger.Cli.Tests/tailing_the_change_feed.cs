using System.Text.Json;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger tail</c>: the seeded tenant's change feed.</summary>
[Collection(SeededCollection.Name)]
public sealed class tailing_the_change_feed(SeededTenant db)
{
    [Fact]
    [Trait("Rule", "I1")]
    public async Task tail_json_prints_every_event_as_one_json_line_in_log_order_and_a_subscription_resumes()
    {
        var all = await Tool.RunAsync(db.Environment, "tail", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json");
        var first = await Tool.RunAsync(db.Environment, "tail", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json", "--subscription", "cli-test");
        var again = await Tool.RunAsync(db.Environment, "tail", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json", "--subscription", "cli-test");
        var text = await Tool.RunAsync(db.Environment, "tail", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema);

        Assert.True(all.ExitCode == ExitCodes.Ok, all.ToString());
        var positions = all.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("position").GetInt64()).ToList();
        Assert.True(positions.Count >= 15, all.Output);
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        Assert.Equal(all.Output, first.Output);
        Assert.Empty(again.Output);
        Assert.Contains("vpp.token.deleted.v1", text.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-main", all.Output, StringComparison.Ordinal);
    }
}
