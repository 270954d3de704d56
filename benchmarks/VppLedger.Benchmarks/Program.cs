using BenchmarkDotNet.Running;

namespace VppLedger.Benchmarks;

/// <summary>Runs the suites: <c>dotnet run -c Release --project benchmarks/VppLedger.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
