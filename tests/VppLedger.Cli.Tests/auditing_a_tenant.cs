using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using VppLedger.Cli.Infrastructure;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary>The audit commands (history, as-of, explain, verify, export, import, rebuild) against the seeded tenant.</summary>
[Collection(SeededCollection.Name)]
public sealed class auditing_a_tenant(SeededTenant db) : IDisposable
{
    private const string Pages = "tok-main:361309726";
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("vppledger-cli-audit-").FullName;

    private Task<CliRun> Run(params string[] args) => Tool.RunAsync(db.Environment, [.. args, "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema]);

    private static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    [Fact]
    [Trait("Rule", "I1")]
    public async Task the_history_of_a_holder_lists_its_rows_with_rule_ids_and_no_apple_id()
    {
        var run = await Run("audit", "history", "--holder", "u.u4.managed", "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var queued = Assert.Single(rows, r => r.GetProperty("action").GetString()!.Contains("queued", StringComparison.Ordinal));
        Assert.Equal("A6", queued.GetProperty("rule").GetString());
        Assert.DoesNotContain("u4@contoso.example", run.Output, StringComparison.Ordinal);

        var table = await Run("audit", "history", "--app", "361309726");
        Assert.True(table.ExitCode == ExitCodes.Ok, table.ToString());
        Assert.Contains("row(s)", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_history_needs_a_holder_an_app_or_a_token()
    {
        var run = await Run("audit", "history");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--holder, --app or --token", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task as_of_an_earlier_moment_the_pool_had_no_holder_and_no_queue()
    {
        var before = await Run("audit", "as-of", Iso(SeededTenant.Uploaded + Duration.FromHours(1)), "--json");
        var after = await Run("audit", "as-of", Iso(SeededTenant.Assigned + Duration.FromHours(1)), "--json");

        Assert.True(before.ExitCode == ExitCodes.Ok, before.ToString());
        Assert.Equal((0, 0), PagesCounts(before.Output));
        Assert.Equal((3, 2), PagesCounts(after.Output));
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task as_of_shows_one_pool_with_its_holders_and_queue()
    {
        var run = await Run("audit", "as-of", Iso(Tool.Now), "--pool", Pages);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("u.u1.managed", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 waiting in all", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_instant_that_is_not_one_is_a_usage_error()
    {
        var run = await Run("audit", "as-of", "last tuesday");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("2026-11-17T06:00:00Z", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public async Task explain_says_why_a_holder_waits()
    {
        var run = await Run("audit", "explain", "--holder", "u.u4.managed", "--pool", Pages, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("queued", json.RootElement.GetProperty("status").GetString());
        Assert.False(json.RootElement.GetProperty("hasLicense").GetBoolean());
        Assert.Contains(json.RootElement.GetProperty("steps").EnumerateArray(), s => s.GetProperty("rule").GetString() == "A6");
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task verify_finds_the_chain_intact_then_a_tampered_row_with_exit_code_1()
    {
        var intact = await Run("audit", "verify", "--json");
        Assert.True(intact.ExitCode == ExitCodes.Ok, intact.ToString());
        Assert.Contains("\"intact\": true", intact.Output, StringComparison.Ordinal);

        var table = $"{SeededTenant.Schema}.vpp_audit";
        await TestServer.ScalarAsync<object>($"update {table} set reason = coalesce(reason, '') || '!' where tenant_id = '{SeededTenant.Tenant}' and seq = (select min(seq) from {table} where tenant_id = '{SeededTenant.Tenant}')");
        try
        {
            var broken = await Run("audit", "verify");

            Assert.Equal(ExitCodes.Rejected, broken.ExitCode);
            Assert.Contains("hash chain", broken.Error, StringComparison.Ordinal);
        }
        finally
        {
            await TestServer.ScalarAsync<object>($"update {table} set reason = nullif(left(reason, length(reason) - 1), '') where tenant_id = '{SeededTenant.Tenant}' and seq = (select min(seq) from {table} where tenant_id = '{SeededTenant.Tenant}')");
        }

        Assert.Equal(ExitCodes.Ok, (await Run("audit", "verify")).ExitCode);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task verify_prints_the_head_and_checks_a_head_recorded_earlier()
    {
        var first = await Run("audit", "verify");
        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        var head = System.Text.RegularExpressions.Regex.Match(first.Output, "Head: ([0-9]+:[0-9a-f]{64})").Groups[1].Value;
        Assert.NotEmpty(head);

        var extends = await Run("audit", "verify", "--head", head, "--json");
        var forged = await Run("audit", "verify", "--head", head[..^4] + (head.EndsWith("0000", StringComparison.Ordinal) ? "1111" : "0000"));
        var malformed = await Run("audit", "verify", "--head", "not-a-head");

        Assert.True(extends.ExitCode == ExitCodes.Ok, extends.ToString());
        Assert.Contains("\"extendsRecordedHead\": true", extends.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Rejected, forged.ExitCode);
        Assert.Contains("DoesNotExtendRecordedHead", forged.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, malformed.ExitCode);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task export_writes_csv_and_ndjson_with_one_line_per_row()
    {
        var csv = await Run("export", "--format", "csv");
        var ndjson = await Run("export", "--format", "ndjson");

        Assert.True(csv.ExitCode == ExitCodes.Ok, csv.ToString());
        var csvLines = csv.Output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var jsonLines = ndjson.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("tenant,sequence,stream,version,event,occurredAt", csvLines[0], StringComparison.Ordinal);
        Assert.Equal(csvLines.Length - 1, jsonLines.Length);
        Assert.All(jsonLines, line => JsonDocument.Parse(line).Dispose());

        var file = Path.Combine(_folder, "audit.csv");
        var toFile = await Run("export", "--format", "csv", "--output", file);
        Assert.True(toFile.ExitCode == ExitCodes.Ok, toFile.ToString());
        Assert.Equal(csvLines.Length, File.ReadAllLines(file).Length);
    }

    [Fact]
    public async Task export_refuses_an_unknown_format()
    {
        var run = await Run("export", "--format", "xml");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("csv or ndjson", run.Error, StringComparison.Ordinal);
    }

    private const string LegacyToken =
        """{"event":"vpp.token.uploaded.v1","stream":"token:legacy","actor":"legacy-mdm","data":{"OccurredAt":"2024-04-30T08:00:00Z","Token":"legacy","Location":"apple:loc-cli-legacy","File":{"OrganizationName":"Contoso Ltd","ExpiresAt":"2025-04-30T08:00:00Z","Fingerprint":"471f937e5cb27966885927976f9b94f62d860044ac6181b89d71a9d19a84f8ab"},"ManagedAppleId":{"Value":"vpp-admin@contoso.example","Kind":"Managed"},"Settings":{"Name":"Legacy","CountryCode":"US","AccountType":"Business","AutomaticAppUpdates":true},"Programme":"AppsAndBooks","TookControlFromOtherMdm":false,"DuplicateOf":null}}""";

    private static string Users(params string[] ids) => string.Join('\n', ids.Select(id =>
        $$$"""{"event":"vpp.user.recorded.v1","stream":"user:{{{id}}}","actor":"legacy-mdm","data":{"OccurredAt":"2024-04-30T08:00:00Z","User":"{{{id}}}","PersonalAppleId":null,"ManagedAppleId":{"Value":"{{{id}}}@contoso.example","Kind":"Managed"}} }"""));

    private static string Grant(string holder, string at) =>
        $$$"""{"event":"vpp.pool.license_granted.v1","stream":"pool:legacy:555","actor":"legacy-mdm","data":{"Pool":{"Token":"legacy","AdamId":"555"},"Holder":"{{{holder}}}","Reason":"Targeted","Rule":"A6","OccurredAt":"{{{at}}}"}}""";

    private const string OneLicense =
        """{"event":"vpp.pool.apple_counts_applied.v1","stream":"pool:legacy:555","actor":"legacy-mdm","data":{"Pool":{"Token":"legacy","AdamId":"555"},"Product":"App","PurchasedCount":1,"RetiredCount":0,"AppleAssignedCount":null,"OccurredAt":"2024-05-01T08:00:00Z"}}""";

    [Fact]
    [Trait("Rule", "I4")]
    public async Task import_appends_history_once_and_a_malformed_file_writes_nothing()
    {
        var good = Path.Combine(_folder, "history.ndjson");
        File.WriteAllText(good, string.Join('\n', LegacyToken, Users("alice"), OneLicense, Grant("u.alice.managed", "2024-05-02T08:00:00Z")));
        var bad = Path.Combine(_folder, "broken.ndjson");
        File.WriteAllText(bad, "{\"event\":\"vpp.pool.license_granted.v1\"}\nnot json\n");

        var first = await Tool.RunAsync(db.Environment, "import", good, "--tenant", "imported", "--schema", SeededTenant.Schema, "--json");
        var again = await Tool.RunAsync(db.Environment, "import", good, "--tenant", "imported", "--schema", SeededTenant.Schema, "--json");
        var broken = await Tool.RunAsync(db.Environment, "import", bad, "--tenant", "imported-bad", "--schema", SeededTenant.Schema);

        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Contains("\"imported\": 4", first.Output, StringComparison.Ordinal);
        Assert.Contains("\"alreadyImported\": 4", again.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInputFile, broken.ExitCode);
        Assert.Contains("line 2", broken.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UnknownTenant, (await Tool.RunAsync(db.Environment, "report", "--tenant", "imported-bad", "--schema", SeededTenant.Schema)).ExitCode);
    }

    [Fact]
    [Trait("Rule", "S4")]
    public async Task import_refuses_a_file_that_oversells_a_pool_naming_the_line_and_rule()
    {
        var oversold = Path.Combine(_folder, "oversold.ndjson");
        File.WriteAllText(oversold, string.Join('\n', LegacyToken.Replace("loc-cli-legacy", "loc-cli-oversold", StringComparison.Ordinal), Users("alice", "bob"), OneLicense, Grant("u.alice.managed", "2024-05-02T08:00:00Z"), Grant("u.bob.managed", "2024-05-02T09:00:00Z")));

        var run = await Tool.RunAsync(db.Environment, "import", oversold, "--tenant", "imported-oversold", "--schema", SeededTenant.Schema);

        Assert.Equal(ExitCodes.BadInputFile, run.ExitCode);
        Assert.Contains("line 6 breaks rule S4 (ImportGrantOverTotal)", run.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UnknownTenant, (await Tool.RunAsync(db.Environment, "report", "--tenant", "imported-oversold", "--schema", SeededTenant.Schema)).ExitCode);
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task rebuild_replays_the_log_with_progress_by_events_on_standard_error_and_changes_no_answer()
    {
        var before = await Run("report", "--json");

        var run = await Tool.RunAsync(db.Environment, "rebuild", "--schema", SeededTenant.Schema);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("Rebuilt", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"Rebuilding: [\d,]+ of [\d,]+ events \(\d+%\), [\d,]+ events/s", run.Error);
        Assert.Contains("Rebuilding: done in", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Rebuilding:", run.Output, StringComparison.Ordinal);
        Assert.Equal(before.Output, (await Run("report", "--json")).Output);
        Assert.Equal(ExitCodes.Ok, (await Run("audit", "verify")).ExitCode);
    }

    private static (int Used, int Queued) PagesCounts(string json)
    {
        using var document = JsonDocument.Parse(json);
        var pages = document.RootElement.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("adamId").GetString() == "361309726");
        return (pages.GetProperty("used").GetInt32(), pages.GetProperty("queued").GetInt32());
    }

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);
}
