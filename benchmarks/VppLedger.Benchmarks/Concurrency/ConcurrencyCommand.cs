using System.Diagnostics;
using System.Globalization;
using NodaTime;
using Npgsql;
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

        await using var ledger = LicenseLedger.Create(server.ConnectionString, o => o.SchemaName = "bench_conc");
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

        var json = "{\"Pool\":{\"Token\":\"tok\",\"AdamId\":\"1000\"},\"Holder\":\"d.dev-000001\",\"Reason\":\"Targeted\",\"Rule\":\"A6\",\"OccurredAt\":\"2026-11-27T08:00:00Z\"}";
        Console.WriteLine("| writers | ledger commands/s | raw rows/s | ratio | conflicts | client CPU ms/command | server CPU ms/command | raw client+server CPU ms/row | transactions/command (read-only included) | rows written/command | seal lag p50 / p99 / max (ms) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var holder = 0L;
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
            var ledgerRun = await TimeAsync(w, seconds, async (i, stop) =>
            {
                long n = 0;
                while (!stop.IsCancellationRequested)
                {
                    var outcome = await tenant.ExecuteAsync(new GrantLicenses(pools[i], [Holder.ForDevice(new DeviceId($"dev-{Interlocked.Increment(ref holder)}"))], CommandId.New(), Admin));
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
