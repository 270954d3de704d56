using System.Diagnostics;
using Xunit.Abstractions;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary>
/// Ctrl+C is a real SIGINT to a real <c>vppledger</c> process: it exits 130 with one line on standard error and no
/// stack trace, and the database is left consistent (the hash chain verifies and the tenant reads).
/// </summary>
public sealed class ctrl_c_stops_any_command_within_a_second(ITestOutputHelper output)
{
    private const string Schema = "cli_sigint";
    private const string Tenant = "interrupted";

    [Fact]
    [Trait("Rule", "I1")]
    public async Task sigint_during_the_demo_exits_130_with_one_line_and_leaves_the_database_consistent()
    {
        var connection = await TestServer.ConnectionStringAsync();
        await using (var c = new Npgsql.NpgsqlConnection(connection))
        {
            await c.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {Schema} cascade", c);
            await drop.ExecuteNonQueryAsync();
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", ToolPath(), "demo", "--connection", connection, "--schema", Schema, "--tenant", Tenant })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = new List<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (error)
                {
                    error.Add(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            // Signal in the middle of the story: after its third step began, commands are being written.
            if (e.Data?.Contains("3. ", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await started.Task.WaitAsync(TimeSpan.FromMinutes(2));
        int before;
        lock (error)
        {
            before = error.Count;
        }

        var signalled = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var took = signalled.Elapsed;
        output.WriteLine($"exit {process.ExitCode} {took.TotalMilliseconds:0} ms after SIGINT");

        Assert.Equal(ExitCodes.Cancelled, process.ExitCode);
        string[] after;
        lock (error)
        {
            after = [.. error.Skip(before)];
        }

        Assert.Equal([VppLedgerCli.CancelledMessage], after);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}"); // the tool gives itself 0.8 s; a loaded machine may add to that

        // Consistent: every committed transaction is whole, so the chain verifies and the tenant reads.
        var environment = new Dictionary<string, string> { ["VPPLEDGER_CONNECTION"] = connection };
        var verify = await Tool.RunAsync(environment, "audit", "verify", "--tenant", Tenant, "--schema", Schema);
        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.ToString());
        var report = await Tool.RunAsync(environment, "report", "--tenant", Tenant, "--schema", Schema);
        Assert.True(report.ExitCode == ExitCodes.Ok, report.ToString());
    }

    // The tool as built next to the tests (the project reference copies it with its runtime configuration).
    private static string ToolPath()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "VppLedger.Cli.dll");
        Assert.True(File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")), $"{path} and its runtimeconfig.json are built with the tests");
        return path;
    }
}
