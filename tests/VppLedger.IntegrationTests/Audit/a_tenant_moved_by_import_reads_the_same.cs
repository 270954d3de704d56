using System.Text;
using Newtonsoft.Json;
using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>A tenant's NDJSON export from one database imports into an empty tenant of another and reads the same.</summary>
public sealed class a_tenant_moved_by_import_reads_the_same(LedgerFixture target, a_tenant_moved_by_import_reads_the_same.SourceLedger source)
    : IClassFixture<LedgerFixture>, IClassFixture<a_tenant_moved_by_import_reads_the_same.SourceLedger>
{
    /// <summary>The database the tenant leaves: its own schema, so its location claims do not bar the target (rule T4).</summary>
    public sealed class SourceLedger : LedgerFixture;

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_valid_export_of_one_tenant_imports_into_an_empty_tenant_and_reads_the_same()
    {
        var s = new Scenario(source.Ledger.ForTenant(new TenantId("moving")), LedgerFixture.Start);
        var pool = await s.SyncedPoolAsync(new TokenId("main"), "361309726", purchased: 2);
        var users = await s.UsersAsync("u", 4);
        source.Clock.Advance(Duration.FromHours(1));
        var staff = await s.GroupAsync("staff", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, staff, AssignmentIntent.Required, LicenseType.User);
        source.Clock.Advance(Duration.FromHours(1));
        await s.RunAsync(new RemoveGroupMembers(staff, [GroupMember.ForUser(users[0])], s.NextId(), Scenario.Admin));
        source.Clock.Advance(Duration.FromHours(1));
        await s.CountsAsync(pool, purchased: 3);
        var file = await ImportFileAsync("moving");

        var moved = target.Ledger.ForTenant(new TenantId("moving"));
        var result = await moved.Audit.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(file)), new Actor("mover", Permissions.ImportHistory));

        Assert.True(result.Succeeded, result.Rejection?.Message);
        var from = s.Ledger;
        Assert.Equal(Json(await from.ListPoolsAsync()), Json(await moved.ListPoolsAsync()));
        Assert.Equal(Json(await from.ListTokensAsync()), Json(await moved.ListTokensAsync()));
        Assert.Equal(Json(await from.GetQueueAsync(pool)), Json(await moved.GetQueueAsync(pool)));
        foreach (var user in users)
        {
            Assert.Equal(Json(await from.GetUserLicensesAsync(user)), Json(await moved.GetUserLicensesAsync(user)));
        }

        Assert.Equal(Json(await from.ListAssignmentsAsync(pool.AdamId)), Json(await moved.ListAssignmentsAsync(pool.AdamId)));
        Assert.Equal(Rows(await from.Audit.HistoryAsync().ToListAsync()), Rows(await moved.Audit.HistoryAsync().ToListAsync()));
        var summary = (await moved.GetPoolAsync(pool))!;
        Assert.Equal((3, 3, 0), (summary.TotalCount, summary.UsedCount, summary.QueuedCount));
        Assert.True((await moved.Audit.VerifyChainAsync()).IsIntact);
    }

    /// <summary>The tenant's NDJSON export (docs/audit.md): one line per event, with its data, as import reads it.</summary>
    private async Task<string> ImportFileAsync(string tenant)
    {
        await using var writer = new StringWriter();
        await source.Ledger.ForTenant(new TenantId(tenant)).Audit.ExportAsync(writer, VppLedger.Audit.AuditExportFormat.Ndjson);
        return writer.ToString();
    }

    private static string Json(object? value) => JsonConvert.SerializeObject(value, NewtonsoftSerializer.CreateSettings());

    // One transaction appends stream by stream, so the log interleaves streams differently; each stream's order is kept.
    private static List<string> Rows(IEnumerable<VppLedger.Audit.AuditEntry> rows) =>
        [.. rows.OrderBy(r => r.Stream, StringComparer.Ordinal).ThenBy(r => r.Version).Select(r => string.Join('|', r.Stream, r.Version, r.EventName, r.OccurredAt, r.Token, r.AdamId, r.HolderKind, r.HolderId, r.QueuePosition, r.Action, r.Reason, r.Rule, r.Actor))];
}
