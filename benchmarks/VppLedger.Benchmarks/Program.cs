using BenchmarkDotNet.Running;

namespace VppLedger.Benchmarks;

/// <summary>
/// Runs the suites: <c>dotnet run -c Release --project benchmarks/VppLedger.Benchmarks -- --filter '*' --job short</c>.
/// <c>--smoke</c> runs every benchmark once, in process, and exits non-zero if any failed (CI: <c>.ci/bench-smoke</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--smoke", StringComparer.Ordinal))
        {
            return Smoke.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
