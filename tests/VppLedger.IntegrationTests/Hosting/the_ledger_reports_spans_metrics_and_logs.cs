using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Hosting;

/// <summary>
/// A host sees what the ledger does through OpenTelemetry (a span per command and per query, the commands counter and
/// its latency) and through its own logging (parts of a large command). Collected with the in-memory exporter.
/// Spans and metrics are process-wide, so every assertion filters on this class's own tenant.
/// </summary>
public sealed class the_ledger_reports_spans_metrics_and_logs : IAsyncLifetime
{
    private readonly string _schema = $"otel{Environment.ProcessId}_{Guid.NewGuid():N}"[..24];
    // The exporters add from whichever thread ends a span (other test classes' ledgers and the background sealer too)
    // while a test reads: a list that locks, read as a copy.
    private readonly LockedCollection<Activity> _spans = new();
    private readonly LockedCollection<Metric> _metrics = new();
    private readonly CapturingLogs _logs = new();
    private TracerProvider _tracing = null!;
    private MeterProvider _metering = null!;
    private ILicenseLedger _ledger = null!;
    private ILoggerFactory _loggers = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(VppLedgerTelemetry.ActivitySourceName).AddInMemoryExporter(_spans).Build();
        _metering = Sdk.CreateMeterProviderBuilder().AddMeter(VppLedgerTelemetry.MeterName).AddInMemoryExporter(_metrics).Build();
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        _ledger = LicenseLedger.Create(
            await TestServer.ConnectionStringAsync(),
            o =>
            {
                o.SchemaName = _schema;
                o.FanOutMembersPerTransaction = 100;
            },
            new NodaTime.Testing.FakeClock(LedgerFixture.Start),
            _loggers);
        await _ledger.ApplySchemaAsync();
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        _loggers.Dispose();
        _tracing.Dispose();
        _metering.Dispose();
        await TestServer.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
    }

    [Fact]
    public async Task a_rejected_command_has_a_span_with_its_outcome_code_and_attempts_and_is_counted()
    {
        var tenant = _ledger.ForTenant(new TenantId("otel-rejected"));
        var pool = new PoolId(new TokenId("none"), new AdamId("1"));

        var outcome = await tenant.ExecuteAsync(new GrantLicenses(pool, [Holder.ForDevice(new DeviceId("d1"))], CommandId.New(), Scenario.Admin));
        _tracing.ForceFlush();
        _metering.ForceFlush();

        Assert.Equal(RejectionCodes.TokenNotFound, outcome.Rejection!.Code);
        var span = Assert.Single(_spans, s => s.OperationName == "vppledger.command" && (string?)s.GetTagItem("vppledger.tenant") == "otel-rejected");
        Assert.Equal("GrantLicenses", span.GetTagItem("vppledger.command"));
        Assert.Equal("rejected", span.GetTagItem("vppledger.outcome"));
        Assert.Equal(RejectionCodes.TokenNotFound, span.GetTagItem("vppledger.rejection_code"));
        Assert.Equal(1, span.GetTagItem("vppledger.attempts"));
        Assert.Equal(1, span.GetTagItem("vppledger.parts"));

        var counted = Points("vppledger.commands").Where(p => Tag(p, "vppledger.rejection_code") == RejectionCodes.TokenNotFound && Tag(p, "vppledger.command") == "GrantLicenses");
        Assert.True(counted.Sum(p => p.GetSumLong()) >= 1);
        Assert.Contains(Points("vppledger.command.duration"), p => Tag(p, "vppledger.outcome") == "rejected" && p.GetHistogramCount() >= 1);
    }

    [Fact]
    public async Task a_large_assignment_reports_its_parts_in_the_span_and_the_log_and_queries_have_spans()
    {
        var s = new Scenario(_ledger.ForTenant(new TenantId("otel-parts")), LedgerFixture.Start);
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "42", purchased: 300);
        var users = await s.UsersAsync("p", 250);
        var group = await s.GroupAsync("big", GroupKind.User, users.Select(GroupMember.ForUser));

        var outcome = await s.RunAsync(new CreateAssignment(pool, group, AssignmentIntent.Required, LicenseType.User, s.NextId(), Scenario.Admin));
        var summary = await s.Ledger.GetPoolAsync(pool);
        _tracing.ForceFlush();

        Assert.Equal(250, outcome.EventsOf<LicenseGranted>().Count());
        var span = Assert.Single(_spans, x => x.OperationName == "vppledger.command" && (string?)x.GetTagItem("vppledger.tenant") == "otel-parts" && (string?)x.GetTagItem("vppledger.command") == "CreateAssignment");
        Assert.Equal(3, span.GetTagItem("vppledger.parts"));
        Assert.Equal("applied", span.GetTagItem("vppledger.outcome"));
        Assert.Equal(2, _logs.Lines.Count(l => l.Contains("CreateAssignment", StringComparison.Ordinal) && l.Contains("committed part", StringComparison.Ordinal)));

        Assert.Equal(250, summary!.UsedCount);
        Assert.Contains(_spans, x => x.OperationName == "vppledger.query" && (string?)x.GetTagItem("vppledger.tenant") == "otel-parts" && (string?)x.GetTagItem("vppledger.query") == "GetPoolAsync");
    }

    private IEnumerable<MetricPoint> Points(string name)
    {
        foreach (var metric in _metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                yield return point;
            }
        }
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    /// <summary>Keeps every formatted log line.</summary>
    private sealed class CapturingLogs : ILoggerProvider
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._lines)
                {
                    owner._lines.Add(formatter(state, exception));
                }
            }
        }
    }
}

/// <summary>A collection the in-memory exporters add to from any thread; enumerating it reads a copy taken under the lock.</summary>
internal sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count { get { lock (_items) { return _items.Count; } } }

    public bool IsReadOnly => false;

    public void Add(T item) { lock (_items) { _items.Add(item); } }

    public void Clear() { lock (_items) { _items.Clear(); } }

    public bool Contains(T item) { lock (_items) { return _items.Contains(item); } }

    public void CopyTo(T[] array, int arrayIndex) { lock (_items) { _items.CopyTo(array, arrayIndex); } }

    public bool Remove(T item) { lock (_items) { return _items.Remove(item); } }

    public IEnumerator<T> GetEnumerator() { lock (_items) { return _items.ToList().GetEnumerator(); } }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
