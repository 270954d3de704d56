using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger what-if</c>: a JSON command file decided on the seeded tenant, nothing written.</summary>
[Collection(SeededCollection.Name)]
public sealed class previewing_a_command_from_a_file(SeededTenant db)
{
    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public async Task deleting_the_main_token_would_orphan_the_three_seats_it_holds()
    {
        var file = Path.Combine(Path.GetTempPath(), $"what-if-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "command": "DeleteToken", "Token": "tok-main" }""");
        try
        {
            var run = await Tool.RunAsync(db.Environment, "what-if", file, "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json");
            var table = await Tool.RunAsync(db.Environment, "what-if", file, "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema);
            var report = await Tool.RunAsync(db.Environment, "report", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json");

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            using var json = System.Text.Json.JsonDocument.Parse(run.Output);
            var pages = json.RootElement.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("adamId").GetString() == "361309726");
            Assert.Equal(3, pages.GetProperty("orphaned").GetInt32());
            Assert.Equal("applied", json.RootElement.GetProperty("status").GetString());
            Assert.True(table.ExitCode == ExitCodes.Ok, table.ToString());
            Assert.Contains("nothing was written", table.Output, StringComparison.Ordinal);
            Assert.Contains("\"state\": \"valid\"", report.Output, StringComparison.Ordinal); // tok-main is still there
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task a_file_naming_no_known_command_is_exit_code_4_and_lists_the_commands()
    {
        var file = Path.Combine(Path.GetTempPath(), $"what-if-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "command": "DropEverything" }""");
        try
        {
            var run = await Tool.RunAsync(db.Environment, "what-if", file, "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema);

            Assert.Equal(ExitCodes.BadInputFile, run.ExitCode);
            Assert.Contains("unknown command 'DropEverything'", run.Error, StringComparison.Ordinal);
            Assert.Contains("DeleteToken", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
