using NodaTime;
using NodaTime.Testing;

namespace VppLedger.Cli.Tests.Infrastructure;

/// <summary>What one in-process run of <c>vppledger</c> printed, and its exit code.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs the tool in-process, as its Main does, with an environment of the test's choosing and a fixed clock.</summary>
public static class Tool
{
    /// <summary>The instant every test sees as "now", so that snapshots are stable.</summary>
    public static readonly Instant Now = Instant.FromUtc(2026, 11, 1, 9, 0);

    public static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await VppLedgerCli.RunAsync(args, output, error, environment, new FakeClock(Now));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(NoEnvironment, args);
}
