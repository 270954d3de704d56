using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace VppLedger.ReliabilityTests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster this test run owns, started like the embedded default (src/VppLedger.Testing/EmbeddedPostgres.cs:
/// the machine's binaries, a free loopback port, the postgres OS user when root), so that it can be killed with
/// SIGKILL and restarted on the same data directory and port. Synchronous commit is on (an acknowledged commit is in
/// the WAL the kernel holds, which a killed postmaster cannot lose); fsync is off, since the machine itself does not crash.
/// </summary>
public sealed class OwnedCluster : IAsyncDisposable
{
    private const int MaxStartAttempts = 120;
    private static readonly TimeSpan StartAttemptPause = TimeSpan.FromMilliseconds(250);
    private readonly bool _asPostgresUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    private OwnedCluster(string bin, string dataDirectory)
    {
        BinDirectory = bin;
        DataDirectory = dataDirectory;
    }

    public string BinDirectory { get; }

    public string DataDirectory { get; }

    public int Port { get; private set; }

    public string LogFile => Path.Combine(DataDirectory, "server.log");

    public int Kills { get; private set; }

    public string ConnectionString(int maxPoolSize = 30) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        MaxPoolSize = maxPoolSize,
        Timeout = 10,
    }.ConnectionString;

    public static async Task<OwnedCluster> StartAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException("No PostgreSQL binaries (initdb, pg_ctl): run .ci/ensure-postgres or apt-get install postgresql.");
        var data = Path.Combine(Path.GetTempPath(), "vppledger-reliability-" + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal));
        var cluster = new OwnedCluster(bin, data);
        await cluster.RunAsync("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        for (var attempt = 1; ; attempt++)
        {
            cluster.Port = FreeLoopbackPort();
            try
            {
                await cluster.StartServerAsync();
                return cluster;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // another process took the port between the probe and the start
            }
        }
    }

    /// <summary>SIGKILL to the postmaster, as the kernel's OOM killer would; its backends are left to notice.</summary>
    public void KillPostmaster()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        process.Kill(); // SIGKILL on Unix
        process.WaitForExit(10_000);
        Kills++;
    }

    /// <summary>Starts the server again on the same data directory and port; bounded in attempts and time.</summary>
    public async Task RestartAsync()
    {
        var deadline = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartServerAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < MaxStartAttempts && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                // The killed postmaster's backends still hold its shared memory until they notice; try again.
                await Task.Delay(StartAttemptPause);
            }
        }
    }

    /// <summary>Runs a binary of the cluster's installation (pg_dump ...) as the cluster's OS user; returns its standard output.</summary>
    public Task<string> RunAsync(string tool, params string[] arguments) => RunToolAsync(tool, arguments);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            System.IO.Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task StartServerAsync()
    {
        var options = string.Join(' ',
            $"-c port={Port}",
            "-c listen_addresses=127.0.0.1",
            $"-c unix_socket_directories={DataDirectory}",
            "-c max_connections=200",
            "-c fsync=off",
            "-c synchronous_commit=on",
            "-c full_page_writes=off",
            "-c shared_buffers=64MB");
        return RunAsync("pg_ctl", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start");
    }

    private async Task<string> RunToolAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (_asPostgresUser)
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", Path.Combine(BinDirectory, tool) })
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = Path.Combine(BinDirectory, tool);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {tool}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed with exit code {process.ExitCode}: {await error}");
        }

        return await output;
    }

    private static string? FindBinaries()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return Path.GetDirectoryName(File.ResolveLinkTarget(initdb, returnFinalTarget: true)?.FullName ?? initdb);
            }
        }

        return System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
    }

    /// <summary>A loopback port nobody listens on right now (the listener is closed before it returns).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
