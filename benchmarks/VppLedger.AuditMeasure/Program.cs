using System.Diagnostics;
using System.Globalization;
using Npgsql;
using VppLedger;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.Hosting;
using VppLedger.Pools;
using NodaTime;
using VppLedger.Tokens;

// Replay and export figures of the audit (issue 5), through the public API only:
//   dotnet run -c Release --project benchmarks/VppLedger.AuditMeasure -- [targetEvents=200000]
// Uses VPPLEDGER_CONNECTION (or PG*) when set, else a throwaway local PostgreSQL.
var target = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
const int Members = 5_000;
await using var server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false });
var schema = "audit_measure_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
await using var ledger = LicenseLedger.Create(server.ConnectionString, o => o.SchemaName = schema);
await ledger.ApplySchemaAsync();
var tenant = ledger.ForTenant("measure");
var admin = new Actor("measure", Permissions.All);
var n = 0;
CommandId Next() => new("m-" + (++n).ToString(CultureInfo.InvariantCulture));
async Task RunAsync(ILedgerCommand command)
{
    var outcome = await tenant.ExecuteAsync(command);
    if (!outcome.Succeeded)
    {
        throw new InvalidOperationException(outcome.Rejection!.ToString());
    }
}

var load = Stopwatch.StartNew();
var token = new TokenId("tok-m");
await RunAsync(new UploadTokenFile(token, VppTokenFile.Create("Contoso", "secret", Instant.FromUtc(2030, 1, 1, 0, 0)), LocationKey.FromAppleLocationId("loc-m"),
    new AppleId("a@contoso.example", AppleIdKind.Managed), new TokenSettings("M", "US", TokenAccountType.Business, true), true, false, Next(), admin));
var users = Enumerable.Range(1, Members).Select(i => new UserId("u" + i.ToString(CultureInfo.InvariantCulture))).ToList();
foreach (var user in users)
{
    await RunAsync(new RecordUser(user, null, new AppleId(user.Value + "@contoso.example", AppleIdKind.Managed), Next(), admin));
}

var group = new GroupId("all");
await RunAsync(new CreateGroup(group, GroupKind.User, Next(), admin));
await RunAsync(new AddGroupMembers(group, [.. users.Select(GroupMember.ForUser)], Next(), admin));
long events = await CountAsync();
for (var p = 1; events < target; p++)
{
    // Each pool: 3,750 granted and 1,250 queued, then all reclaimed or dequeued, twice (about 20,000 events).
    var pool = new PoolId(token, new AdamId((1000 + p).ToString(CultureInfo.InvariantCulture)));
    await RunAsync(new ApplyAppleCounts(pool, ProductKind.App, Members * 3 / 4, 0, null, Next(), admin));
    for (var cycle = 0; cycle < 2 && events < target; cycle++)
    {
        await RunAsync(new CreateAssignment(pool, group, AssignmentTarget.UserGroup, AssignmentIntent.Required, LicenceType.User, ProductKind.App, Next(), admin));
        await RunAsync(new RemoveAssignment(pool, group, Next(), admin));
        events = await CountAsync();
    }

    Console.WriteLine($"  loaded {events:N0} events in {load.Elapsed.TotalSeconds:N0} s");
}

load.Stop();
await ExecAsync("VACUUM ANALYZE");
Console.WriteLine($"load: {events:N0} events in {load.Elapsed.TotalSeconds:N1} s ({events / load.Elapsed.TotalSeconds:N0} events/s through commands)");

var rebuild = Stopwatch.StartNew();
var last = TimeSpan.Zero;
await ledger.RebuildAsync(new Progress(r =>
{
    Console.WriteLine($"  rebuilt {r.Projection} ({r.Done}/{r.Total}) in {(rebuild.Elapsed - last).TotalSeconds:N1} s");
    last = rebuild.Elapsed;
}));
rebuild.Stop();
Console.WriteLine($"rebuild of 8 projections: {rebuild.Elapsed.TotalSeconds:N1} s = {events / rebuild.Elapsed.TotalSeconds:N0} events/s over the log (each event is read by every projection)");

var verify = Stopwatch.StartNew();
var chain = await tenant.Audit.VerifyChainAsync();
Console.WriteLine($"verify chain: {chain.RowCount:N0} rows intact={chain.IsIntact} in {verify.Elapsed.TotalSeconds:N1} s");

GC.Collect();
var before = GC.GetTotalMemory(forceFullCollection: true);
var peakManaged = before;
using var sampler = new Timer(_ => peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false)), null, 0, 10);
var counting = new CountingStream();
var export = Stopwatch.StartNew();
var rows = await tenant.Audit.ExportAsync(counting, AuditExportFormat.Ndjson);
export.Stop();
var csv = new CountingStream();
var csvRows = await tenant.Audit.ExportAsync(csv, AuditExportFormat.Csv);
Console.WriteLine($"export NDJSON: {rows:N0} rows, {counting.Length / 1e6:N0} MB in {export.Elapsed.TotalSeconds:N1} s; CSV {csvRows:N0} rows {csv.Length / 1e6:N0} MB");
Console.WriteLine($"export memory: managed heap before {before / 1e6:N1} MB, peak during exports {peakManaged / 1e6:N1} MB; process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB");
await ExecAsync($"DROP SCHEMA {schema} CASCADE");
return;

async Task<long> CountAsync()
{
    await using var c = new NpgsqlConnection(server.ConnectionString);
    await c.OpenAsync();
    await using var cmd = new NpgsqlCommand($"select count(*) from {schema}.mt_events", c);
    return (long)(await cmd.ExecuteScalarAsync())!;
}

async Task ExecAsync(string sql)
{
    await using var c = new NpgsqlConnection(server.ConnectionString);
    await c.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 0 };
    await cmd.ExecuteNonQueryAsync();
}

internal sealed class Progress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
{
    public void Report(RebuildProgress value) => report(value);
}

/// <summary>Counts bytes and drops them, so the export's own memory is what is measured.</summary>
internal sealed class CountingStream : Stream
{
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _length += count;
}
