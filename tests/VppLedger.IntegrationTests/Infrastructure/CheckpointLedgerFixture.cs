using NodaTime;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Infrastructure;

/// <summary>
/// A ledger that cuts a checkpoint of positions every 3 pool and token events (or each new day), a full one every
/// 3rd (deltas between, for tenants and pool books alike), seals only when a test asks, and reads a clock whose writers can disagree by some minutes (business time out of log order).
/// </summary>
public sealed class CheckpointLedgerFixture : IAsyncLifetime
{
    public const int EveryEvents = 3;

    public const int FullEvery = 3;

    private static int _counter;

    public string SchemaName { get; } = $"c{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid().ToString("N")[..6]}";

    public JitterClock Clock { get; } = new(Instant.FromUtc(2024, 4, 20, 9, 0));

    public ILicenseLedger Ledger { get; private set; } = null!;

    internal MartenLicenseLedger Marten => (MartenLicenseLedger)Ledger;

    internal TenantAudit AuditOf(string tenant) => new(Marten, tenant);

    public async Task InitializeAsync()
    {
        var connection = await TestServer.ConnectionStringAsync();
        Ledger = LicenseLedger.Create(connection, o =>
        {
            o.SchemaName = SchemaName;
            o.SealInterval = TimeSpan.Zero;
            o.CheckpointEveryEvents = EveryEvents;
            o.CheckpointFullEvery = FullEvery;
        }, Clock);
        await Ledger.ApplySchemaAsync();
    }

    public async Task DisposeAsync()
    {
        await Ledger.DisposeAsync();
        await TestServer.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {SchemaName} CASCADE");
    }
}

/// <summary>A settable clock; with a jitter, each reading is off by a seeded random number of minutes (writers whose clocks disagree).</summary>
public sealed class JitterClock(Instant start) : IClock
{
    private readonly Lock _lock = new();
    private Instant _now = start;
    private Random? _random;
    private int _minutes;

    public Instant Now
    {
        get
        {
            lock (_lock)
            {
                return _now;
            }
        }
    }

    public void Reset(Instant now, int seed = 0, int jitterMinutes = 0)
    {
        lock (_lock)
        {
            _now = now;
            _random = jitterMinutes > 0 ? new Random(seed) : null;
            _minutes = jitterMinutes;
        }
    }

    public void Advance(Duration by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }

    public Instant GetCurrentInstant()
    {
        lock (_lock)
        {
            return _random is null ? _now : _now + Duration.FromMinutes(_random.Next(-_minutes, _minutes + 1));
        }
    }
}
