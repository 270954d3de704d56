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
