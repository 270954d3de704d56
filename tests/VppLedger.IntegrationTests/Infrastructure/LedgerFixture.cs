using NodaTime;
using NodaTime.Testing;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Infrastructure;

/// <summary>A ledger on a schema of its own for one test class, with a fake clock; the schema is dropped at the end.</summary>
public class LedgerFixture : IAsyncLifetime
{
    private static int _counter;

    public static readonly Instant Start = Instant.FromUtc(2026, 3, 1, 9, 0);

    public string SchemaName { get; } = $"l{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid().ToString("N")[..6]}";

    public FakeClock Clock { get; } = new(Start);

    public ILicenseLedger Ledger { get; private set; } = null!;

    internal MartenLicenseLedger Marten => (MartenLicenseLedger)Ledger;

    /// <summary>How many events a tenant's stream holds, straight from the table.</summary>
    public async Task<long> EventCountAsync(string tenant, string? stream = null) =>
        await TestServer.ScalarAsync<long>(
            $"select count(*) from {SchemaName}.mt_events where tenant_id = @t" + (stream is null ? "" : " and stream_id = @s"),
            ("t", tenant), ("s", stream ?? ""));

    protected virtual void Configure(VppLedgerOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        var connection = await TestServer.ConnectionStringAsync();
        Ledger = LicenseLedger.Create(connection, o =>
        {
            o.SchemaName = SchemaName;
            Configure(o);
        }, Clock);
        await Ledger.ApplySchemaAsync();
    }

    public async Task DisposeAsync()
    {
        await Ledger.DisposeAsync();
        await TestServer.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {SchemaName} CASCADE");
    }
}

/// <summary>The same, with Apple's newer behaviour (LedgerPolicy.CurrentApple).</summary>
public sealed class CurrentAppleLedgerFixture : LedgerFixture
{
    protected override void Configure(VppLedgerOptions options) => options.Policy = LedgerPolicy.CurrentApple;
}

/// <summary>A ledger whose large fan-outs commit every 100 members, and whose part commits can be made to fail.</summary>
public sealed class SmallBatchLedgerFixture : LedgerFixture
{
    public Action<int>? AfterPart { get; set; }

    protected override void Configure(VppLedgerOptions options)
    {
        options.FanOutMembersPerTransaction = 100;
        options.AfterPartCommitted = part => AfterPart?.Invoke(part);
    }
}

/// <summary>
/// A ledger whose large operations commit every 40 holders or members, with Apple's newer behaviour or the article's,
/// and whose page commits can be made to fail (a crash between pages).
/// </summary>
public class PagedLedgerFixture(LedgerPolicy policy) : LedgerFixture
{
    public const int PageSize = 40;

    public Action<int>? AfterPart { get; set; }

    /// <summary>Runs <paramref name="run"/> with a crash (a fault from the test hook) right after page <paramref name="part"/> commits.</summary>
    public async Task CrashAfterPageAsync(int part, Func<Task> run)
    {
        AfterPart = p => { if (p == part) { throw new TimeoutException($"simulated crash after page {part}"); } };
        try
        {
            await Assert.ThrowsAsync<TimeoutException>(run);
        }
        finally
        {
            AfterPart = null;
        }
    }

    protected override void Configure(VppLedgerOptions options)
    {
        options.Policy = policy;
        options.LargeOperationPageSize = PageSize;
        options.AfterPartCommitted = part => AfterPart?.Invoke(part);
    }

    /// <summary>Every event a command wrote in a tenant, outside its operation stream, one line each in a fixed order.</summary>
    public async Task<string> EventsOfAsync(string tenant, CommandId command) =>
        await TestServer.ScalarAsync<string>(
            $"select coalesce(string_agg(stream_id || ' ' || type || ' ' || coalesce(data->>'Holder', ''), E'\\n' order by stream_id, type, data->>'Holder'), '') "
            + $"from {SchemaName}.mt_events where tenant_id = @t and correlation_id = @c and stream_id not like 'operation:%'",
            ("t", tenant), ("c", command.Value)) ?? "";

    /// <summary>The types of a command's operation stream, in order.</summary>
    public async Task<string> OperationOfAsync(string tenant, CommandId command) =>
        await TestServer.ScalarAsync<string>(
            $"select coalesce(string_agg(type, ' ' order by version), '') from {SchemaName}.mt_events where tenant_id = @t and stream_id = @s",
            ("t", tenant), ("s", "operation:" + command.Value)) ?? "";

    /// <summary>Seat rows of a pool by status (S1: used and queued are these counts).</summary>
    public async Task<(long Granted, long Queued)> SeatRowsAsync(string tenant, PoolId pool)
    {
        var key = $"pool:{pool.Token.Value}:{pool.AdamId.Value}";
        var granted = await TestServer.ScalarAsync<long>(
            $"select count(*) from {SchemaName}.mt_doc_seatdoc where tenant_id = @t and data->>'PoolKey' = @p and data->>'Status' <> 'Queued'", ("t", tenant), ("p", key));
        var queued = await TestServer.ScalarAsync<long>(
            $"select count(*) from {SchemaName}.mt_doc_seatdoc where tenant_id = @t and data->>'PoolKey' = @p and data->>'Status' = 'Queued'", ("t", tenant), ("p", key));
        return (granted, queued);
    }
}

/// <summary><see cref="PagedLedgerFixture"/> with Apple's newer behaviour (a token deletion revokes).</summary>
public sealed class PagedCurrentAppleLedgerFixture() : PagedLedgerFixture(LedgerPolicy.CurrentApple);

/// <summary><see cref="PagedLedgerFixture"/> with the article's behaviour (an assignment removal reclaims).</summary>
public sealed class PagedArticleLedgerFixture() : PagedLedgerFixture(LedgerPolicy.Article);

/// <summary>A ledger whose imports commit every 25 lines, whose page commits can be made to fail, and whose reader counts what it holds.</summary>
public sealed class PagedImportLedgerFixture : LedgerFixture
{
    public const int PageSize = 25;

    public Action<int>? AfterPage { get; set; }

    internal ImportReaderStats Stats { get; } = new();

    protected override void Configure(VppLedgerOptions options)
    {
        options.ImportPageSize = PageSize;
        options.AfterImportPageCommitted = page => AfterPage?.Invoke(page);
        options.ImportReaderStats = Stats;
    }

    /// <summary>Every event of a tenant, one line each (stream, version, type, holder), in log order per stream.</summary>
    public async Task<string> EventsAsync(string tenant) =>
        await TestServer.ScalarAsync<string>(
            $"select coalesce(string_agg(stream_id || ' ' || version || ' ' || type || ' ' || coalesce(data->>'Holder', ''), E'\\n' order by stream_id, version), '') "
            + $"from {SchemaName}.mt_events where tenant_id = @t and type not in ('tombstone')",
            ("t", tenant)) ?? "";
}
