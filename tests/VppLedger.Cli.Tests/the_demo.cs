using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger demo</c> with nothing configured: it starts its own throwaway PostgreSQL and plays the article.</summary>
public sealed class the_demo
{
    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "L3")]
    [Trait("Rule", "L8")]
    [Trait("Rule", "R5")]
    [Trait("Rule", "R7")]
    public async Task with_no_database_configured_it_starts_one_and_plays_every_situation()
    {
        var run = await Tool.RunAsync(Tool.NoEnvironment, "demo");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("starting a throwaway local PostgreSQL", run.Error, StringComparison.Ordinal); // status on standard error
        Assert.DoesNotContain("starting a throwaway", run.Output, StringComparison.Ordinal);
        Assert.Contains("vpp.pool.holder_queued.v1       400", run.Output, StringComparison.Ordinal);
        Assert.Contains("400 waiting", run.Output, StringComparison.Ordinal);
        Assert.Contains("350 waiting", run.Output, StringComparison.Ordinal); // 50 bought: the queue served
        Assert.Contains("not covered: 6th device, L3", run.Output, StringComparison.Ordinal);
        Assert.Contains("DeviceToUserMigrationNotSupported", run.Output, StringComparison.Ordinal);
        Assert.Contains("30-day grace period", run.Output, StringComparison.Ordinal);
        Assert.Contains("LicensesOrphanedTokenDeleted (rule R7)", run.Output, StringComparison.Ordinal);
        Assert.Contains("What if: DeleteToken", run.Output, StringComparison.Ordinal); // the closing what-if, waste, forecast and chart (issue 15)
        Assert.Contains("Idle and wasted licenses of", run.Output, StringComparison.Ordinal);
        Assert.Contains("Run-out forecast over 30 days", run.Output, StringComparison.Ordinal);
        var chart = run.Output.Split("written to:")[^1].Trim().Split('\n')[0].Trim();
        Assert.True(File.Exists(chart), $"The chart '{chart}' is not there.");
        var svg = System.Xml.Linq.XDocument.Load(chart).Root!;
        Assert.Equal("svg", svg.Name.LocalName);
        var queued = svg.Elements().Single(e => (string?)e.Attribute("data-series") == "queued");
        Assert.Equal("0 400 350 349 349", (string?)queued.Attribute("data-values")); // each point includes the events of its own instant (stored to the microsecond)
        File.Delete(chart);
        Assert.Contains("Demo finished", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Fake Apple", run.Error, StringComparison.Ordinal); // Apple's side only with --with-apple
        Assert.DoesNotContain("Apple's side", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-", run.Output.Split("fingerprint")[0].Split("Wrote")[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}
