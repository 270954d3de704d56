using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>A ledger whose rebuild applies 10 events per transaction.</summary>
public sealed class SmallRebuildPageLedgerFixture : LedgerFixture
{
    protected override void Configure(VppLedgerOptions options) => options.RebuildPageSize = 10;
}

/// <summary>A ledger whose rebuild applies 10 events per transaction and reads the next page while it writes one.</summary>
public sealed class ReadAheadRebuildLedgerFixture : LedgerFixture
{
    protected override void Configure(VppLedgerOptions options)
    {
        options.RebuildPageSize = 10;
        options.RebuildReadAhead = true;
    }
}

/// <summary>The one-pass rebuild commits each page with its watermark: stopped between pages, it resumes there and ends as a whole rebuild would (I2).</summary>
public sealed class a_rebuild_stopped_between_pages_resumes_where_it_stopped(SmallRebuildPageLedgerFixture db)
    : RebuildResumption<SmallRebuildPageLedgerFixture>(db), IClassFixture<SmallRebuildPageLedgerFixture>;

/// <summary>The same with the next page read while the current one is written: a page read ahead is never applied after a stop.</summary>
public sealed class a_rebuild_reading_ahead_stopped_between_pages_resumes_where_it_stopped(ReadAheadRebuildLedgerFixture db)
    : RebuildResumption<ReadAheadRebuildLedgerFixture>(db), IClassFixture<ReadAheadRebuildLedgerFixture>;

/// <summary>The resumption specs, run with each way of reading the log.</summary>
public abstract class RebuildResumption<TFixture>(TFixture db)
    where TFixture : LedgerFixture
{
    private async Task<string> SnapshotAsync()
    {
        var tables = new[] { "tokendoc", "pooldoc", "assignmentdoc", "userdoc", "devicedoc", "groupdoc", "seatdoc", "memberdoc" };
        var parts = new List<string>();
        foreach (var t in tables)
        {
            parts.Add(await TestServer.ScalarAsync<string>($"select coalesce(string_agg(tenant_id || ' ' || id || ' ' || data::text, E'\\n' order by tenant_id, id), '') from {db.SchemaName}.mt_doc_{t}") ?? "");
        }

        parts.Add(await TestServer.ScalarAsync<string>($"select string_agg(a::text, E'\\n' order by tenant_id, seq) from {db.SchemaName}.vpp_audit a") ?? "");
        return string.Join("\n--\n", parts);
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_rebuild_cancelled_after_two_pages_resumes_from_the_third_and_gives_the_live_state()
    {
        var s = await AssignedGroupAsync("resume");
        var live = await SnapshotAsync();
        var total = await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.mt_events");
        Assert.True(total > 30, $"only {total} events");

        using var stop = new CancellationTokenSource();
        var first = new List<RebuildProgress>();
        var stopped = await Record.ExceptionAsync(() => db.Ledger.RebuildAsync(new Progress(first, p => { if (first.Count == 2) stop.Cancel(); }), stop.Token));
        var watermark = await TestServer.ScalarAsync<long>($"select through_seq from {db.SchemaName}.vpp_rebuild where id = 1");
        var second = new List<RebuildProgress>();
        await db.Ledger.RebuildAsync(new Progress(second, _ => { }));

        Assert.IsAssignableFrom<OperationCanceledException>(stopped);
        Assert.Equal([10L, 20L], first.Select(p => p.EventsDone));
        Assert.True(watermark > 0, "no page was committed");
        Assert.Equal(30, second[0].EventsDone); // the third page first: the two committed pages were not applied again
        Assert.Equal(total, second[^1].EventsDone);
        Assert.Equal(live, await SnapshotAsync());
        Assert.Equal(0, await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_rebuild"));
        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_rebuild_stopped_after_its_first_page_builds_the_indexes_it_set_aside_when_resumed()
    {
        var s = await AssignedGroupAsync("indexes");
        var live = await SnapshotAsync();
        var indexes = await IndexesAsync();

        using var stop = new CancellationTokenSource();
        var stopped = await Record.ExceptionAsync(() => db.Ledger.RebuildAsync(new Progress([], _ => stop.Cancel()), stop.Token));
        var whileStopped = await IndexesAsync();
        await db.Ledger.RebuildAsync();

        Assert.IsAssignableFrom<OperationCanceledException>(stopped);
        Assert.DoesNotContain("ix_vpp_audit_holder", whileStopped, StringComparison.Ordinal); // set aside while the pages are written
        Assert.Contains("ix_vpp_audit_seq", whileStopped, StringComparison.Ordinal); // unique indexes stay
        Assert.Equal(indexes, await IndexesAsync());
        Assert.Equal(live, await SnapshotAsync());
        Assert.Equal(0, await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_rebuild_index"));
        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    // A tenant with a pool of 5 licenses assigned to a group of 20 users: seat rows, queued holders, more than 30 events.
    private async Task<Scenario> AssignedGroupAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "1", purchased: 5);
        var users = await s.UsersAsync("u", 20);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        return s;
    }

    private Task<string?> IndexesAsync() =>
        TestServer.ScalarAsync<string>($"select string_agg(indexdef, E'\\n' order by indexname) from pg_indexes where schemaname = '{db.SchemaName}' and tablename in ('vpp_audit', 'mt_doc_seatdoc')");

    private sealed class Progress(List<RebuildProgress> seen, Action<RebuildProgress> then) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value)
        {
            seen.Add(value);
            then(value);
        }
    }
}
