using NodaTime;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>A ledger that cuts a checkpoint every 3 pool and token events and rebuilds 7 events per transaction.</summary>
public sealed class SmallPageCheckpointLedgerFixture : LedgerFixture
{
    protected override void Configure(VppLedgerOptions options)
    {
        options.RebuildPageSize = 7;
        options.CheckpointEveryEvents = 3;
        options.CheckpointFullEvery = 3;
    }
}

/// <summary>
/// The rebuild folds the checkpoints of positions in its one pass over the log and writes each page (audit rows and
/// seat rows by COPY, the checkpoints it cuts, its watermark) in one transaction (I2, I5).
/// </summary>
public sealed class a_rebuild_folds_the_checkpoints_in_its_one_pass(SmallPageCheckpointLedgerFixture db) : IClassFixture<SmallPageCheckpointLedgerFixture>
{
    [Fact]
    [Trait("Rule", "I2")]
    [Trait("Rule", "I5")]
    public async Task a_rebuild_stopped_between_pages_writes_when_resumed_the_checkpoints_the_sealer_wrote()
    {
        var s = await GrantedAndRevokedAsync("resumed");
        var live = await SnapshotAsync();
        Assert.True(
            await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_checkpoint where tenant_id = 'resumed' and scope <> ''") > 0,
            "no pool book checkpoint was cut: the rebuild did not have to write one again");

        using var stop = new CancellationTokenSource();
        var pages = 0;
        var stopped = await Record.ExceptionAsync(() => db.Ledger.RebuildAsync(new Progress(_ => { if (++pages == 3) stop.Cancel(); }), stop.Token));
        await db.Ledger.RebuildAsync();

        Assert.IsAssignableFrom<OperationCanceledException>(stopped);
        Assert.Equal(live, await SnapshotAsync());
        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_page_that_fails_before_its_commit_leaves_none_of_its_rows_and_the_rebuild_resumes_with_it()
    {
        var s = await GrantedAndRevokedAsync("failed");
        var live = await SnapshotAsync();

        // The second page's watermark update fails, at the end of the page's transaction: its audit rows, seat rows and
        // checkpoints were written by then (COPY and the checkpoints go before it).
        await TestServer.ScalarAsync<object>(
            $"""
            create table if not exists {db.SchemaName}.vpp_rebuild (id int primary key, through_seq bigint not null, started_at timestamptz not null);
            create function {db.SchemaName}.fail_second_page() returns trigger language plpgsql as $$
            begin if old.through_seq > 0 then raise exception 'the second page fails'; end if; return new; end $$;
            create trigger fail_second_page before update on {db.SchemaName}.vpp_rebuild for each row execute function {db.SchemaName}.fail_second_page();
            """);
        var failed = await Record.ExceptionAsync(() => db.Ledger.RebuildAsync());
        var watermark = await TestServer.ScalarAsync<long>($"select through_seq from {db.SchemaName}.vpp_rebuild where id = 1");
        var audit = await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_audit");
        var beyond = await TestServer.ScalarAsync<long>(
            $"select (select count(*) from {db.SchemaName}.vpp_audit where seq > @w) + (select count(*) from {db.SchemaName}.vpp_checkpoint where seq > @w)", ("w", watermark));
        await TestServer.ScalarAsync<object>($"drop trigger fail_second_page on {db.SchemaName}.vpp_rebuild");
        await db.Ledger.RebuildAsync();

        Assert.NotNull(failed);
        Assert.True(watermark > 0, "the first page was not committed");
        Assert.True(audit is > 0 and <= 7, $"{audit} audit rows after the first page of 7 events");
        Assert.Equal(0, beyond);
        Assert.Equal(live, await SnapshotAsync());
        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    // Every tenant's projected rows and checkpoints, byte for byte (the versions and times Marten stamps aside).
    private async Task<string> SnapshotAsync()
    {
        var parts = new List<string>();
        foreach (var t in new[] { "tokendoc", "pooldoc", "assignmentdoc", "userdoc", "devicedoc", "groupdoc", "seatdoc", "memberdoc", "releasedoc" })
        {
            parts.Add(await TestServer.ScalarAsync<string>(
                $"select coalesce(string_agg(tenant_id || ' ' || id || ' ' || data::text || ' ' || mt_dotnet_type, E'\\n' order by tenant_id, id), '') from {db.SchemaName}.mt_doc_{t}") ?? "");
        }

        parts.Add(await TestServer.ScalarAsync<string>($"select string_agg(a::text, E'\\n' order by tenant_id, seq) from {db.SchemaName}.vpp_audit a") ?? "");
        parts.Add(await TestServer.ScalarAsync<string>($"select string_agg(c::text, E'\\n' order by tenant_id, scope, seq) from {db.SchemaName}.vpp_checkpoint c") ?? "");
        parts.Add(await TestServer.ScalarAsync<string>($"select string_agg(p::text, E'\\n' order by tenant_id, checkpoint_seq) from {db.SchemaName}.vpp_checkpoint_state p") ?? "");
        parts.Add(await TestServer.ScalarAsync<string>($"select string_agg(b::text, E'\\n' order by tenant_id, scope, checkpoint_seq) from {db.SchemaName}.vpp_checkpoint_book b") ?? "");
        return string.Join("\n--\n", parts);
    }

    // A pool of 5 licenses assigned to a group of 12 users (grants and a queue), then two of them leave the group.
    private async Task<Scenario> GrantedAndRevokedAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "1", purchased: 5);
        var users = await s.UsersAsync("u", 12);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        db.Clock.Advance(Duration.FromHours(3));
        await s.RunAsync(RevokeLicenses.ForUser(users[0], s.NextId(), Scenario.Admin));
        await s.RunAsync(RevokeLicenses.ForUser(users[1], s.NextId(), Scenario.Admin));
        await s.Ledger.Audit.WaitForSealAsync();
        return s;
    }

    private sealed class Progress(Action<RebuildProgress> then) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => then(value);
    }
}
