using System.Diagnostics;
using System.Globalization;
using System.Text;
using VppLedger.Testing;

namespace VppLedger.Benchmarks.Scale;

/// <summary>
/// <c>import [--lines 1000000] [--connection CS] [--page-size 5000] [--keep FILE]</c>: writes a valid NDJSON history of
/// about that many lines to a temporary file (one token, pools of 4,000 licenses, one user each line, each user granted
/// a license, then as many reclaims as fill the count), imports it with <see cref="Audit.ITenantAudit.ImportAsync"/>
/// from a <see cref="FileStream"/>, and prints the time, the rate, the process's peak resident memory (VmHWM, reset just
/// before the import) and what the import's reader held at once. Without a connection it starts a throwaway durable cluster.
/// </summary>
internal static class ImportCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var lines = long.Parse(Option(args, "--lines") ?? "1000000", CultureInfo.InvariantCulture);
        var pageSize = int.Parse(Option(args, "--page-size") ?? "5000", CultureInfo.InvariantCulture);
        var connection = Option(args, "--connection");
        var path = Option(args, "--keep") ?? Path.Combine(Path.GetTempPath(), $"vppledger-import-bench-{Guid.NewGuid():N}.ndjson");

        var written = Stopwatch.StartNew();
        var count = await WriteHistoryAsync(path, lines);
        Console.WriteLine($"// wrote {count:N0} lines, {new FileInfo(path).Length / 1e6:N0} MB to {path} in {written.Elapsed.TotalSeconds:N1} s");

        await using var server = connection is null ? await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = true, MaxPoolSize = 8 }) : null;
        var stats = new Storage.ImportReaderStats();
        await using var ledger = LicenseLedger.Create(connection ?? server!.ConnectionString, o =>
        {
            o.SchemaName = "bench_import";
            o.ImportPageSize = pageSize;
            o.ImportReaderStats = stats;
        });
        await ledger.ApplySchemaAsync();
        var tenant = ledger.ForTenant(new TenantId("import-" + Guid.NewGuid().ToString("N")[..8]));

        GC.Collect();
        var reset = PeakMemory.Reset();
        var before = PeakMemory.ReadKilobytes("VmHWM");
        var import = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var tenantId = tenant.Tenant.Value;
        var progress = Task.Run(async () =>
        {
            // Progress every 30 s, from the log itself: events so far, and the peak resident memory so far.
            await using var dataSource = Npgsql.NpgsqlDataSource.Create(connection ?? server!.ConnectionString);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), stop.Token);
                    await using var command = dataSource.CreateCommand($"select count(*) from bench_import.mt_events where tenant_id = '{tenantId}'");
                    var events = (long)(await command.ExecuteScalarAsync(stop.Token))!;
                    Console.WriteLine($"// {import.Elapsed.TotalSeconds:N0} s: {events:N0} events, VmHWM {PeakMemory.ReadKilobytes("VmHWM") / 1024.0:N0} MB, load {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}");
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true))
        {
            var result = await tenant.Audit.ImportAsync(file, new Actor("bench import", Permissions.ImportHistory));
            import.Stop();
            await stop.CancelAsync();
            await progress;
            if (!result.Succeeded)
            {
                Console.WriteLine($"REFUSED: {result.Rejection}");
                return 1;
            }

            Result("import", $"{result.ImportedCount:N0} of {result.LineCount:N0} lines in {import.Elapsed.TotalSeconds:N1} s = {result.ImportedCount / import.Elapsed.TotalSeconds:N0} lines/s, pages of {pageSize:N0}");
        }

        Result("import-memory", $"process peak RSS (VmHWM) {PeakMemory.ReadKilobytes("VmHWM") / 1024.0:N0} MB ({(reset ? "reset before the import" : "since process start")}; {before / 1024.0:N0} MB before), managed heap now {GC.GetTotalMemory(false) / 1e6:N0} MB; reader held at most {stats.MaxLinesBuffered:N0} lines, {stats.MaxCharsBuffered / 1e6:N1} M characters");
        if (Option(args, "--keep") is null)
        {
            File.Delete(path);
        }

        return 0;
    }

    /// <summary>The history: a token, its pools' counts, the users, their grants, then reclaims; in time order.</summary>
    private static async Task<long> WriteHistoryAsync(string path, long lines)
    {
        const int PerPool = 4000;
        var users = Math.Max(1, (lines - 1) / 2 - ((lines - 1) / 2 / PerPool) - 1);
        var pools = (users + PerPool - 1) / PerPool;
        var reclaims = Math.Max(0, lines - 1 - pools - (2 * users));
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        long count = 0;
        async Task Line(string text)
        {
            await writer.WriteAsync(text);
            await writer.WriteAsync('\n');
            count++;
        }

        await Line("""{"event":"vpp.token.uploaded.v1","stream":"token:tok","actor":"legacy-mdm","data":{"OccurredAt":"2024-04-30T08:00:00Z","Token":"tok","Location":"apple:loc-bench","File":{"OrganizationName":"Contoso Ltd","ExpiresAt":"2025-04-30T08:00:00Z","Fingerprint":"471f937e5cb27966885927976f9b94f62d860044ac6181b89d71a9d19a84f8ab"},"ManagedAppleId":{"Value":"vpp-admin@contoso.example","Kind":"Managed"},"Settings":{"Name":"Legacy","CountryCode":"US","AccountType":"Business","AutomaticAppUpdates":true},"Programme":"AppsAndBooks","TookControlFromOtherMdm":false,"DuplicateOf":null}}""");
        for (long u = 0; u < users; u++)
        {
            var id = Id(u);
            await Line("{\"event\":\"vpp.user.recorded.v1\",\"stream\":\"user:" + id + "\",\"actor\":\"legacy-mdm\",\"data\":{\"OccurredAt\":\"2024-04-30T08:00:00Z\",\"User\":\"" + id
                + "\",\"PersonalAppleId\":null,\"ManagedAppleId\":{\"Value\":\"" + id + "@contoso.example\",\"Kind\":\"Managed\"}}}");
        }

        for (long p = 0; p < pools; p++)
        {
            await Line("{\"event\":\"vpp.pool.apple_counts_applied.v1\",\"stream\":\"pool:tok:" + (1000 + p) + "\",\"actor\":\"legacy-mdm\",\"data\":{\"Pool\":{\"Token\":\"tok\",\"AdamId\":\"" + (1000 + p)
                + "\"},\"Product\":\"App\",\"PurchasedCount\":" + PerPool + ",\"RetiredCount\":0,\"AppleAssignedCount\":null,\"OccurredAt\":\"2024-05-01T08:00:00Z\"}}");
        }

        for (long u = 0; u < users; u++)
        {
            await Line(Seat("license_granted", u, "\"Reason\":\"Targeted\",\"Rule\":\"A6\",\"OccurredAt\":\"2024-05-02T08:00:00Z\""));
        }

        for (long u = 0; u < Math.Min(reclaims, users); u++)
        {
            await Line(Seat("license_reclaimed", u, "\"Reason\":\"Revoked\",\"Rule\":\"R3\",\"OccurredAt\":\"2024-06-01T08:00:00Z\""));
        }

        return count;

        static string Id(long u) => "u" + u.ToString("D7", CultureInfo.InvariantCulture);

        static string Seat(string name, long u, string rest)
        {
            var adam = (1000 + (u / PerPool)).ToString(CultureInfo.InvariantCulture);
            return "{\"event\":\"vpp.pool." + name + ".v1\",\"stream\":\"pool:tok:" + adam + "\",\"actor\":\"legacy-mdm\",\"data\":{\"Pool\":{\"Token\":\"tok\",\"AdamId\":\"" + adam
                + "\"},\"Holder\":\"u." + Id(u) + ".managed\"," + rest + "}}";
        }
    }

    private static void Result(string name, string text) =>
        Console.WriteLine($"RESULT {name}: {text} (load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))})");

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
