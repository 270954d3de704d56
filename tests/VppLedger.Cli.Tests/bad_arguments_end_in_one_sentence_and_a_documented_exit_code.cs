using System.Diagnostics;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary>
/// Every bad argument or connection string found by a new user ends with one sentence and a documented exit code
/// (docs/cli.md), never 70 and never a stack trace; nothing is written and nothing waits on a server.
/// </summary>
public sealed class bad_arguments_end_in_one_sentence_and_a_documented_exit_code
{
    private static readonly int[] Documented = [ExitCodes.Ok, ExitCodes.Rejected, ExitCodes.Usage, ExitCodes.NoDatabase, ExitCodes.BadInputFile, ExitCodes.UnknownTenant, ExitCodes.SchemaMissing, ExitCodes.Cancelled];

    [Theory]
    [InlineData("report", "--tenant", "contoso", "-c", "Host=")]
    [InlineData("report", "--tenant", "contoso", "-c", "")]
    [InlineData("report", "--tenant", "contoso", "-c", "Host=127.0.0.1;Maximum Pool Size=0")]
    [InlineData("report", "--tenant", "contoso", "-c", "Host=127.0.0.1;Port=notaport")]
    [InlineData("report", "--tenant", "contoso", "-c", "Hots=nowhere")]
    [InlineData("demo", "-c", "Host=")]
    [InlineData("report", "--tenant", "contoso", "-c", "Host=127.0.0.1", "--schema", "")]
    [InlineData("report", "--tenant", "contoso", "-c", "Host=127.0.0.1", "--schema", "Upper")]
    [InlineData("db", "apply", "-c", "Host=127.0.0.1", "--schema", "x; drop table y")]
    [InlineData("db", "apply", "-c", "Host=127.0.0.1", "--schema", "select")]
    [InlineData("demo", "--schema", "x; drop table y")]
    [InlineData("rebuild", "-c", "Host=127.0.0.1", "--schema", "pg_catalog")]
    [InlineData("db", "apply", "-c", "Host=127.0.0.1", "--database", "db2")]
    [InlineData("db", "apply", "-c", "Host=127.0.0.1", "--database", "Db2=Host=127.0.0.1")]
    [InlineData("db", "apply", "-c", "Host=127.0.0.1", "--database", "control=Host=127.0.0.1")]
    [InlineData("report", "--tenant", "contoso", "-c", "Host=127.0.0.1", "--database", "db2=Hots=nowhere")]
    public async Task a_bad_connection_string_or_schema_is_a_usage_error_in_one_line(params string[] args)
    {
        var watch = Stopwatch.StartNew();
        var run = await Tool.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output); // no DDL, no table
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}: it waited on a server"); // Maximum Pool Size=0 waited 16 s
    }

    [Theory]
    [InlineData("Host=")]
    [InlineData("this is not a connection string")]
    [InlineData("Host=127.0.0.1;Maximum Pool Size=0")]
    public async Task a_malformed_VPPLEDGER_CONNECTION_is_named_in_one_sentence(string connection)
    {
        var run = await Tool.RunAsync(new Dictionary<string, string> { ["VPPLEDGER_CONNECTION"] = connection }, "report", "--tenant", "contoso");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains("VPPLEDGER_CONNECTION", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task a_schema_that_is_not_a_plain_identifier_is_named_with_what_to_write()
    {
        var run = await Tool.RunAsync("db", "apply", "-c", "Host=127.0.0.1", "--schema", "x; drop table y");

        Assert.Contains("--schema", run.Error, StringComparison.Ordinal);
        Assert.Contains("lower-case letters, digits or '_'", run.Error, StringComparison.Ordinal);
        Assert.Contains(run.ExitCode, Documented);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x; drop table y")]
    [InlineData("Vpp")]
    [InlineData("user")]
    [InlineData("pg_temp")]
    public void the_library_refuses_the_same_schema_names(string schema)
    {
        var e = Assert.Throws<ArgumentException>(() => new VppLedgerOptions { SchemaName = schema });
        Assert.Equal("SchemaName", e.ParamName);
    }

    [Fact]
    public async Task version_prints_the_informational_version_and_exits_0()
    {
        var run = await Tool.RunAsync("--version");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal($"vppledger {VppLedgerCli.Version}", run.Output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", VppLedgerCli.Version);
        Assert.Empty(run.Error);
    }
}
