using System.Text;
using VppLedger.Audit;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>
/// An import commits its file in pages (25 lines here), each checked by the rules of live history on what the pages
/// before it committed. Running the same file again after a crash between pages (a fault thrown by the test hook) skips
/// the committed lines by their import keys and imports the rest: the log is the one an uninterrupted import gives. The
/// reader never holds more than a page.
/// </summary>
public sealed class a_paged_import_resumes_when_run_again_after_a_crash(PagedImportLedgerFixture db) : IClassFixture<PagedImportLedgerFixture>
{
    private static readonly Actor Importer = new("migration-job", Permissions.ImportHistory);

    /// <summary>120 users, 100 licenses: 100 granted, 20 queued, then 10 revoked and the 10 first in line promoted (A6). 262 lines.</summary>
    private static string File(string token, string location)
    {
        var users = Enumerable.Range(1, 120).Select(i => $"p{i:D3}").ToArray();
        return string.Join('\n', [
            History.Uploaded(token, "apple:" + location),
            History.Users(users),
            History.Counts(token, purchased: 100),
            .. users.Take(100).Select(u => History.Granted(token, $"u.{u}.managed")),
            .. users.Skip(100).Select((u, i) => History.Queued(token, $"u.{u}.managed", i + 1, at: "2024-05-03T08:00:00Z")),
            .. users.Take(10).Select(u => History.Reclaimed(token, $"u.{u}.managed")),
            .. users.Skip(100).Take(10).Select(u => History.Granted(token, $"u.{u}.managed", reason: "PromotedFromQueue", at: "2024-06-01T08:00:00Z")),
        ]);
    }

    private static Stream Utf8(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    [Trait("Rule", "I4")]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    public async Task running_the_file_again_after_a_crash_between_pages_imports_the_rest_once()
    {
        var twin = db.Ledger.ForTenant(new TenantId("paged-twin"));
        var whole = await twin.Audit.ImportAsync(Utf8(File("tok", "loc-twin")), Importer);
        Assert.Equal(new ImportResult(262, 262, 0), whole);

        var tenant = db.Ledger.ForTenant(new TenantId("paged-crash"));
        db.AfterPage = page => { if (page == 4) { throw new TimeoutException("simulated crash after the fifth page"); } };
        try
        {
            await Assert.ThrowsAsync<TimeoutException>(() => tenant.Audit.ImportAsync(Utf8(File("tok", "loc-crash")), Importer));
        }
        finally
        {
            db.AfterPage = null;
        }

        // Five pages committed, each whole: the token, 120 users, the counts and 3 grants; the books balance at the boundary.
        Assert.Equal(5L * PagedImportLedgerFixture.PageSize, await db.EventCountAsync("paged-crash") - 1); // and the tenant's token count
        var pool = (await tenant.GetPoolAsync(History.PoolOf("tok")))!;
        Assert.Equal((3, 0), (pool.UsedCount, pool.QueuedCount));

        var again = await tenant.Audit.ImportAsync(Utf8(File("tok", "loc-crash")), Importer);

        Assert.Equal(new ImportResult(262, 262 - 125, 125), again);
        Assert.Equal(await db.EventsAsync("paged-twin"), await db.EventsAsync("paged-crash"));
        var end = (await tenant.GetPoolAsync(History.PoolOf("tok")))!;
        Assert.Equal((100, 10), (end.UsedCount, end.QueuedCount));
        Assert.Equal(new ImportResult(262, 0, 262), await tenant.Audit.ImportAsync(Utf8(File("tok", "loc-crash")), Importer));
        Assert.True(db.Stats.MaxLinesBuffered <= PagedImportLedgerFixture.PageSize);
        Assert.True((await tenant.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "S1")]
    [Trait("Rule", "I4")]
    public async Task a_refused_line_keeps_the_pages_before_it_and_the_corrected_file_resumes()
    {
        var tenant = db.Ledger.ForTenant(new TenantId("paged-refused"));
        var lines = File("ref", "loc-ref").Split('\n');
        var bad = lines.ToArray();
        bad[150] = History.Reclaimed("ref", "u.p120.managed", at: "2024-05-02T08:00:00Z"); // line 151: a reclaim of a license p120 does not hold

        var refused = await tenant.Audit.ImportAsync(Utf8(string.Join('\n', bad)), Importer);

        Assert.Equal(151, refused.Rejection!.Line);
        Assert.Equal(150, refused.ImportedCount); // the six pages before line 151's page
        Assert.Equal(150L + 1, await db.EventCountAsync("paged-refused"));

        var resumed = await tenant.Audit.ImportAsync(Utf8(string.Join('\n', lines)), Importer);

        Assert.True(resumed.Succeeded);
        Assert.Equal(new ImportResult(262, 112, 150), resumed);
        var end = (await tenant.GetPoolAsync(History.PoolOf("ref")))!;
        Assert.Equal((100, 10), (end.UsedCount, end.QueuedCount));
    }
}
