using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Npgsql;

namespace VppLedger.Testing;

/// <summary>
/// The embedded default: finds the PostgreSQL to use, or starts a throwaway one.
/// In order: <c>VPPLEDGER_CONNECTION</c>; else the standard <c>PG*</c> variables when <c>PGHOST</c> is set;
/// else a new local cluster from the machine's PostgreSQL binaries, on a free loopback port, run as the
/// <c>postgres</c> OS user when the process is root (PostgreSQL refuses root), removed on dispose or exit.
/// </summary>
/// <remarks>Thread-safe to read; dispose once. Disposing a server that was given (not started) does nothing.</remarks>
[SupportedOSPlatform("linux")]
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string? _dataDirectory;
    private readonly string? _binDirectory;
    private readonly bool _asPostgresUser;
    private readonly string? _serverOptions;
    private int _disposed;

    private EmbeddedPostgres(string connectionString, string description, string? dataDirectory, string? binDirectory, bool asPostgresUser, string? serverOptions = null)
    {
        _serverOptions = serverOptions;
        ConnectionString = connectionString;
        Description = description;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _asPostgresUser = asPostgresUser;
        if (dataDirectory is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    /// <summary>The Npgsql connection string of the server in use.</summary>
    public string ConnectionString { get; }

    /// <summary>One line for a person: where the server came from (never a password).</summary>
    public string Description { get; }

    /// <summary>True when this object started a throwaway cluster (and will remove it).</summary>
    public bool IsThrowaway => _dataDirectory is not null;

    /// <summary>The data directory of the throwaway cluster, or null for a given server.</summary>
    public string? DataDirectory => _dataDirectory;

    /// <summary>
    /// Uses the configured server, or starts a throwaway cluster when none is configured.
    /// </summary>
    /// <param name="options">How to start a throwaway cluster; ignored for a configured server.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="PostgresUnavailableException">No server is configured and no PostgreSQL binaries are installed, or the cluster did not start.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedPostgresOptions();
        var environment = options.Environment ?? Environment.GetEnvironmentVariable;
        var configured = PostgresEnvironment.ConfiguredConnection(environment);
        if (configured is not null)
        {
            var source = string.IsNullOrWhiteSpace(environment(PostgresEnvironment.ConnectionVariable)) ? "the PG* environment variables" : PostgresEnvironment.ConnectionVariable;
            var builder = new NpgsqlConnectionStringBuilder(configured);
            return new EmbeddedPostgres(configured, $"PostgreSQL at {builder.Host}:{builder.Port} (from {source})", null, null, false);
        }

        return await StartThrowawayAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a throwaway cluster even when a server is configured (tests of the launcher itself).</summary>
    /// <param name="options">How to start it.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="PostgresUnavailableException">No PostgreSQL binaries are installed, or the cluster did not start.</exception>
    public static async Task<EmbeddedPostgres> StartThrowawayAsync(EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bin = FindBinaries() ?? throw new PostgresUnavailableException(
            $"No PostgreSQL server is configured and no PostgreSQL binaries were found (initdb, pg_ctl on PATH or in /usr/lib/postgresql/*/bin). " +
            $"Set {PostgresEnvironment.ConnectionVariable} to an Npgsql connection string (or the PG* variables), or install the server: apt-get install postgresql.");

        var asPostgresUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "vppledger-pg-" + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal));
        var fsync = options.Durable ? "on" : "off";

        await RunAsync(bin, "initdb", asPostgresUser, cancellationToken,
            "-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").ConfigureAwait(false);

        var pg = default(EmbeddedPostgres);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackPort();
                var serverOptions = string.Join(' ',
                    $"-c port={port}",
                    "-c listen_addresses=127.0.0.1",
                    $"-c unix_socket_directories={dataDirectory}",
                    $"-c max_connections={options.MaxConnections}",
                    $"-c fsync={fsync}",
                    $"-c synchronous_commit={fsync}",
                    $"-c full_page_writes={fsync}",
                    "-c shared_buffers=256MB");
                try
                {
                    await RunAsync(bin, "pg_ctl", asPostgresUser, cancellationToken,
                        "-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                        "-o", serverOptions, "start").ConfigureAwait(false);
                }
                catch (PostgresUnavailableException) when (attempt < 3)
                {
                    continue; // another process took the port between the probe and the start
                }

                var connection = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = "postgres",
                    Database = "postgres",
                    MaxPoolSize = options.MaxPoolSize,
                }.ConnectionString;
                pg = new EmbeddedPostgres(connection, $"throwaway PostgreSQL on 127.0.0.1:{port} (data in {dataDirectory}, removed at the end)", dataDirectory, bin, asPostgresUser, serverOptions);
                return pg;
            }
        }
        catch
        {
            if (pg is null)
            {
                TryDelete(dataDirectory);
            }

            throw;
        }
    }

    /// <summary>
    /// Stops a throwaway cluster at once (as a crash would) and keeps its data: a test of a database that goes down.
    /// <see cref="StartAgainAsync"/> brings it back on the same port.
    /// </summary>
    /// <param name="cancellationToken">Cancels the stop.</param>
    /// <exception cref="InvalidOperationException">The server is a configured one, not a throwaway cluster.</exception>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ThrowawayBinaries(), "pg_ctl", _asPostgresUser, cancellationToken, "-D", _dataDirectory!, "-m", "immediate", "-w", "stop");

    /// <summary>Starts a throwaway cluster stopped with <see cref="StopAsync"/> again, with the same data and port.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">The server is a configured one, not a throwaway cluster.</exception>
    /// <exception cref="PostgresUnavailableException">The cluster did not start (for example another process took its port).</exception>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var log = Path.Combine(_dataDirectory ?? "", "server.log");
        try
        {
            await RunAsync(ThrowawayBinaries(), "pg_ctl", _asPostgresUser, cancellationToken,
                "-D", _dataDirectory!, "-l", log, "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                "-o", _serverOptions!, "start").ConfigureAwait(false);
        }
        catch (PostgresUnavailableException e) when (File.Exists(log))
        {
            var tail = string.Join('\n', (await File.ReadAllLinesAsync(log, cancellationToken).ConfigureAwait(false)).TakeLast(8));
            throw new PostgresUnavailableException($"{e.Message} Server log: {tail}", e);
        }
    }

    private string ThrowawayBinaries() => _dataDirectory is not null && _binDirectory is not null && _serverOptions is not null
        ? _binDirectory
        : throw new InvalidOperationException($"Only a throwaway cluster started by this object can be stopped and started; {Description} is not one.");

    /// <summary>Stops and removes a throwaway cluster; does nothing for a configured server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || _dataDirectory is null)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(_binDirectory!, "pg_ctl", _asPostgresUser, CancellationToken.None, "-D", _dataDirectory, "-m", "immediate", "-w", "stop").ConfigureAwait(false);
        }
        finally
        {
            TryDelete(_dataDirectory);
        }
    }

    // At process exit there is little time (a test host is killed soon after): signal the postmaster
    // directly for an immediate shutdown instead of waiting on pg_ctl, then remove the data folder.
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || _dataDirectory is null)
        {
            return;
        }

        var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
        if (File.Exists(pidFile)
            && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            && NativeMethods.Kill(pid, NativeMethods.SigQuit) == 0)
        {
            for (var i = 0; i < 20 && IsRunning(pid); i++)
            {
                Thread.Sleep(25);
            }
        }

        TryDelete(_dataDirectory);
    }

    // A process that exited but was not reaped (a zombie, state Z) still answers kill(pid, 0).
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? FindBinaries()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                var target = File.ResolveLinkTarget(initdb, returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(target);
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (!System.IO.Directory.Exists(debianRoot))
        {
            return null;
        }

        return System.IO.Directory.GetDirectories(debianRoot)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")) && File.Exists(Path.Combine(d.Dir, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Dir)
            .FirstOrDefault();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string bin, string tool, bool asPostgresUser, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgresUser)
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", Path.Combine(bin, tool) })
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = Path.Combine(bin, tool);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new PostgresUnavailableException($"Could not run {tool}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var detail = ((await error.ConfigureAwait(false)) + (await output.ConfigureAwait(false))).Trim();
            var hint = asPostgresUser ? " (run as the postgres OS user because this process is root; that user must exist)" : "";
            throw new PostgresUnavailableException(
                $"{tool} failed with exit code {process.ExitCode}{hint}: {detail} Set {PostgresEnvironment.ConnectionVariable} to use an existing server instead.");
        }
    }

    private static void TryDelete(string directory)
    {
        // pg_ctl returns when the postmaster is gone; a backend it signalled may still be writing its last files, so a
        // recursive delete can meet a folder that is not empty yet (seen: half-removed clusters left in /tmp). A few
        // tries, then the folder is left behind, which is harmless.
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            try
            {
                if (System.IO.Directory.Exists(directory))
                {
                    System.IO.Directory.Delete(directory, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            Thread.Sleep(100 * attempt);
        }
    }
}

internal static class NativeMethods
{
    public const int SigQuit = 3;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}

/// <summary>How <see cref="EmbeddedPostgres"/> starts a throwaway cluster.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>
    /// False (default): fsync, synchronous commit and full-page writes are off, since the cluster is thrown away.
    /// True: PostgreSQL's durable defaults, for benchmarks that must reflect a real server.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>The server's <c>max_connections</c>.</summary>
    public int MaxConnections { get; init; } = 100;

    /// <summary>The Npgsql pool size in the connection string handed out.</summary>
    public int MaxPoolSize { get; init; } = 20;

    /// <summary>Where <see cref="EmbeddedPostgres.StartAsync"/> reads variables; null: the process environment.</summary>
    public Func<string, string?>? Environment { get; init; }
}

/// <summary>No PostgreSQL could be used: says which variable to set or which package to install.</summary>
public sealed class PostgresUnavailableException : Exception
{
    /// <summary>Creates the exception with a message that says what to do.</summary>
    public PostgresUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public PostgresUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PostgresUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
