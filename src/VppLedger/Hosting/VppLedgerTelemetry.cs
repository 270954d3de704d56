using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace VppLedger;

/// <summary>
/// The names a host subscribes to for the ledger's traces and metrics, for example with OpenTelemetry:
/// <c>tracing.AddSource(VppLedgerTelemetry.ActivitySourceName)</c> and <c>metrics.AddMeter(VppLedgerTelemetry.MeterName)</c>.
/// docs/observability.md lists every span, tag and instrument.
/// </summary>
public static class VppLedgerTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> name: one span per command (<c>vppledger.command</c>) and per query (<c>vppledger.query</c>).</summary>
    public const string ActivitySourceName = "VppLedger";

    /// <summary>The <see cref="Meter"/> name: commands by outcome and code, conflicts retried, latencies, seal lag.</summary>
    public const string MeterName = "VppLedger";
}

/// <summary>The ledger's activity source, meter and instruments, shared by every ledger of the process.</summary>
internal static class LedgerDiagnostics
{
    private static readonly string? Version = typeof(LedgerDiagnostics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(VppLedgerTelemetry.ActivitySourceName, Version);

    public static readonly Meter Meter = new(VppLedgerTelemetry.MeterName, Version);

    public static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        "vppledger.commands", "{command}", "Commands run, by command type, outcome (applied, unchanged, rejected, unavailable) and rejection code.");

    public static readonly Counter<long> ConflictsRetried = Meter.CreateCounter<long>(
        "vppledger.conflicts_retried", "{conflict}", "Concurrency conflicts after which a command was decided again on fresh state.");

    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>(
        "vppledger.command.duration", "s", "Time to run one command, retries and parts included.");

    public static readonly Histogram<double> QueryDuration = Meter.CreateHistogram<double>(
        "vppledger.query.duration", "s", "Time to answer one query.");

    private static readonly ConcurrentDictionary<Storage.SealLoop, string> SealLoops = new();

    private static readonly ObservableGauge<double> SealLag = Meter.CreateObservableGauge(
        "vppledger.seal.lag",
        () => SealLoops.Select(loop => new Measurement<double>(loop.Key.LagSeconds, new KeyValuePair<string, object?>("vppledger.schema", loop.Value))),
        "s",
        "Seconds since the background sealer last linked every committed event into the hash chain (0 while it keeps up).");

    /// <summary>Runs one query inside a <c>vppledger.query</c> span and records its duration.</summary>
    public static async Task<T> TraceQueryAsync<T>(string tenant, string query, Func<Task<T>> run)
    {
        using var activity = Source.StartActivity("vppledger.query");
        if (activity is not null)
        {
            activity.DisplayName = $"vppledger.query {query}";
            activity.SetTag("vppledger.tenant", tenant);
            activity.SetTag("vppledger.query", query);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            QueryDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("vppledger.query", query));
        }
    }

    public static void Track(Storage.SealLoop loop, string schema)
    {
        _ = SealLag; // the gauge is created with the first ledger
        SealLoops[loop] = schema;
    }

    public static void Untrack(Storage.SealLoop loop) => SealLoops.TryRemove(loop, out _);
}
