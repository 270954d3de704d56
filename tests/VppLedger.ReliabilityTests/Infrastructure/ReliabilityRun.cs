using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Testing;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace VppLedger.ReliabilityTests.Infrastructure;

/// <summary>Every reliability test runs in this one collection, one at a time, on the cluster the run owns.</summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<ReliabilityRun>
{
    public const string Name = "reliability";
}

/// <summary>
/// The run: the owned cluster, the figures of every suite, and the table printed and written at the end
/// (to <c>VPPLEDGER_RELIABILITY_TABLE</c>, or <c>reliability-figures.md</c> next to the test assembly).
/// <c>VPPLEDGER_RELIABILITY_LONG=1</c> selects the long mode (10 crashes, more load).
/// </summary>
public sealed class ReliabilityRun(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string LongVariable = "VPPLEDGER_RELIABILITY_LONG";
    public const string TableVariable = "VPPLEDGER_RELIABILITY_TABLE";

    public static readonly Instant Start = Instant.FromUtc(2026, 3, 1, 9, 0);

    private static int _schemas;
    private readonly ConcurrentDictionary<string, Figures> _suites = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _notes = new();

    public static bool Long => Environment.GetEnvironmentVariable(LongVariable) is "1" or "true";

    public OwnedCluster Cluster { get; private set; } = null!;

    public Figures For(string suite) => _suites.GetOrAdd(suite, _ => new Figures());

    /// <summary>A line printed under the table (for example a pending corpus case).</summary>
    public void Note(string line) => _notes.Enqueue(line);

    /// <summary>A ledger on a schema of its own, with a fake clock.</summary>
    public (ILicenseLedger Ledger, FakeClock Clock, string Schema) NewLedger(int maxPoolSize = 30)
    {
        var schema = $"r{Environment.ProcessId}_{Interlocked.Increment(ref _schemas)}";
        var clock = new FakeClock(Start);
        var ledger = LicenseLedger.Create(Cluster.ConnectionString(maxPoolSize), o => o.SchemaName = schema, clock);
        return (ledger, clock, schema);
    }

    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        // No pooling: a pooled connection would be a dead one after a crash, and the checks must not count on the ledger's recovery.
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString() + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public async Task InitializeAsync() => Cluster = await OwnedCluster.StartAsync();

    public async Task DisposeAsync()
    {
        var table = Table();
        var path = Environment.GetEnvironmentVariable(TableVariable) is { Length: > 0 } p ? p : Path.Combine(AppContext.BaseDirectory, "reliability-figures.md");
        await File.WriteAllTextAsync(path, table);
        foreach (var line in table.Split('\n'))
        {
            diagnostics.OnMessage(new DiagnosticMessage(line));
        }

        await Console.Out.WriteLineAsync(table);
        await Cluster.DisposeAsync();
    }

    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Reliability run, {(Long ? "long" : "CI")} mode, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Cluster?.Kills ?? 0} postmaster kills");
        text.AppendLine();
        text.AppendLine("| suite | " + string.Join(" | ", Figures.Names) + " |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", Figures.Names.Length)));
        var total = new long[Figures.Names.Length];
        foreach (var (suite, figures) in _suites.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var values = figures.Values();
            for (var i = 0; i < values.Length; i++)
            {
                total[i] += values[i];
            }

            text.AppendLine($"| {suite} | " + string.Join(" | ", values.Select(v => v.ToString("N0", CultureInfo.InvariantCulture))) + " |");
        }

        text.AppendLine("| **total** | " + string.Join(" | ", total.Select(v => v.ToString("N0", CultureInfo.InvariantCulture))) + " |");
        text.AppendLine();
        foreach (var note in _notes.Order(StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        return text.ToString();
    }
}

/// <summary>The figures of one suite; every field is counted with Interlocked, from any writer.</summary>
public sealed class Figures
{
    public static readonly string[] Names =
    [
        "commands", "acknowledged", "unavailable (documented)", "lost", "oversold", "mismatches", "raw exceptions", "hangs",
        "cross-tenant reads", "secret occurrences", "pending corpus cases", "tamper cases", "tamper cases found",
    ];

    private long _commands;
    private long _acknowledged;
    private long _unavailable;
    private long _lost;
    private long _oversold;
    private long _mismatches;
    private long _rawExceptions;
    private long _hangs;
    private long _crossTenantReads;
    private long _secretOccurrences;
    private long _pending;
    private long _tamperCases;
    private long _tamperFound;

    public ConcurrentQueue<string> RawExceptionSamples { get; } = new();

    public void Command() => Interlocked.Increment(ref _commands);

    public void Acknowledged() => Interlocked.Increment(ref _acknowledged);

    public ConcurrentQueue<string> UnavailableSamples { get; } = new();

    public void Unavailable(LedgerUnavailableException? e = null)
    {
        Interlocked.Increment(ref _unavailable);
        if (e is not null && UnavailableSamples.Count < 10)
        {
            UnavailableSamples.Enqueue($"{e.Message} <- {e.InnerException?.GetType().Name}: {e.InnerException?.Message.Split('\n')[0]} <- {e.InnerException?.InnerException?.GetType().Name}: {e.InnerException?.InnerException?.Message.Split('\n')[0]}");
        }
    }

    public void Lost(long n = 1) => Interlocked.Add(ref _lost, n);

    public void Oversold(long n = 1) => Interlocked.Add(ref _oversold, n);

    public void Mismatch(long n = 1) => Interlocked.Add(ref _mismatches, n);

    public void Hang() => Interlocked.Increment(ref _hangs);

    public void CrossTenantRead(long n = 1) => Interlocked.Add(ref _crossTenantReads, n);

    public void SecretOccurrences(long n) => Interlocked.Add(ref _secretOccurrences, n);

    public void Pending() => Interlocked.Increment(ref _pending);

    public void TamperCase() => Interlocked.Increment(ref _tamperCases);

    public void TamperFound() => Interlocked.Increment(ref _tamperFound);

    public void RawException(Exception e, string during)
    {
        Interlocked.Increment(ref _rawExceptions);
        if (RawExceptionSamples.Count < 20)
        {
            RawExceptionSamples.Enqueue($"{during}: {e.GetType().FullName}: {e.Message.Split('\n')[0]}");
        }
    }

    public long RawExceptions => Interlocked.Read(ref _rawExceptions);

    public long[] Values() =>
    [
        Interlocked.Read(ref _commands), Interlocked.Read(ref _acknowledged), Interlocked.Read(ref _unavailable), Interlocked.Read(ref _lost),
        Interlocked.Read(ref _oversold), Interlocked.Read(ref _mismatches), Interlocked.Read(ref _rawExceptions), Interlocked.Read(ref _hangs),
        Interlocked.Read(ref _crossTenantReads), Interlocked.Read(ref _secretOccurrences), Interlocked.Read(ref _pending),
        Interlocked.Read(ref _tamperCases), Interlocked.Read(ref _tamperFound),
    ];
}
