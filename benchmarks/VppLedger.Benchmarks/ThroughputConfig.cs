using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace VppLedger.Benchmarks;

/// <summary>Adds operations per second (rows per second where a benchmark sets <c>OperationsPerInvoke</c>) to the summary.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
}
