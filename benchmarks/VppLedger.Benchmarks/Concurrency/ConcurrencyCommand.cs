using System.Diagnostics;
using System.Globalization;
using NodaTime;
using Npgsql;
using VppLedger.Directory;
using VppLedger.Testing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Benchmarks.Concurrency;

/// <summary>
/// <c>concurrency [--writers 1,4,16,32] [--seconds 8]</c>: one tenant, single-license grant commands on different pools
/// (writer w grants in pool w), at each concurrency, beside a raw baseline in the same run that commits one
/// event-like row per transaction at the same concurrency. Per command it reports client CPU (this process), server
/// CPU (the throwaway cluster's processes), commits and rows written (pg_stat_database), and under the load the seal
/// lag: how long after the log's head moved the chain's sealed head reached it (p50, p99, max). Durable PostgreSQL.
/// </summary>
public static class ConcurrencyCommand
{
    private static readonly Actor Admin = new("bench", Permissions.All);

    public static async Task<int> RunAsync(string[] args)
    {
        var writers = Option(args, "--writers", "1,4,16,32").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        var seconds = double.Parse(Option(args, "--seconds", "8"), CultureInfo.InvariantCulture);
        var max = writers.Max();
        await using var server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = true, MaxPoolSize = max + 8, MaxConnections = 2 * max + 40 });
        Console.WriteLine($"// {server.Description}; {Environment.ProcessorCount} cores; {DateTime.UtcNow:u}");
        await ExecAsync(server.ConnectionString, """
            drop schema if exists bench_conc cascade;
            drop schema if exists bench_conc_raw cascade;
            create schema bench_conc_raw;
            create table bench_conc_raw.events (seq bigserial primary key, stream_id text not null, version bigint not null, type text not null,
              data jsonb not null, tenant_id text not null, timestamp timestamptz not null default now(), unique (tenant_id, stream_id, version));
            """);

        // --ledger-settings "Max Auto Prepare=0": Npgsql settings for the ledger's connections only (to compare settings).
        var ledgerSettings = Option(args, "--ledger-settings", "");
        await using var ledger = LicenseLedger.Create(ledgerSettings.Length == 0 ? server.ConnectionString : server.ConnectionString + ";" + ledgerSettings, o => o.SchemaName = "bench_conc");
        await ledger.ApplySchemaAsync();
        var tenant = ledger.ForTenant(new TenantId("bench"));
        var token = new TokenId("tok");
        await Run(tenant, new UploadTokenFile(
            token,
            VppTokenFile.Create("Bench Org", "bench-secret", SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(300)),
            LocationKey.FromAppleLocationId("bench-conc"),
            new AppleId("admin@bench.example", AppleIdKind.Managed),
            new TokenSettings("Bench", "US", TokenAccountType.Business, true),
            true,
            false,
            CommandId.New(),
            Admin));
        var pools = new PoolId[max];
        for (var i = 0; i < max; i++)
        {
            pools[i] = new PoolId(token, new AdamId((1000 + i).ToString(CultureInfo.InvariantCulture)));
            await Run(tenant, new ApplyAppleCounts(pools[i], ProductKind.App, 10_000_000, 0, null, CommandId.New(), Admin));
        }

        // A direct grant passes the holder rules (issue 10 item 13): every device a writer grants to is recorded first.
        var recorded = int.Parse(Option(args, "--devices", "30000"), CultureInfo.InvariantCulture);
        var deviceProfile = new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);
        foreach (var chunk in Enumerable.Range(1, recorded).Chunk(RecordDirectory.MaxEntriesPerCommand))
        {
            await Run(tenant, new RecordDirectory([], [.. chunk.Select(i => new DirectoryDevice(new DeviceId($"dev-{i}"), new SerialNumber($"SN-{i}"), deviceProfile, null, null))], CommandId.New(), Admin));
        }

        await ExecAsync(server.ConnectionString, "VACUUM ANALYZE");
        var holder = 0L;
        long NextHolder()
        {
            var next = Interlocked.Increment(ref holder);
            return next <= recorded ? next : throw new InvalidOperationException($"All {recorded} recorded devices were granted: pass a larger --devices.");
        }

        if (args.Contains("--trace"))
        {
            // One command's round trips, printed: what a single-license grant sends to PostgreSQL.
            await ProfileAsync(server, tenant, pools[0], NextHolder, 1, print: true);
        }

        // Round trips and statements per command, counted on their own (a listener costs CPU, so not in the timed runs).
        var profile = await ProfileAsync(server, tenant, pools[0], NextHolder, 200, print: false);
        var bulk = Option(args, "--bulk", "");
        if (bulk.Length > 0)
        {
            await BulkAsync(server, tenant, pools[^1], int.Parse(bulk, CultureInfo.InvariantCulture), seconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// one grant command, sequential, {profile.Commands} commands: {profile.RoundTrips:N1} round trips (Npgsql commands and batches), {profile.Statements:N1} statements, {profile.Rows:N1} rows written, {profile.ClientMs:N2} ms client CPU per command"));
        var json = "{\"Pool\":{\"Token\":\"tok\",\"AdamId\":\"1000\"},\"Holder\":\"d.dev-000001\",\"Reason\":\"Targeted\",\"Rule\":\"A6\",\"OccurredAt\":\"2026-11-27T08:00:00Z\"}";
        Console.WriteLine("| writers | ledger commands/s | raw rows/s | ratio | conflicts | client CPU ms/command | server CPU ms/command | raw client+server CPU ms/row | transactions/command (read-only included) | rows written/command | seal lag p50 / p99 / max (ms) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var w in writers)
        {
            // Raw baseline: one event-like row per transaction (autocommit INSERT), w writers.
            var rawCpu = Process.GetCurrentProcess().TotalProcessorTime + ServerCpu(server);
            var raw = await TimeAsync(w, seconds, async (i, stop) =>
            {
                await using var c = new NpgsqlConnection(server.ConnectionString);
                await c.OpenAsync();
                await using var insert = new NpgsqlCommand("insert into bench_conc_raw.events (stream_id, version, type, data, tenant_id) values (@s, @v, 'vpp.pool.license_granted.v1', @d::jsonb, 'bench')", c);
                var s = insert.Parameters.AddWithValue("s", "");
                var v = insert.Parameters.AddWithValue("v", 0L);
                insert.Parameters.AddWithValue("d", json);
                long n = 0;
                while (!stop.IsCancellationRequested)
                {
                    s.Value = $"pool:tok:{i}:{Guid.NewGuid():N}";
                    v.Value = 1L;
                    await insert.ExecuteNonQueryAsync();
                    n++;
                }

                return n;
            });

            var rawCpuMs = (Process.GetCurrentProcess().TotalProcessorTime + ServerCpu(server) - rawCpu).TotalMilliseconds;
            var before = await StatsAsync(server);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var serverCpu = ServerCpu(server);
            long conflicts = 0;
            using var lag = new SealLagProbe(server.ConnectionString);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// ledger phase, {w} writers, {seconds} s (a mark for a profiler)"));
            var ledgerRun = await TimeAsync(w, seconds, async (i, stop) =>
            {
                long n = 0;
                while (!stop.IsCancellationRequested)
                {
                    var outcome = await tenant.ExecuteAsync(new GrantLicenses(pools[i], [Holder.ForDevice(new DeviceId($"dev-{NextHolder()}"))], CommandId.New(), Admin));
                    if (outcome.Rejection?.Code == "ConcurrencyConflict")
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                    else if (!outcome.Succeeded)
                    {
                        throw new InvalidOperationException(outcome.Rejection!.Message);
                    }
                    else
                    {
                        n++;
                    }
                }

                return n;
            });
            var clientMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            var serverMs = (ServerCpu(server) - serverCpu).TotalMilliseconds;
            var after = await StatsAsync(server);
            var lagText = await lag.StopAsync();
            var rate = ledgerRun.Count / ledgerRun.Seconds;
            var rawRate = raw.Count / raw.Seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {w} | {rate:N0} | {rawRate:N0} | {rate / rawRate:N3} | {conflicts} | {clientMs / ledgerRun.Count:N2} | {serverMs / ledgerRun.Count:N2} | {rawCpuMs / raw.Count:N2} | {(after.Commits - before.Commits) / (double)ledgerRun.Count:N1} | {(after.Rows - before.Rows) / (double)ledgerRun.Count:N1} | {lagText} |"));
        }

        return 0;
    }

    /// <summary>
    /// Bulk granting: one writer, 1,000 recorded devices a <c>GrantLicenses</c> command (three untimed first), for <paramref name="seconds"/>
    /// (or until the recorded batches run out), beside a raw baseline in the same run: one transaction of an
    /// <c>NpgsqlBatch</c> of 1,000 event-like INSERTs, for the same time.
    /// </summary>
    private static async Task BulkAsync(EmbeddedPostgres server, ITenantLedger tenant, PoolId pool, int batches, double seconds)
    {
        const int PerCommand = 1_000;
        var profile = new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);
        DeviceId Device(int batch, int i) => new(string.Create(CultureInfo.InvariantCulture, $"bulk{batch}-{i}"));
        for (var b = 0; b < batches; b++)
        {
            foreach (var chunk in Enumerable.Range(0, PerCommand).Chunk(RecordDirectory.MaxEntriesPerCommand))
            {
                await Run(tenant, new RecordDirectory([], [.. chunk.Select(i => new DirectoryDevice(Device(b, i), new SerialNumber($"SN-bulk{b}-{i}"), profile, null, null))], CommandId.New(), Admin));
            }
        }

        await ExecAsync(server.ConnectionString, "VACUUM ANALYZE");
        var json = "{\"Pool\":{\"Token\":\"tok\",\"AdamId\":\"1000\"},\"Holder\":\"d.dev-000001\",\"Reason\":\"Targeted\",\"Rule\":\"A6\",\"OccurredAt\":\"2026-11-27T08:00:00Z\"}";
        var rawCpu = Process.GetCurrentProcess().TotalProcessorTime + ServerCpu(server);
        var rawClock = Stopwatch.StartNew();
        long rawRows = 0;
        await using (var c = new NpgsqlConnection(server.ConnectionString))
        {
            await c.OpenAsync();
            for (var t = 0; rawClock.Elapsed.TotalSeconds < seconds; t++)
            {
                await using var transaction = await c.BeginTransactionAsync();
                await using var batch = new NpgsqlBatch(c, transaction);
                for (var i = 0; i < PerCommand; i++)
                {
                    var command = new NpgsqlBatchCommand("insert into bench_conc_raw.events (stream_id, version, type, data, tenant_id) values ($1, $2, 'vpp.pool.license_granted.v1', $3::jsonb, 'bench')");
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = string.Create(CultureInfo.InvariantCulture, $"bulk:{t}:{i}") });
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 1L });
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = json });
                    batch.BatchCommands.Add(command);
                }

                await batch.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
                rawRows += PerCommand;
            }
        }

        var rawSeconds = rawClock.Elapsed.TotalSeconds;
        var rawCpuMs = (Process.GetCurrentProcess().TotalProcessorTime + ServerCpu(server) - rawCpu).TotalMilliseconds;
        // Warm-up, untimed: the first grants compile the path (tiered JIT), as the raw side's first statements do not need to.
        const int WarmUp = 3;
        for (var b = 0; b < Math.Min(WarmUp, batches - 1); b++)
        {
            var batch = b;
            await Run(tenant, new GrantLicenses(pool, [.. Enumerable.Range(0, PerCommand).Select(i => Holder.ForDevice(Device(batch, i)))], CommandId.New(), Admin));
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var serverCpu = ServerCpu(server);
        var before = await StatsAsync(server);
        Console.Error.WriteLine("// ledger phase, bulk grants (a mark for a profiler)");
        var clock = Stopwatch.StartNew();
        long holders = 0;
        for (var b = Math.Min(WarmUp, batches - 1); b < batches && clock.Elapsed.TotalSeconds < seconds; b++)
        {
            var batch = b;
            await Run(tenant, new GrantLicenses(pool, [.. Enumerable.Range(0, PerCommand).Select(i => Holder.ForDevice(Device(batch, i)))], CommandId.New(), Admin));
            holders += PerCommand;
        }

        var ledgerSeconds = clock.Elapsed.TotalSeconds;
        var clientMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        var serverMs = (ServerCpu(server) - serverCpu).TotalMilliseconds;
        Console.Error.WriteLine("// ledger phase ended, bulk grants (a mark for a profiler)");
        await Task.Delay(1500);
        var after = await StatsAsync(server);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// bulk grant, 1,000 holders a command: ledger {holders / ledgerSeconds:N0} holders/s ({holders / PerCommand} commands in {ledgerSeconds:N1} s; client {clientMs / holders:N3} + server {serverMs / holders:N3} ms CPU per holder; {(after.Rows - before.Rows) / (double)holders:N2} rows written per holder), raw batched INSERT {rawRows / rawSeconds:N0} rows/s ({rawCpuMs / rawRows:N3} ms CPU per row): ratio {holders / ledgerSeconds / (rawRows / rawSeconds):N3}"));
    }

    /// <summary>
    /// Runs <paramref name="commands"/> single-license grants one after another with a listener on Npgsql's
    /// <c>ActivitySource</c>: one activity under a command's span is one round trip (a command or a batch; the COMMIT is not one); its
    /// statements are the batch's commands, as the span's query text joins them. Rows written come from <c>pg_stat_database</c>.
    /// </summary>
    private static async Task<(int Commands, double RoundTrips, double Statements, double Rows, double ClientMs)> ProfileAsync(
        EmbeddedPostgres server, ITenantLedger tenant, PoolId pool, Func<long> nextHolder, int commands, bool print)
    {
        long roundTrips = 0, statements = 0;
        void Count(Activity a)
        {
            if (a.Source.Name != "Npgsql" || a.Parent?.Source.Name != VppLedgerTelemetry.ActivitySourceName)
            {
                return; // the sealer's and the probe's own round trips are not the command's
            }

            Interlocked.Increment(ref roundTrips);
            var text = (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement"))?.ToString() ?? a.DisplayName;
            Interlocked.Add(ref statements, text.Split(";", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length); // a batch's statements, as Npgsql joins them in the span
            if (print)
            {
                Console.WriteLine($"//   {text.ReplaceLineEndings(" ")[..Math.Min(300, text.Length)]} [{a.GetTagItem("db.npgsql.data_source")}]");
                if (Environment.GetEnvironmentVariable("BENCH_STACK") is { Length: > 0 } match && text.Contains(match, StringComparison.Ordinal))
                {
                    Console.WriteLine(Environment.StackTrace); // where a statement comes from (a diagnosis aid)
                }
            }
        }

        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Npgsql" or VppLedgerTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Count,
        };
        ActivitySource.AddActivityListener(listener);
        await Task.Delay(1500);
        var before = await StatsAsync(server);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var trips = Interlocked.Read(ref roundTrips);
        var sts = Interlocked.Read(ref statements);
        for (var i = 0; i < commands; i++)
        {
            await Run(tenant, new GrantLicenses(pool, [Holder.ForDevice(new DeviceId($"dev-{nextHolder()}"))], CommandId.New(), Admin));
        }

        var clientMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / commands;
        trips = Interlocked.Read(ref roundTrips) - trips;
        sts = Interlocked.Read(ref statements) - sts;
        await Task.Delay(1500); // backends flush their statistics at most once a second
        var after = await StatsAsync(server);
        return (commands, trips / (double)commands, sts / (double)commands, (after.Rows - before.Rows) / (double)commands, clientMs);
    }

    internal static async Task<(long Count, double Seconds)> TimeAsync(int writers, double seconds, Func<int, CancellationToken, Task<long>> writer)
    {
        // One second of warm-up, then the measured window.
        using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => writer(i, warm.Token))));
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => writer(i, stop.Token))));
        return (counts.Sum(), clock.Elapsed.TotalSeconds);
    }

    private static async Task<(long Commits, long Rows)> StatsAsync(EmbeddedPostgres server)
    {
        await using var c = new NpgsqlConnection(server.ConnectionString);
        await c.OpenAsync();
        await using var q = new NpgsqlCommand("select pg_stat_clear_snapshot(); select xact_commit, tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname = current_database()", c);
        await using var r = await q.ExecuteReaderAsync();
        await r.NextResultAsync();
        await r.ReadAsync();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    /// <summary>User plus system CPU of the throwaway cluster's processes (postmaster and its children), from /proc.</summary>
    internal static TimeSpan ServerCpu(EmbeddedPostgres server)
    {
        if (server.DataDirectory is null || !OperatingSystem.IsLinux())
        {
            return TimeSpan.Zero;
        }

        var postmaster = int.Parse(File.ReadLines(Path.Combine(server.DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        long ticks = 0;
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (pid == postmaster || parent == postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    internal static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    internal static async Task Run(ITenantLedger tenant, ILedgerCommand command)
    {
        var outcome = await tenant.ExecuteAsync(command);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException(outcome.Rejection!.Message);
        }
    }

    private static async Task ExecAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }
}
