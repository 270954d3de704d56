using BenchmarkDotNet.Running;

namespace VppLedger.Benchmarks;

/// <summary>
/// Runs the suites: <c>dotnet run -c Release --project benchmarks/VppLedger.Benchmarks -- --filter '*' --job short</c>.
/// <c>generate --size small|large</c> loads a synthetic tenant and times it (<see cref="Scale.ScaleCommand"/>).
/// <c>concurrency [--writers 1,4,16,32] [--seconds 8]</c> times one tenant's single-license grants on different pools beside a raw one-row-per-transaction baseline (<see cref="Concurrency.ConcurrencyCommand"/>).
/// <c>databases [--tenants 6] [--writers 2] [--seconds 8] [--databases 1,2,3]</c> runs the same per-tenant load against one, two and three databases (<see cref="Concurrency.DatabasesCommand"/>).
/// <c>import [--lines 1000000]</c> writes an NDJSON history of that many lines and times its import, with peak memory (<see cref="Scale.ImportCommand"/>).
/// <c>--smoke</c> runs every benchmark once, in process, and exits non-zero if any failed (CI: <c>.ci/bench-smoke</c>); <c>--only Text</c> keeps the suites whose name contains it.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "generate")
        {
            return Scale.ScaleCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "import")
        {
            return Scale.ImportCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "concurrency")
        {
            return Concurrency.ConcurrencyCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "databases")
        {
            return Concurrency.DatabasesCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Contains("--smoke", StringComparer.Ordinal))
        {
            var only = Array.IndexOf(args, "--only");
            return Smoke.Run(only >= 0 && only + 1 < args.Length ? args[only + 1] : null);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
