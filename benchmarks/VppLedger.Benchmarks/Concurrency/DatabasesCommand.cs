using System.Diagnostics;
using System.Globalization;
using NodaTime;
using VppLedger.Pools;
using VppLedger.Testing;
using VppLedger.Tokens;

namespace VppLedger.Benchmarks.Concurrency;

/// <summary>
/// <c>databases [--tenants 6] [--writers 2] [--seconds 8] [--databases 1,2,3]</c>: the same per-tenant command load
/// (each tenant's writers record a device and grant it a license, two commands, each writer in a pool of its own) against one, two and three
/// databases, the tenants spread evenly (tenant i on database i mod N). Three durable throwaway clusters on loopback,
/// always throwaway; one fresh schema per run. Reports aggregate commands/s, client CPU and each cluster's CPU
/// (user plus system of its postmaster and children, from /proc/PID/stat) per command and as a share of the servers'
/// CPU, and each database's idle cost (CPU of its cluster with the ledger running and no command: the background
/// sealer's rounds). docs/benchmarks.md "Several databases" and docs/scale-out.md read the figures.
/// </summary>
public static class DatabasesCommand
{
    private static readonly Actor Apps = new("bench-apps", Permissions.ManagedApps | Permissions.MobileApps | Permissions.Directory);

    public static async Task<int> RunAsync(string[] args)
    {
        var tenants = int.Parse(ConcurrencyCommand.Option(args, "--tenants", "6"), CultureInfo.InvariantCulture);
        var writers = int.Parse(ConcurrencyCommand.Option(args, "--writers", "2"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(ConcurrencyCommand.Option(args, "--seconds", "8"), CultureInfo.InvariantCulture);
        var counts = ConcurrencyCommand.Option(args, "--databases", "1,2,3").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        var clusterCount = counts.Max();
        var pool = tenants * writers + 8;
        var options = new EmbeddedPostgresOptions { Durable = true, MaxPoolSize = pool, MaxConnections = 2 * pool + 40 };
        var clusters = new List<EmbeddedPostgres>();
        try
        {
            for (var i = 0; i < clusterCount; i++)
            {
                clusters.Add(await EmbeddedPostgres.StartThrowawayAsync(options));
            }

            Console.WriteLine($"// {clusterCount} throwaway durable clusters on loopback; {Environment.ProcessorCount} cores; {tenants} tenants x {writers} writers; {seconds} s per run; {DateTime.UtcNow:u}");
            // A whole run first, not reported: the client's code is jitted and tiered up, so that the first reported run
            // is not the slowest one for that reason alone (measured: reversing the order of the runs reversed the trend).
            await RunOnceAsync([clusters[0]], tenants, writers, seconds, "warm");
            Console.WriteLine("| databases | commands/s | client CPU ms/command | server CPU ms/command (all databases) | CPU share per database | server CPU ms/command per database | idle CPU per database (ms/s) |");
            Console.WriteLine("|---:|---:|---:|---:|---|---|---|");
            foreach (var n in counts)
            {
                Console.WriteLine(await RunOnceAsync(clusters.Take(n).ToList(), tenants, writers, seconds));
            }

            return 0;
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    private static async Task<string> RunOnceAsync(List<EmbeddedPostgres> clusters, int tenantCount, int writers, double seconds, string run = "")
    {
        var n = clusters.Count;
        var schema = $"bench_db{n}{run}";
        var names = new[] { TenantDatabaseOptions.Control, "db2", "db3", "db4", "db5" };
        var tenantIds = Enumerable.Range(0, tenantCount).Select(i => new TenantId($"t{i}")).ToArray();
        await using var ledger = LicenseLedger.Create(clusters[0].ConnectionString, o =>
        {
            o.SchemaName = schema;
            if (n > 1)
            {
                o.Databases.Place(TenantDatabaseOptions.Control, [.. tenantIds.Where((_, i) => i % n == 0)]);
                for (var d = 1; d < n; d++)
                {
                    o.Databases.Add(names[d], clusters[d].ConnectionString, [.. tenantIds.Where((_, i) => i % n == d)]);
                }
            }
        });
        await ledger.ApplySchemaAsync();

        // Per tenant: one token, one pool per writer with room for every grant of the run.
        var pools = new PoolId[tenantCount, writers];
        for (var t = 0; t < tenantCount; t++)
        {
            var tenant = ledger.ForTenant(tenantIds[t]);
            var token = new TokenId("tok");
            await Run(tenant, new UploadTokenFile(
                token,
                VppTokenFile.Create("Bench Org", "bench-secret", SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(300)),
                LocationKey.FromAppleLocationId($"bench-db{n}{run}-t{t}"),
                new AppleId("admin@bench.example", AppleIdKind.Managed),
                new TokenSettings("Bench", "US", TokenAccountType.Business, true),
                true,
                false,
                CommandId.New(),
                Apps));
            for (var w = 0; w < writers; w++)
            {
                pools[t, w] = new PoolId(token, new AdamId((1000 + w).ToString(CultureInfo.InvariantCulture)));
                await Run(tenant, new ApplyAppleCounts(pools[t, w], ProductKind.App, 10_000_000, 0, null, CommandId.New(), Apps));
            }
        }

        // Idle cost per database: the ledger running (its sealer polls every database), no command.
        var idleBefore = clusters.Select(ConcurrencyCommand.ServerCpu).ToArray();
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idle = clusters.Select((c, i) => (ConcurrencyCommand.ServerCpu(c) - idleBefore[i]).TotalMilliseconds / idleClock.Elapsed.TotalSeconds).ToArray();

        var serverBefore = clusters.Select(ConcurrencyCommand.ServerCpu).ToArray();
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var holder = 0L;
        var timed = await ConcurrencyCommand.TimeAsync(tenantCount * writers, seconds, async (i, stop) =>
        {
            var tenant = ledger.ForTenant(tenantIds[i / writers]);
            var poolId = pools[i / writers, i % writers];
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                // An MDM's everyday pair: a device enrolls, then gets its license. Two commands.
                var device = new DeviceId($"dev-{Interlocked.Increment(ref holder)}");
                await Run(tenant, new Directory.RecordDevice(device, new SerialNumber($"SN{device.Value}"), Profile, null, null, CommandId.New(), Apps));
                await Run(tenant, new GrantLicenses(poolId, [Holder.ForDevice(device)], CommandId.New(), Apps));
                done += 2;
            }

            return done;
        });

        // The warm-up's commands count in the CPU deltas too: divide by every command since the marks.
        var clientMs = (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalMilliseconds;
        var serverMs = clusters.Select((c, i) => (ConcurrencyCommand.ServerCpu(c) - serverBefore[i]).TotalMilliseconds).ToArray();
        var commands = 2 * Interlocked.Read(ref holder);
        var serverTotal = serverMs.Sum();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {n} | {timed.Count / timed.Seconds:N0} | {clientMs / commands:N2} | {serverTotal / commands:N2} | {string.Join(" / ", serverMs.Select(s => $"{100 * s / serverTotal:N0}%"))} | {string.Join(" / ", serverMs.Select(s => $"{s / commands:N2}"))} | {string.Join(" / ", idle.Select(s => $"{s:N0}"))} |");
    }

    private static readonly Directory.DeviceProfile Profile = new(Directory.Platform.iOS, Directory.Ownership.Corporate, Directory.EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);

    private static Task Run(ITenantLedger tenant, ILedgerCommand command) => ConcurrencyCommand.Run(tenant, command);
}
