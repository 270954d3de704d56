using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace VppLedger.Benchmarks;

/// <summary>
/// One tiny run of every benchmark so the suites cannot rot: in process (no generated project to build), one
/// cold-start invocation each, no warm-up. The figures mean nothing; a set-up, benchmark or clean-up that throws
/// makes the exit code 1. Every case runs under the smoke job only: a suite's own <c>[SimpleJob]</c> or
/// <c>[InvocationCount]</c> is replaced, so a suite tuned for real figures cannot make the smoke run long.
/// </summary>
internal static class Smoke
{
    /// <summary>True inside the smoke run: suites shrink their set-up data so that CI stays short.</summary>
    public static bool Active { get; private set; }

    /// <param name="only">Runs only the suites whose full type name contains this text, when given.</param>
    public static int Run(string? only = null)
    {
        Active = true;
        var job = Job.Dry
            .WithStrategy(RunStrategy.ColdStart)
            .WithLaunchCount(1)
            .WithWarmupCount(0)
            .WithIterationCount(1)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("Smoke");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "vppledger-bench-smoke"))
            .WithOptions(ConfigOptions.JoinSummary);

        job.Freeze();
        var runs = typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true }
                && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute), inherit: false))
                && (only is null || t.FullName!.Contains(only, StringComparison.Ordinal)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => BenchmarkConverter.TypeToBenchmarks(t, config))
            .Select(run => new BenchmarkRunInfo(
                [.. run.BenchmarksCases
                    .Select(c => BenchmarkCase.Create(c.Descriptor, job, c.Parameters, c.Config))
                    .DistinctBy(c => c.DisplayInfo, StringComparer.Ordinal)],
                run.Type,
                run.Config))
            .ToArray();
        var summaries = BenchmarkRunner.Run(runs);
        var failures = new List<string>();
        var expected = 0;
        foreach (var summary in summaries)
        {
            expected += summary.BenchmarksCases.Length;
            failures.AddRange(summary.ValidationErrors.Where(e => e.IsCritical).Select(e => $"validation: {e.Message}"));
            failures.AddRange(summary.Reports.Where(r => !r.Success).Select(r => $"failed: {r.BenchmarkCase.DisplayInfo}"));
            failures.AddRange(summary.BenchmarksCases
                .Where(c => summary.Reports.All(r => r.BenchmarkCase != c))
                .Select(c => $"no report: {c.DisplayInfo}"));
        }

        if (expected == 0)
        {
            failures.Add("no benchmark was found");
        }

        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"SMOKE {failure}");
        }

        Console.WriteLine(failures.Count == 0 ? $"SMOKE OK: {expected} benchmark cases ran." : $"SMOKE FAILED: {failures.Count} problem(s).");
        return failures.Count == 0 ? 0 : 1;
    }
}
