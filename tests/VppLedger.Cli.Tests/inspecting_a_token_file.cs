using NodaTime;
using Snapshooter.Xunit;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger token inspect</c>: offline, and never the secret (rule T12).</summary>
public sealed class inspecting_a_token_file : IDisposable
{
    private const string Secret = "S3CR3T-never-to-be-printed-4f9a";
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("vppledger-cli-").FullName;

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string ValidFile(Duration validFor) =>
        Write("contoso.vpptoken", VppTokenFile.Create("Contoso Ltd", Secret, Tool.Now + validFor));

    [Fact]
    [Trait("Rule", "T12")]
    public async Task it_shows_the_organization_expiry_and_state_and_never_the_secret()
    {
        var path = ValidFile(Duration.FromDays(200));

        var table = await Tool.RunAsync("token", "inspect", path);
        var json = await Tool.RunAsync("token", "inspect", path, "--json");
        var verbose = await Tool.RunAsync("token", "inspect", path, "--verbose");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        foreach (var run in new[] { table, json, verbose })
        {
            Assert.DoesNotContain(Secret, run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, run.Error, StringComparison.Ordinal);
        }

        Assert.Contains("Contoso Ltd", table.Output, StringComparison.Ordinal);
        Snapshot.Match(table.Output);
    }

    [Fact]
    [Trait("Rule", "T12")]
    public async Task the_json_form_names_the_same_facts_for_scripts()
    {
        var run = await Tool.RunAsync("token", "inspect", ValidFile(Duration.FromDays(20)), "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.DoesNotContain(Secret, run.Output, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.Equal("Contoso Ltd", json.RootElement.GetProperty("organization").GetString());
        Assert.Equal("expiringSoon", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(20, json.RootElement.GetProperty("daysLeft").GetInt32());
        Assert.Equal(TokenFingerprint.Of(Secret).Hex, json.RootElement.GetProperty("fingerprint").GetString());
    }

    [Fact]
    [Trait("Rule", "T2")]
    public async Task an_expired_file_still_shows_its_facts_and_says_it_is_expired()
    {
        var run = await Tool.RunAsync("token", "inspect", ValidFile(-Duration.FromDays(3)), "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.Equal("expired", json.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task a_malformed_file_is_exit_code_4_with_what_to_do()
    {
        var run = await Tool.RunAsync("token", "inspect", Write("broken.vpptoken", "this is not base64!"));

        Assert.Equal(ExitCodes.BadInputFile, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("[TokenFileNotBase64]", run.Error, StringComparison.Ordinal);
        Assert.Contains("Download the token again", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_file_with_a_missing_field_is_exit_code_4()
    {
        var noSecret = Convert.ToBase64String("{\"orgName\":\"Contoso\",\"expDate\":\"2030-01-01T00:00:00+0000\"}"u8.ToArray());

        var run = await Tool.RunAsync("token", "inspect", Write("nosecret.vpptoken", noSecret));

        Assert.Equal(ExitCodes.BadInputFile, run.ExitCode);
        Assert.Contains("token", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_missing_file_is_exit_code_4()
    {
        var run = await Tool.RunAsync("token", "inspect", Path.Combine(_folder, "nowhere.vpptoken"));

        Assert.Equal(ExitCodes.BadInputFile, run.ExitCode);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
    }

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);
}
