using System.Diagnostics;
using System.Globalization;
using NodaTime;
using Npgsql;
using Spectre.Console;
using VppLedger.Audit;
using VppLedger.Testing;

namespace VppLedger.Benchmarks.Scale;

/// <summary>
/// <c>generate --size small|medium|large [--connection CS] [--concurrency N] [--steps load,fold,checkpoints,asof,reseal,rebuild,export] [--resume]
/// [--checkpoints on|off] [--checkpoint-every N] [--read-ahead on|off]</c>:
/// loads a synthetic tenant through the public API and times the load, the whole-tenant in-memory fold
/// (<see cref="ITenantAudit.TenantAsOfAsync"/>), the as-of position of the biggest pool, the projection rebuild
/// (<see cref="ILicenseLedger.RebuildAsync"/>) and the audit export (NDJSON and CSV to a counting null stream, with
/// the process's peak resident memory). Without a connection it uses <c>VPPLEDGER_CONNECTION</c>/<c>PG*</c>, else a
/// throwaway durable cluster. Each figure is printed as a <c>RESULT</c> line, with the load average beside it.
/// <c>--checkpoints off</c> has the sealer build no checkpoint of positions (to measure what building them costs);
/// <c>--checkpoint-every N</c> sets <see cref="VppLedgerOptions.CheckpointEveryEvents"/>.
/// </summary>
internal static class ScaleCommand
{
    private const string TenantId = "scale";

    public static async Task<int> RunAsync(string[] args)
    {
        var size = ScaleSize.Parse(Option(args, "--size") ?? "small");
        var concurrency = int.Parse(Option(args, "--concurrency") ?? "8", CultureInfo.InvariantCulture);
        var steps = (Option(args, "--steps") ?? "load,fold,rebuild,export").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var resume = args.Contains("--resume", StringComparer.Ordinal);
        var connection = Option(args, "--connection");
        var schema = Option(args, "--schema") ?? "scale_" + size.Name;
        var checkpoints = (Option(args, "--checkpoints") ?? "on") != "off";
        var checkpointEvery = Option(args, "--checkpoint-every") is { } every ? int.Parse(every, CultureInfo.InvariantCulture) : 10_000;

        await using var server = connection is null
            ? await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = true, MaxPoolSize = concurrency + 4 })
            : null;
        var connectionString = connection ?? server!.ConnectionString;
        Console.WriteLine($"// scale {size.Name}: {size.TokenCount:N0} tokens, {size.PoolCount:N0} pools, {size.UserCount:N0} users, {size.DeviceCount:N0} devices, ~{size.PlannedEventCount:N0} events; schema {schema}; concurrency {concurrency}; {server?.Description ?? "server from --connection"}");
        if (steps.Contains("load") && !resume)
        {
            await ExecAsync(connectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }

        await using var ledger = LicenseLedger.Create(connectionString, o =>
        {
            o.SchemaName = schema;
            o.BuildCheckpoints = checkpoints;
            o.CheckpointEveryEvents = checkpointEvery;
            o.RebuildReadAhead = Option(args, "--read-ahead") == "on";
        });
        await ledger.ApplySchemaAsync();
        var tenant = ledger.ForTenant(new TenantId(TenantId));
        var generator = new ScaleGenerator(tenant, size, concurrency);

        if (steps.Contains("load"))
        {
            var load = Stopwatch.StartNew();
            await WithProgressAsync(generator, size, ct => generator.LoadAsync(p => Console.WriteLine($"// phase {p} at {load.Elapsed.TotalSeconds:N0} s"), ct));
            var loaded = load.Elapsed;
            var seal = Stopwatch.StartNew();
            await tenant.Audit.WaitForSealAsync();
            load.Stop();
            var sealer = await ((Storage.MartenLicenseLedger)ledger).SealerOfAsync(TenantId, CancellationToken.None);
            Result("seal", $"checkpoints {(checkpoints ? "on" : "off")} (every {checkpointEvery:N0} events): the log was sealed {seal.Elapsed.TotalSeconds:N1} s after the last command ({loaded.TotalSeconds:N1} s); "
                + $"the sealer spent {sealer.CheckpointTime.TotalSeconds:N1} s folding and writing checkpoints = {100 * sealer.CheckpointTime.TotalSeconds / load.Elapsed.TotalSeconds:N1}% of load plus seal ({load.Elapsed.TotalSeconds:N1} s)");
            PrintSteps(sealer.Meter);
            Result("load", $"{generator.EventCount:N0} events, {generator.CommandCount:N0} commands in {loaded.TotalSeconds:N1} s = {generator.EventCount / loaded.TotalSeconds:N0} events/s, {generator.CommandCount / loaded.TotalSeconds:N0} commands/s; {generator.ConflictsExhausted:N0} sent again after ConcurrencyConflict");
            var vacuum = Stopwatch.StartNew();
            await ExecAsync(connectionString, "VACUUM ANALYZE");
            Result("vacuum", $"VACUUM ANALYZE after the load: {vacuum.Elapsed.TotalSeconds:N1} s");
        }

        var total = await ScalarAsync(connectionString, $"select count(*) from {schema}.mt_events where tenant_id = '{TenantId}'");
        Result("log", $"{total:N0} events in the tenant's log");

        if (steps.Contains("fold"))
        {
            var now = SystemClock.Instance.GetCurrentInstant();
            var fold = Stopwatch.StartNew();
            var position = await tenant.Audit.TenantAsOfAsync(now);
            fold.Stop();
            Result("fold", $"TenantAsOfAsync: {position.EventCount:N0} pool and token events folded ({position.Pools.Count:N0} pools, {position.Tokens.Count:N0} tokens) in {fold.Elapsed.TotalSeconds:N1} s = {position.EventCount / fold.Elapsed.TotalSeconds:N0} events/s");
            var poolFold = Stopwatch.StartNew();
            var pool = await tenant.Audit.PoolAsOfAsync(generator.BigPool, now);
            poolFold.Stop();
            Result("pool-as-of", $"PoolAsOfAsync of the biggest pool: {pool?.EventCount ?? 0:N0} events, {pool?.Holders.Count ?? 0:N0} holders in {poolFold.Elapsed.TotalSeconds:N2} s");
        }

        if (steps.Contains("checkpoints"))
        {
            // Every checkpoint written again from the sealed log (after a change of their encoding, before "asof").
            await tenant.Audit.WaitForSealAsync();
            var rewrite = Stopwatch.StartNew();
            await ((Storage.MartenLicenseLedger)ledger).SealerFor(((Storage.MartenLicenseLedger)ledger).Store.Storage.Database).RebuildCheckpointsAsync(CancellationToken.None);
            Result("checkpoints", $"every checkpoint written again in one pass over the sealed log: {rewrite.Elapsed.TotalSeconds:N1} s");
        }

        if (steps.Contains("asof"))
        {
            await AsOfAsync(connectionString, schema, (Storage.MartenLicenseLedger)ledger, tenant, generator.BigPool);
        }

        if (steps.Contains("reseal"))
        {
            await ResealAsync(connectionString, schema, (Storage.MartenLicenseLedger)ledger, tenant);
        }

        if (steps.Contains("rebuild"))
        {
            var meter = (await ((Storage.MartenLicenseLedger)ledger).SealerOfAsync(TenantId, CancellationToken.None)).Meter;
            meter.Reset();
            var cpu = Environment.CpuUsage.TotalTime;
            var rebuild = Stopwatch.StartNew();
            var last = TimeSpan.Zero;
            await ledger.RebuildAsync(new Progress(r =>
            {
                if (r.Done == r.Total || rebuild.Elapsed - last > TimeSpan.FromSeconds(5))
                {
                    Console.WriteLine($"// rebuild: {r.EventsDone:N0} / {r.EventsTotal:N0} events at {rebuild.Elapsed.TotalSeconds:N1} s");
                    last = rebuild.Elapsed;
                }
            }));
            rebuild.Stop();
            Result("rebuild", $"RebuildAsync: {rebuild.Elapsed.TotalSeconds:N1} s = {total / rebuild.Elapsed.TotalSeconds:N0} events/s over the log; client CPU {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:N1} s");
            PrintSteps(meter);
        }

        if (steps.Contains("export"))
        {
            GC.Collect();
            var resetPeak = PeakMemory.Reset();
            var before = PeakMemory.ReadKilobytes("VmHWM");
            foreach (var format in new[] { AuditExportFormat.Ndjson, AuditExportFormat.Csv })
            {
                var output = new CountingStream();
                var export = Stopwatch.StartNew();
                var rows = await tenant.Audit.ExportAsync(output, format);
                export.Stop();
                Result("export-" + format.ToString().ToLowerInvariant(), $"{rows:N0} rows, {output.Length / 1e6:N0} MB in {export.Elapsed.TotalSeconds:N1} s = {rows / export.Elapsed.TotalSeconds:N0} rows/s");
            }

            Result("export-memory", $"process peak RSS (VmHWM) {PeakMemory.ReadKilobytes("VmHWM") / 1024.0:N0} MB ({(resetPeak ? "reset before the exports" : "since process start")}; {before / 1024.0:N0} MB before), managed heap now {GC.GetTotalMemory(false) / 1e6:N0} MB");
        }

        return 0;
    }

    // Issue 17's targets: whole-tenant and pool as-of at random instants from checkpoints, against the full fold; the
    // checkpoints' storage beside the log's; the cost of writing every checkpoint again in one pass over the log.
    private static async Task AsOfAsync(string connectionString, string schema, Storage.MartenLicenseLedger ledger, ITenantLedger tenant, PoolId bigPool)
    {
        await tenant.Audit.WaitForSealAsync();
        var audit = new Storage.TenantAudit(ledger, TenantId);
        await using var data = new NpgsqlDataSourceBuilder(connectionString).Build();
        await using var range = data.CreateCommand($"select min(occurred_at), max(occurred_at) from {schema}.vpp_audit where tenant_id = '{TenantId}'");
        await using var reader = await range.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (first, last) = (Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)), Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc)));
        await reader.DisposeAsync();
        var random = new Random(17);
        var instants = Enumerable.Range(0, 10).Select(_ => first + ((last - first) * random.NextDouble())).Append(last).ToList();
        var tenantTimes = new List<double>();
        var loadTimes = new List<double>();
        var poolTimes = new List<double>();
        long folded = 0, poolFolded = 0;
        foreach (var at in instants)
        {
            var watch = Stopwatch.StartNew();
            var position = await tenant.Audit.TenantAsOfAsync(at);
            tenantTimes.Add(watch.Elapsed.TotalMilliseconds);
            folded = Math.Max(folded, position.FoldedEventCount);
            watch.Restart();
            await using (var connection = await data.OpenConnectionAsync())
            {
                watch.Restart();
                await ledger.Checkpoints.LoadAsync(connection, TenantId, "", at, CancellationToken.None);
                loadTimes.Add(watch.Elapsed.TotalMilliseconds);
            }

            watch.Restart();
            var pool = await tenant.Audit.PoolAsOfAsync(bigPool, at);
            poolTimes.Add(watch.Elapsed.TotalMilliseconds);
            poolFolded = Math.Max(poolFolded, pool?.FoldedEventCount ?? 0);
        }

        var full = Stopwatch.StartNew();
        var whole = await audit.TenantAsOfByFullFoldAsync(instants[0]);
        var fullMs = full.Elapsed.TotalMilliseconds;
        full.Restart();
        await audit.PoolAsOfByFullFoldAsync(bigPool, instants[0]);
        var fullPoolMs = full.Elapsed.TotalMilliseconds;
        Result("asof-tenant", $"TenantAsOfAsync at {instants.Count} random instants: median {Median(tenantTimes):N1} ms, max {tenantTimes.Max():N1} ms (at most {folded:N0} events folded after the checkpoint); full fold {fullMs:N0} ms ({whole.EventCount:N0} events); "
            + $"of which reading the checkpoint's state alone: median {Median(loadTimes):N1} ms, max {loadTimes.Max():N1} ms");
        Result("asof-pool", $"PoolAsOfAsync of the biggest pool at the same instants: median {Median(poolTimes):N1} ms, max {poolTimes.Max():N1} ms (at most {poolFolded:N0} events folded); full fold {fullPoolMs:N0} ms");
        var parts = new long[5];
        var queries = new[]
        {
            $"select pg_total_relation_size('{schema}.vpp_checkpoint') + pg_total_relation_size('{schema}.vpp_checkpoint_state') + pg_total_relation_size('{schema}.vpp_checkpoint_book')",
            $"select pg_total_relation_size('{schema}.mt_events') + pg_total_relation_size('{schema}.mt_streams')",
            $"select pg_total_relation_size('{schema}.vpp_audit') + pg_total_relation_size('{schema}.vpp_audit_chain')",
            $"select count(*) from {schema}.vpp_checkpoint where scope = ''",
            $"select count(*) from {schema}.vpp_checkpoint where scope <> ''",
        };
        for (var i = 0; i < queries.Length; i++)
        {
            parts[i] = await ScalarAsync(connectionString, queries[i]);
        }

        Result("checkpoint-storage", $"{parts[3]:N0} tenant and {parts[4]:N0} pool book checkpoints: {parts[0] / 1e6:N1} MB = {100.0 * parts[0] / parts[1]:N1}% of the log, mt_events + mt_streams ({parts[1] / 1e6:N0} MB; one tenant in the schema), {100.0 * parts[0] / (parts[1] + parts[2]):N1}% of log plus audit and chain ({(parts[1] + parts[2]) / 1e6:N0} MB)");
        var rebuild = Stopwatch.StartNew();
        await ledger.SealerFor(ledger.Store.Storage.Database).RebuildCheckpointsAsync(CancellationToken.None);
        Result("checkpoint-rebuild", $"every checkpoint written again in one pass over the sealed log: {rebuild.Elapsed.TotalSeconds:N1} s");
    }

    // The sealer's throughput on its own: the tenant's chain, heads and checkpoints dropped, then the whole log sealed
    // again in pages (as after a bulk load the sealer fell behind). The chain is a function of the log and the audit
    // rows, so the same chain, head hash included, comes back (the head is compared).
    private static async Task ResealAsync(string connectionString, string schema, Storage.MartenLicenseLedger ledger, ITenantLedger tenant)
    {
        await tenant.Audit.WaitForSealAsync();
        var head = await ScalarTextAsync(connectionString, $"select chain_position || ' ' || encode(hash, 'hex') from {schema}.vpp_audit_head where tenant_id = '{TenantId}'");
        var sealer = await ledger.SealerOfAsync(TenantId, CancellationToken.None);
        var sealedEvents = await ScalarAsync(connectionString, $"select count(*) from {schema}.vpp_audit_chain");
        await ExecAsync(connectionString, $"truncate {schema}.vpp_audit_chain, {schema}.vpp_audit_head, {schema}.vpp_checkpoint, {schema}.vpp_checkpoint_state, {schema}.vpp_checkpoint_book; update {schema}.vpp_audit_seal set sealed_seq = 0");
        sealer.Meter.Reset();
        var cpu = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        await tenant.Audit.WaitForSealAsync();
        watch.Stop();
        var again = await ScalarTextAsync(connectionString, $"select chain_position || ' ' || encode(hash, 'hex') from {schema}.vpp_audit_head where tenant_id = '{TenantId}'");
        Result("reseal", $"the whole log sealed again (chain, heads, checkpoints): {sealedEvents:N0} links in {watch.Elapsed.TotalSeconds:N1} s = {sealedEvents / watch.Elapsed.TotalSeconds:N0} events/s; client CPU {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:N1} s; head {(again == head ? "identical" : $"DIFFERENT: {head} before, {again} after")}");
        PrintSteps(sealer.Meter);
    }

    private static void PrintSteps(Storage.StepMeter meter)
    {
        foreach (var (step, elapsed, cpu, runs, items) in meter.Snapshot())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"//   {step,-48} {elapsed.TotalSeconds,8:N2} s elapsed {cpu.TotalSeconds,8:N2} s client CPU {runs,7:N0} runs {items,10:N0} items"));
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task WithProgressAsync(ScaleGenerator generator, ScaleSize size, Func<CancellationToken, Task> load)
    {
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("events", maxValue: size.PlannedEventCount);
                    var running = load(CancellationToken.None);
                    while (!running.IsCompleted)
                    {
                        task.Value = generator.EventCount;
                        task.Description = $"{generator.EventCount:N0} events";
                        await Task.WhenAny(running, Task.Delay(500));
                    }

                    task.Value = generator.EventCount;
                    await running;
                });
            return;
        }

        // Not a terminal (CI, a log file): one plain line every 10 seconds.
        var clock = Stopwatch.StartNew();
        var work = load(CancellationToken.None);
        long lastEvents = 0;
        var lastTime = TimeSpan.Zero;
        while (await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(10))) != work)
        {
            var events = generator.EventCount;
            var now = clock.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {now.TotalSeconds,6:N0} s  {events,12:N0} / ~{size.PlannedEventCount:N0} events ({100.0 * events / size.PlannedEventCount:N1}%)  {(events - lastEvents) / (now - lastTime).TotalSeconds,8:N0} events/s now  {events / now.TotalSeconds,8:N0} events/s overall  {generator.CommandCount:N0} commands  load {LoadAverage()}"));
            lastEvents = events;
            lastTime = now;
        }

        await work;
    }

    private static void Result(string name, string text) => Console.WriteLine($"RESULT {name}: {text} (load average {LoadAverage()})");

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ScalarTextAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private sealed class Progress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}

/// <summary>The process's resident memory from <c>/proc/self/status</c> (Linux).</summary>
internal static class PeakMemory
{
    /// <summary>A field of /proc/self/status in kB (VmHWM: peak resident set; VmRSS: now); 0 elsewhere.</summary>
    public static long ReadKilobytes(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Resets VmHWM to the current resident set (writing 5 to clear_refs, Linux 4.0+); false when refused.</summary>
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>Counts bytes and drops them, so an export's own memory is what is measured.</summary>
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

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _length += count;

    public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _length += buffer.Length;
        return ValueTask.CompletedTask;
    }
}
