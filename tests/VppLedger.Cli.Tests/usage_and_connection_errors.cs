using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary>Errors in one sentence that says what to do, with the exit codes of docs/cli.md; no stack trace unless --verbose.</summary>
public sealed class usage_and_connection_errors
{
    [Theory]
    [InlineData("report", "--tenant", "contoso")]
    [InlineData("db", "apply")]
    public async Task without_a_connection_the_error_names_every_way_to_give_one(params string[] args)
    {
        var run = await Tool.RunAsync(args);

        Assert.Equal(ExitCodes.NoDatabase, run.ExitCode);
        Assert.Contains("--connection", run.Error, StringComparison.Ordinal);
        Assert.Contains("VPPLEDGER_CONNECTION", run.Error, StringComparison.Ordinal);
        Assert.Contains("PGHOST", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task a_server_that_does_not_answer_is_exit_code_3()
    {
        var run = await Tool.RunAsync("report", "--tenant", "contoso", "--connection", "Host=127.0.0.1;Port=1;Username=nobody;Timeout=3");

        Assert.Equal(ExitCodes.NoDatabase, run.ExitCode);
        Assert.Contains("Could not reach PostgreSQL", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task verbose_adds_the_stack_trace()
    {
        var run = await Tool.RunAsync("report", "--tenant", "contoso", "--connection", "Host=127.0.0.1;Port=1;Username=nobody;Timeout=3", "--verbose");

        Assert.Equal(ExitCodes.NoDatabase, run.ExitCode);
        Assert.Contains("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("report")]
    [InlineData("report", "--tenant", "contoso", "--no-such-option")]
    [InlineData("token", "inspect")]
    public async Task a_usage_error_is_exit_code_2(params string[] args)
    {
        var run = await Tool.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--help", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_malformed_connection_string_is_a_usage_error()
    {
        var run = await Tool.RunAsync("db", "apply", "--connection", "Hots=nowhere");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("connection string", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task help_lists_the_commands_and_exits_0()
    {
        var run = await Tool.RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("token", run.Output, StringComparison.Ordinal);
        Assert.Contains("report", run.Output, StringComparison.Ordinal);
        Assert.Contains("demo", run.Output, StringComparison.Ordinal);
    }
}
