using VppLedger.Cli;

namespace VppLedger.ReliabilityTests.Infrastructure;

/// <summary>What one in-process run of <c>vppledger</c> printed, its exit code, and the exception it let escape (a raw one).</summary>
public sealed record ToolRun(int ExitCode, string Output, string Error, Exception? Escaped)
{
    /// <summary>Everything a person or a log would see.</summary>
    public string Text => Output + "\n" + Error;
}

/// <summary>Runs the tool as its Main does, with no environment but what the test gives (no PG* of the machine).</summary>
public static class Tool
{
    public static async Task<ToolRun> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            var code = await VppLedgerCli.RunAsync(args, output, error, environment ?? new Dictionary<string, string>()).WaitAsync(Host.HangBound);
            return new ToolRun(code, output.ToString(), error.ToString(), null);
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            return new ToolRun(-1, output.ToString(), error.ToString(), e);
        }
    }

    /// <summary>The database options of a ledger of this run.</summary>
    public static string[] Database(ReliabilityRun run, string schema) => ["--connection", run.Cluster.ConnectionString(5), "--schema", schema];
}
