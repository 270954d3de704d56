using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger demo --with-apple</c>: after the article, a fake Apple on a loopback port the OS chose and the
/// Apple worker against it (issue 13, item 6).</summary>
public sealed class the_demo_with_apple
{
    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I4")]
    [Trait("Rule", "S2")]
    public async Task it_shows_seats_confirmed_by_apple_a_failed_association_with_its_explanation_and_reconciliation_findings()
    {
        var run = await Tool.RunAsync(Tool.NoEnvironment, "demo", "--with-apple");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("Fake Apple listening on http://127.0.0.1:", run.Error, StringComparison.Ordinal); // status on standard error
        var apple = run.Output[run.Output.IndexOf("Apple's side: the worker tells Apple", StringComparison.Ordinal)..];
        Assert.Contains("Apple outbox before: 175 pending, 0 sent, 0 refused, 0 answered", apple, StringComparison.Ordinal);
        Assert.Contains("Why u.u0042.managed does not hold a license of Pages", apple, StringComparison.Ordinal);
        var explanation = string.Join(" ", apple.Split("At 20")[1].Split('\n').TakeWhile(l => l.Length > 0).Select(l => l.Trim()));
        Assert.Matches(@"Apple refused the association \(Apple event event-\d+, error 9709: Not enough licenses\.\): the seat was freed for the queue \(rule A6\)", explanation);
        Assert.Matches(@"│ Pages\s+│\s+150 │\s+0 │\s+150 │\s+\S*1\S* │\s+0 │\s+150 │", apple); // all confirmed, one failed, Apple holds what the ledger holds
        Assert.Contains("13 repeats that changed nothing", apple, StringComparison.Ordinal);
        Assert.Contains("Apple outbox after: 3 pending, 0 sent, 0 refused, 173 answered (pending under tok-retail too", apple, StringComparison.Ordinal);
        Assert.Matches(@"at most 1[0-5] in any second for the token \(its limit: 15\), 0 refused as too many", apple);
        var reconciliation = apple[apple.IndexOf("reconciliation per holder", StringComparison.Ordinal)..];
        Assert.Contains("recorded: Applied.", reconciliation, StringComparison.Ordinal); // the walk completed and was reconciled
        Assert.Matches(@"│ Pages\s+│ UntrackedAtApple │ u\.u0042\.managed\s+│ S2\s+│ GrantLicenses\s+│", reconciliation); // given by hand at Apple
        Assert.Matches(@"│ Keynote\s+│ PhantomInLedger\s+│ d\.\S+\s+│ S2\s+│ RequestAppleAssociationAgain │", reconciliation); // removed at Apple
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_option_is_in_the_demos_help()
    {
        var run = await Tool.RunAsync(Tool.NoEnvironment, "demo", "--help");

        Assert.Contains("--with-apple", run.Output + run.Error, StringComparison.Ordinal);
    }
}
