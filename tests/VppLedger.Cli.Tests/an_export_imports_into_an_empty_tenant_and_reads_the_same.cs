using System.Text.Json;
using Newtonsoft.Json;
using NodaTime.Serialization.JsonNet;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Cli.Tests;

/// <summary>
/// <c>vppledger export</c> writes what <c>vppledger import</c> reads: the seeded tenant, exported, imports into an empty
/// schema (its own, so that the source's location claims do not bar it, rule T4), verifies, and every read model
/// reads the same. One field naming across the export and <c>--json</c>.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class an_export_imports_into_an_empty_tenant_and_reads_the_same(SeededTenant db) : IDisposable
{
    private const string Target = "cli_roundtrip";
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("vppledger-cli-roundtrip-").FullName;

    [Fact]
    [Trait("Rule", "I2")]
    [Trait("Rule", "I1")]
    public async Task export_then_import_then_verify_then_every_read_model_is_equal()
    {
        await DropAsync(Target);
        var file = Path.Combine(_folder, "contoso.ndjson");
        var export = await Tool.RunAsync(db.Environment, "export", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--output", file);
        Assert.True(export.ExitCode == ExitCodes.Ok, export.ToString());
        var apply = await Tool.RunAsync(db.Environment, "db", "apply", "--schema", Target);
        Assert.True(apply.ExitCode == ExitCodes.Ok, apply.ToString());

        var import = await Tool.RunAsync(db.Environment, "import", file, "--tenant", SeededTenant.Tenant, "--schema", Target, "--json");
        Assert.True(import.ExitCode == ExitCodes.Ok, import.ToString());
        Assert.Contains("events", import.Error, StringComparison.Ordinal); // progress by events, on standard error
        var again = await Tool.RunAsync(db.Environment, "import", file, "--tenant", SeededTenant.Tenant, "--schema", Target, "--json");
        Assert.True(again.ExitCode == ExitCodes.Ok, again.ToString());
        using (var json = JsonDocument.Parse(again.Output))
        {
            Assert.Equal(0, json.RootElement.GetProperty("imported").GetInt32());
        }

        var verify = await Tool.RunAsync(db.Environment, "audit", "verify", "--tenant", SeededTenant.Tenant, "--schema", Target);
        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.ToString());

        await using var source = LicenseLedger.Create(db.Connection, o => { o.SchemaName = SeededTenant.Schema; o.Schema = SchemaCreation.None; }, new NodaTime.Testing.FakeClock(Tool.Now));
        await using var target = LicenseLedger.Create(db.Connection, o => { o.SchemaName = Target; o.Schema = SchemaCreation.None; }, new NodaTime.Testing.FakeClock(Tool.Now));
        Assert.Equal(await ReadModelsAsync(source.ForTenant(new TenantId(SeededTenant.Tenant))), await ReadModelsAsync(target.ForTenant(new TenantId(SeededTenant.Tenant))));

        foreach (var command in new[] { new[] { "report", "--json" }, ["audit", "as-of", "2026-11-01T09:00:00Z", "--json"] })
        {
            var before = await Tool.RunAsync(db.Environment, [.. command, "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema]);
            var after = await Tool.RunAsync(db.Environment, [.. command, "--tenant", SeededTenant.Tenant, "--schema", Target]);
            Assert.Equal(before.Output, after.Output);
        }
    }

    [Fact]
    public async Task the_export_and_json_name_the_fields_alike()
    {
        var export = await Tool.RunAsync(db.Environment, "export", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema);
        var history = await Tool.RunAsync(db.Environment, "audit", "history", "--app", "361309726", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json");

        using var line = JsonDocument.Parse(export.Output.Split('\n')[0]);
        using var json = JsonDocument.Parse(history.Output);
        var row = json.RootElement.GetProperty("rows")[0];
        var exported = line.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "data").ToList();
        Assert.Equal(exported, row.EnumerateObject().Select(p => p.Name).ToList());
        Assert.Equal(VppLedger.Audit.AuditFormats.Fields, exported);
        Assert.True(line.RootElement.TryGetProperty("data", out _));
    }

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);

    // Every read of the ledger's read models, serialized: pools, queues, tokens, holders' licenses, oversubscription,
    // assignments, and the audit rows of each stream in stream order (an import appends stream by stream).
    private static async Task<List<string>> ReadModelsAsync(ITenantLedger tenant)
    {
        var reads = new List<string>();
        var pools = await tenant.ListPoolsAsync();
        reads.Add(Json(pools));
        reads.Add(Json(await tenant.ListTokensAsync()));
        reads.Add(Json(await tenant.GetOversubscriptionAsync()));
        foreach (var pool in pools)
        {
            reads.Add(Json(await tenant.GetPoolAsync(pool.Pool)));
            reads.Add(Json(await tenant.GetQueueAsync(pool.Pool)));
            reads.Add(Json(await tenant.ListAssignmentsAsync(pool.Pool.AdamId)));
        }

        for (var i = 1; i <= 5; i++)
        {
            reads.Add(Json(await tenant.GetUserLicensesAsync(new UserId($"u{i}"))));
        }

        reads.Add(Json(await tenant.GetTokenAsync(new TokenId("tok-main"))));
        reads.Add(Json(await tenant.GetTokenAsync(new TokenId("tok-old"))));
        var rows = new List<string>();
        await foreach (var r in tenant.Audit.HistoryAsync())
        {
            rows.Add(string.Join('|', r.Tenant, r.Stream, r.Version, r.EventName, r.OccurredAt, r.Token, r.AdamId, r.HolderKind, r.HolderId, r.QueuePosition, r.Action, r.Reason, r.Rule, r.Actor));
        }

        rows.Sort(StringComparer.Ordinal);
        reads.AddRange(rows);
        return reads;
    }

    private static readonly JsonSerializerSettings Settings = new JsonSerializerSettings().ConfigureForNodaTime(NodaTime.DateTimeZoneProviders.Tzdb);

    private static string Json(object? value) => JsonConvert.SerializeObject(value, Settings);

    private async Task DropAsync(string schema)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db.Connection);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
