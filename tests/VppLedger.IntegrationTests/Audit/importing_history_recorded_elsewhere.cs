using System.Text;
using NodaTime;
using VppLedger.Audit;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>History from another system, imported as NDJSON: idempotent, all or nothing, and covered by as-of answers (I4, I5).</summary>
public sealed class importing_history_recorded_elsewhere(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Instant Then = Instant.FromUtc(2024, 5, 1, 8, 0);

    private static string Pool(string token) => $"{{\"Token\":\"{token}\",\"AdamId\":\"555\"}}";

    private static readonly Actor Importer = new("migration-job", Permissions.ImportHistory);

    private static string Upload(string token) =>
        $$$"""{"event":"vpp.token.uploaded.v1","stream":"token:{{{token}}}","actor":"legacy-mdm","data":{"OccurredAt":"2024-04-30T08:00:00Z","Token":"{{{token}}}","Location":"apple:loc-import-{{{token}}}","File":{"OrganizationName":"Contoso Ltd","ExpiresAt":"2025-04-30T08:00:00Z","Fingerprint":"471f937e5cb27966885927976f9b94f62d860044ac6181b89d71a9d19a84f8ab"},"ManagedAppleId":{"Value":"vpp-admin@contoso.example","Kind":"Managed"},"Settings":{"Name":"Legacy","CountryCode":"US","AccountType":"Business","AutomaticAppUpdates":true},"Programme":"AppsAndBooks","TookControlFromOtherMdm":false,"DuplicateOf":null}}""";

    private static string File(string token) => string.Join('\n',
        Upload(token),
        History.Users("alice", "bob"),
        $$$"""{"event":"vpp.pool.apple_counts_applied.v1","stream":"pool:{{{token}}}:555","actor":"legacy-mdm","data":{"Pool":{{{Pool(token)}}},"Product":"App","PurchasedCount":1,"RetiredCount":0,"AppleAssignedCount":null,"OccurredAt":"2024-05-01T08:00:00Z"}}""",
        $$$"""{"event":"vpp.pool.license_granted.v1","stream":"pool:{{{token}}}:555","actor":"legacy-mdm","data":{"Pool":{{{Pool(token)}}},"Holder":"u.alice.managed","Reason":"Targeted","Rule":"A6","OccurredAt":"2024-05-02T08:00:00Z"}}""",
        "",
        $$$"""{"event":"vpp.pool.holder_queued.v1","stream":"pool:{{{token}}}:555","actor":"legacy-mdm","data":{"Pool":{{{Pool(token)}}},"Holder":"u.bob.managed","Position":1,"Rule":"A6","OccurredAt":"2024-05-03T08:00:00Z"}}""",
        $$$"""{"event":"vpp.pool.license_reclaimed.v1","stream":"pool:{{{token}}}:555","actor":"auditor-import","data":{"Pool":{{{Pool(token)}}},"Holder":"u.alice.managed","Reason":"Revoked","Rule":"R3","OccurredAt":"2024-06-01T08:00:00Z"}}""",
        $$$"""{"event":"vpp.pool.license_granted.v1","stream":"pool:{{{token}}}:555","actor":"legacy-mdm","data":{"Pool":{{{Pool(token)}}},"Holder":"u.bob.managed","Reason":"PromotedFromQueue","Rule":"A6","OccurredAt":"2024-06-01T08:00:00Z"}}""");

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    [Trait("Rule", "I5")]
    public async Task imported_history_answers_as_of_questions_in_its_own_time()
    {
        var ledger = db.Ledger.ForTenant(new TenantId("import-asof"));
        var pool = new PoolId(new TokenId("old"), new AdamId("555"));

        var result = await ledger.Audit.ImportAsync(Utf8(File("old")), Importer);

        Assert.Equal(new ImportResult(8, 8, 0), result);
        var inMay = await ledger.Audit.PoolAsOfAsync(pool, Instant.FromUtc(2024, 5, 15, 0, 0));
        Assert.Equal(["alice"], inMay!.Holders.Select(h => h.OwnerId));
        Assert.Equal(["bob"], inMay.Queue.Select(q => q.Holder.OwnerId));
        var inJuly = await ledger.Audit.PoolAsOfAsync(pool, Instant.FromUtc(2024, 7, 1, 0, 0));
        Assert.Equal(["bob"], inJuly!.Holders.Select(h => h.OwnerId));
        Assert.Null(await ledger.Audit.PoolAsOfAsync(pool, Then - Duration.FromDays(1)));
        var rows = await ledger.Audit.HistoryAsync().ToListAsync();
        // The imported lines, then the tenant's token count the upload line caused (tenant:tokens, rule T1).
        Assert.Equal(["legacy-mdm", "legacy-mdm", "legacy-mdm", "legacy-mdm", "legacy-mdm", "legacy-mdm", "auditor-import", "legacy-mdm", "legacy-mdm"], rows.Select(r => r.Actor));
        Assert.Equal(Then, rows.Single(r => r.EventName == "vpp.pool.apple_counts_applied.v1").OccurredAt);
        Assert.True((await ledger.Audit.VerifyChainAsync()).IsIntact);
        Assert.Equal(1, (await ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public async Task importing_the_same_file_again_changes_nothing()
    {
        var ledger = db.Ledger.ForTenant(new TenantId("import-twice"));
        await ledger.Audit.ImportAsync(Utf8(File("twice")), Importer);
        await ledger.Audit.WaitForSealAsync(); // verify checks what is sealed; the background sealer may hold the seal lock right now
        var before = await ledger.Audit.VerifyChainAsync();

        var again = await ledger.Audit.ImportAsync(Utf8(File("twice")), Importer);

        Assert.Equal(new ImportResult(8, 0, 8), again);
        await ledger.Audit.WaitForSealAsync();
        var after = await ledger.Audit.VerifyChainAsync();
        Assert.Equal((before.RowCount, before.HeadHash), (after.RowCount, after.HeadHash));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_malformed_file_names_every_bad_line_and_writes_nothing()
    {
        var ledger = db.Ledger.ForTenant(new TenantId("import-bad"));
        var lines = File("bad").Split('\n').ToList();
        lines[4] = lines[4].Replace("\"OccurredAt\":\"2024-05-02T08:00:00Z\"", "\"OccurredAt\":null", StringComparison.Ordinal); // line 5
        lines.Insert(7, "{not json");                                                                                            // line 8
        lines.Add("""{"event":"vpp.pool.exploded.v1","stream":"pool:bad:555","data":{}}""");                                 // line 11
        lines.Add("""{"event":"vpp.pool.orphaned.v1","stream":"pool:other:555","data":{"Pool":{"Token":"bad","AdamId":"555"},"OccurredAt":"2024-07-01T08:00:00Z"}}"""); // line 12

        var error = await Assert.ThrowsAsync<AuditImportException>(() => ledger.Audit.ImportAsync(Utf8(string.Join('\n', lines)), Importer));

        Assert.Equal([5, 8, 11, 12], error.Errors.Select(e => e.Line));
        Assert.Contains("OccurredAt", error.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("vpp.pool.exploded.v1", error.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("pool:bad:555", error.Errors[3].Message, StringComparison.Ordinal);
        Assert.False(await ledger.ExistsAsync());
        Assert.Empty(await ledger.Audit.HistoryAsync().ToListAsync());
    }
}
