using System.Text.Json;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger waste</c> on the seeded tenant: tok-old's pool was orphaned, tok-main's 10-license pool never granted.</summary>
[Collection(SeededCollection.Name)]
public sealed class reporting_idle_and_wasted_licenses(SeededTenant db)
{
    [Fact]
    [Trait("Rule", "T10")]
    public async Task waste_prints_json_csv_and_a_table_with_money_from_unit_prices()
    {
        var args = new[] { "waste", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--idle-days", "1", "--price", "tok-main:361285480=4.5" };
        var json = await Tool.RunAsync(db.Environment, [.. args, "--json"]);
        var csv = await Tool.RunAsync(db.Environment, [.. args, "--csv"]);
        var table = await Tool.RunAsync(db.Environment, args);

        Assert.True(json.ExitCode == ExitCodes.Ok, json.ToString());
        using var doc = JsonDocument.Parse(json.Output);
        var idle = doc.RootElement.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("adamId").GetString() == "361285480");
        Assert.Equal(("idleFreeSeats", 10, 45m), (idle.GetProperty("kind").GetString(), idle.GetProperty("seats").GetInt32(), idle.GetProperty("cost").GetDecimal()));
        Assert.StartsWith("token,adam_id,kind,seats,rule,cost\n", csv.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("tok-main,361285480,IdleFreeSeats,10,S1,45", csv.Output, StringComparison.Ordinal);
        Assert.Contains("IdleFreeSeats", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_price_that_is_not_token_app_equals_number_is_a_usage_error()
    {
        var run = await Tool.RunAsync(db.Environment, "waste", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--price", "4.99");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("TOKEN:ADAMID=PRICE", run.Error, StringComparison.Ordinal);
    }
}
