using BenchmarkDotNet.Running;

namespace VppLedger.Benchmarks;

/// <summary>
/// Runs the suites: <c>dotnet run -c Release --project benchmarks/VppLedger.Benchmarks -- --filter '*' --job short</c>.
/// <c>generate --size small|large</c> loads a synthetic tenant and times it (<see cref="Scale.ScaleCommand"/>).
/// <c>--smoke</c> runs every benchmark once, in process, and exits non-zero if any failed (CI: <c>.ci/bench-smoke</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "generate")
        {
            return Scale.ScaleCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Contains("--smoke", StringComparer.Ordinal))
        {
            return Smoke.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
