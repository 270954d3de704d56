using System.Text;
using NodaTime;
using VppLedger.Audit;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>Whole-tenant and pool as-of answers start from the nearest checkpoint of positions and fold only the later events (I5).</summary>
public sealed class as_of_starts_from_the_nearest_checkpoint(CheckpointLedgerFixture db) : IClassFixture<CheckpointLedgerFixture>
{
    private static readonly Actor Importer = new("migration-job", Permissions.ImportHistory);

    /// <summary>A pool whose purchased count rises by one each day, from <paramref name="start"/> for <paramref name="days"/> days.</summary>
    private async Task<(Scenario S, PoolId Pool)> DailyCountsAsync(string tenant, Instant start, int days)
    {
        db.Clock.Reset(start);
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), start);
        var pool = await s.SyncedPoolAsync(new TokenId("live"), "1", purchased: 1);
        for (var day = 1; day <= days; day++)
        {
            db.Clock.Advance(Duration.FromDays(1));
            await s.CountsAsync(pool, purchased: day + 1);
        }

        await s.Ledger.Audit.WaitForSealAsync();
        return (s, pool);
    }

    private static void AssertSameAnswer(TenantPosition expected, TenantPosition actual)
    {
        Assert.Equal(expected.Pools, actual.Pools);
        Assert.Equal(expected.Tokens, actual.Tokens);
        Assert.Equal(expected.EventCount, actual.EventCount);
    }

    private static void AssertSameBook(PoolPosition? expected, PoolPosition? actual)
    {
        Assert.Equal(expected?.Summary, actual?.Summary);
        Assert.Equal(expected?.Holders ?? [], actual?.Holders ?? []);
        Assert.Equal(expected?.Queue ?? [], actual?.Queue ?? []);
        Assert.Equal(expected?.EventCount, actual?.EventCount);
    }

    private Task<string?> LinkHashAsync(string tenant, long position) =>
        TestServer.ScalarAsync<string>(
            $"select encode(hash, 'hex') from {db.SchemaName}.vpp_audit_chain where tenant_id = @t and chain_position = @p",
            ("t", tenant), ("p", position));

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_tenant_and_a_pool_as_of_start_from_the_nearest_checkpoint_and_name_the_link_it_covers()
    {
        var start = Instant.FromUtc(2024, 4, 20, 9, 0);
        var (s, pool) = await DailyCountsAsync("nearest", start, days: 8);
        var at = start + Duration.FromHours((4 * 24) + 12);

        var checkpointed = await s.Ledger.Audit.TenantAsOfAsync(at);
        var full = await db.AuditOf("nearest").TenantAsOfByFullFoldAsync(at);

        AssertSameAnswer(full, checkpointed);
        Assert.Equal(5, Assert.Single(checkpointed.Pools).TotalCount);
        var checkpoint = Assert.IsType<ChainHead>(checkpointed.Checkpoint);
        Assert.Equal(await LinkHashAsync("nearest", checkpoint.Position), checkpoint.Hash);
        Assert.True(checkpointed.FoldedEventCount < CheckpointLedgerFixture.EveryEvents, $"folded {checkpointed.FoldedEventCount} events after the checkpoint");
        Assert.Null(full.Checkpoint);
        Assert.Equal(pool, checkpointed.Pools[0].Pool);

        var book = await s.Ledger.Audit.PoolAsOfAsync(pool, at);
        var fullBook = await db.AuditOf("nearest").PoolAsOfByFullFoldAsync(pool, at);
        Assert.Equal((fullBook!.Summary, fullBook.EventCount), (book!.Summary, book.EventCount));
        Assert.NotNull(book.Checkpoint);
        Assert.Equal(await LinkHashAsync("nearest", book.Checkpoint.Position), book.Checkpoint.Hash);
        Assert.True(book.FoldedEventCount < CheckpointLedgerFixture.EveryEvents, $"folded {book.FoldedEventCount} pool events after the checkpoint");
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task imported_history_with_earlier_business_times_is_read_from_the_segment_it_lands_in()
    {
        // Live history from 25 April to 10 June 2024; the import's business times run from 30 April to 2 June.
        var start = Instant.FromUtc(2024, 4, 25, 9, 0);
        var (s, _) = await DailyCountsAsync("import", start, days: 46);
        var june5 = Instant.FromUtc(2024, 6, 5, 0, 0);
        var before = await s.Ledger.Audit.TenantAsOfAsync(june5);
        var lastLiveSeq = await TestServer.ScalarAsync<long>($"select max(seq_id) from {db.SchemaName}.mt_events where tenant_id = 'import'");

        var imported = await s.Ledger.Audit.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(History.Valid("imp"))), Importer);
        await s.Ledger.Audit.WaitForSealAsync();
        var after = await s.Ledger.Audit.TenantAsOfAsync(june5);
        var full = await db.AuditOf("import").TenantAsOfByFullFoldAsync(june5);
        var end = await s.Ledger.Audit.TenantAsOfAsync(Instant.FromUtc(2024, 6, 11, 0, 0));
        var fullEnd = await db.AuditOf("import").TenantAsOfByFullFoldAsync(Instant.FromUtc(2024, 6, 11, 0, 0));

        Assert.Null(imported.Rejection);
        AssertSameAnswer(full, after);
        AssertSameAnswer(fullEnd, end);

        // The checkpoint that answers 5 June was cut before the import and still holds: the import's events follow it
        // in the log, and the segment they land in records their earliest business time, so they are read after it.
        Assert.Equal(before.Checkpoint, after.Checkpoint);
        Assert.True(after.Checkpoint!.Sequence <= lastLiveSeq);
        var importedPool = after.Pools.Single(p => p.Pool == History.PoolOf("imp"));
        Assert.Equal((2, 2, 1), (importedPool.TotalCount, importedPool.UsedCount, importedPool.QueuedCount));
        Assert.True(after.FoldedEventCount >= 8, $"folded {after.FoldedEventCount} events after the checkpoint");
        var floor = await TestServer.ScalarAsync<DateTime>(
            $"select min(segment_min_occurred_at) from {db.SchemaName}.vpp_checkpoint where tenant_id = 'import' and seq > @s",
            ("s", lastLiveSeq));
        Assert.Equal(Instant.FromUtc(2024, 4, 30, 8, 0), Instant.FromDateTimeUtc(DateTime.SpecifyKind(floor, DateTimeKind.Utc)));

        // After every live event's time, a checkpoint cut after the import answers with little to fold.
        Assert.True(end.Checkpoint!.Sequence > lastLiveSeq);
        Assert.True(end.FoldedEventCount < CheckpointLedgerFixture.EveryEvents);
    }

    [Fact]
    [Trait("Rule", "I2")]
    [Trait("Rule", "I5")]
    public async Task a_rebuild_writes_the_same_checkpoints_again()
    {
        var (s, pool) = await DailyCountsAsync("rebuild", Instant.FromUtc(2024, 4, 20, 9, 0), days: 12);
        await BookChangesAsync(s, pool, "r");
        var sql = $"""
            select string_agg(concat_ws('|', c.tenant_id, c.scope, c.seq, c.from_seq, c.chain_position, encode(c.hash, 'hex'), c.max_occurred_at,
                   c.segment_min_occurred_at, c.event_count, c.cut_number, c.full_state,
                   (select p.position_count || ':' || encode(p.positions, 'hex')
                    from {db.SchemaName}.vpp_checkpoint_state p where p.tenant_id = c.tenant_id and c.scope = '' and p.checkpoint_seq = c.seq),
                   (select b.state::text || ':' || encode(b.book, 'hex')
                    from {db.SchemaName}.vpp_checkpoint_book b where b.tenant_id = c.tenant_id and b.scope = c.scope and b.checkpoint_seq = c.seq)), E'\n' order by c.tenant_id, c.scope, c.seq)
            from {db.SchemaName}.vpp_checkpoint c
            """;
        var live = await TestServer.ScalarAsync<string>(sql);

        await db.Ledger.RebuildAsync();
        var rebuilt = await TestServer.ScalarAsync<string>(sql);

        Assert.Contains("rebuild|", live, StringComparison.Ordinal);
        Assert.True(
            await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_checkpoint where tenant_id = 'rebuild' and scope <> '' and not full_state") > 0,
            "no pool book delta was cut: the rebuild did not have to write one again");
        Assert.Equal(live, rebuilt);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task checkpoints_of_an_earlier_version_are_dropped_by_the_schema_step_and_written_again_by_the_sealer()
    {
        var start = Instant.FromUtc(2024, 4, 20, 9, 0);
        var (s, pool) = await DailyCountsAsync("legacy-cp", start, days: 8);
        var at = start + Duration.FromHours((5 * 24) + 12);
        var before = await s.Ledger.Audit.TenantAsOfAsync(at);
        Assert.NotNull(before.Checkpoint);

        // As an earlier version left it: tenant checkpoints whose states are JSON rows of vpp_checkpoint_position.
        await TestServer.ScalarAsync<object>(
            $"""
            delete from {db.SchemaName}.vpp_checkpoint_state;
            create table {db.SchemaName}.vpp_checkpoint_position (tenant_id varchar not null, scope varchar not null, checkpoint_seq bigint not null,
              stream varchar not null, event_count bigint not null, state jsonb not null);
            """);

        await db.Ledger.ApplySchemaAsync();

        Assert.Null(await TestServer.ScalarAsync<string>($"select to_regclass('{db.SchemaName}.vpp_checkpoint_position')::text"));
        Assert.Equal(0, await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_checkpoint where tenant_id = 'legacy-cp' and scope = ''"));
        var folded = await s.Ledger.Audit.TenantAsOfAsync(at);
        Assert.Null(folded.Checkpoint);
        AssertSameAnswer(before, folded);

        // The next seal of the tenant folds its log again and writes its checkpoints in the new encoding.
        db.Clock.Advance(Duration.FromDays(1));
        await s.CountsAsync(pool, purchased: 20);
        await s.Ledger.Audit.WaitForSealAsync();
        Assert.True(await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_checkpoint_state where tenant_id = 'legacy-cp'") > 0);
        var again = await s.Ledger.Audit.TenantAsOfAsync(at);
        Assert.NotNull(again.Checkpoint);
        AssertSameAnswer(before, again);
        AssertSameAnswer(await db.AuditOf("legacy-cp").TenantAsOfByFullFoldAsync(at), again);
    }

    /// <summary>Users {prefix}0001..0006 granted one a day, two of them reclaimed (revoked) later: a book that grows and shrinks.</summary>
    private async Task BookChangesAsync(Scenario s, PoolId pool, string prefix)
    {
        await s.CountsAsync(pool, purchased: 10);
        var users = await s.UsersAsync(prefix, 6);
        foreach (var user in users)
        {
            db.Clock.Advance(Duration.FromHours(7));
            await s.RunAsync(new GrantLicenses(pool, [Holder.ForUser(user, AppleIdKind.Managed)], s.NextId(), Scenario.Admin));
        }

        foreach (var user in new[] { users[1], users[4] })
        {
            db.Clock.Advance(Duration.FromHours(7));
            await s.RunAsync(RevokeLicenses.ForUser(user, s.NextId(), Scenario.Admin));
        }

        await s.Ledger.Audit.WaitForSealAsync();
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_pool_book_is_stored_whole_every_few_book_checkpoints_and_as_deltas_between()
    {
        var start = Instant.FromUtc(2024, 5, 20, 9, 0);
        var (s, pool) = await DailyCountsAsync("deltas", start, days: 2);
        await BookChangesAsync(s, pool, "d");
        var audit = db.AuditOf("deltas");

        var kinds = await TestServer.ScalarAsync<string>(
            $"select string_agg(case when full_state then 'F' else 'd' end, '' order by seq) from {db.SchemaName}.vpp_checkpoint where tenant_id = 'deltas' and scope <> ''");
        Assert.StartsWith("Fd", kinds, StringComparison.Ordinal);
        Assert.True(kinds!.Count(k => k == 'F') >= 2, $"book checkpoints {kinds}: fewer than two whole books");

        // Every instant of the pool's history, and from every book checkpoint: the same book as the full fold.
        var times = await s.Ledger.Audit.HistoryAsync().Select(r => r.OccurredAt).Distinct().ToListAsync();
        var fromCheckpoint = 0;
        foreach (var at in times.SelectMany(t => new[] { t - Duration.Epsilon, t }).Append(times.Max() + Duration.FromDays(1)))
        {
            var book = await s.Ledger.Audit.PoolAsOfAsync(pool, at);
            AssertSameBook(await audit.PoolAsOfByFullFoldAsync(pool, at), book);
            fromCheckpoint += book?.Checkpoint is null ? 0 : 1;
        }

        Assert.True(fromCheckpoint > 4, $"only {fromCheckpoint} answers started from a book checkpoint");
        var last = await s.Ledger.Audit.PoolAsOfAsync(pool, times.Max());
        Assert.Equal(4, last!.Holders.Count);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task book_checkpoints_without_a_book_row_of_this_version_are_ignored_and_cut_again()
    {
        // Book checkpoints written by an earlier version kept their book elsewhere: here, rows whose book is gone.
        var start = Instant.FromUtc(2024, 7, 20, 9, 0);
        var (s, pool) = await DailyCountsAsync("legacy", start, days: 2);
        await BookChangesAsync(s, pool, "l");
        await TestServer.ScalarAsync<object>($"delete from {db.SchemaName}.vpp_checkpoint_book where tenant_id = 'legacy'");
        var end = start + Duration.FromDays(10);

        var ignored = await s.Ledger.Audit.PoolAsOfAsync(pool, end);
        Assert.Null(ignored!.Checkpoint);
        AssertSameBook(await db.AuditOf("legacy").PoolAsOfByFullFoldAsync(pool, end), ignored);

        // The sealer's next book checkpoint of the pool is a whole book of every event so far.
        for (var i = 0; i < CheckpointLedgerFixture.EveryEvents; i++)
        {
            db.Clock.Advance(Duration.FromHours(1));
            await s.CountsAsync(pool, purchased: 20 + i);
        }

        await s.Ledger.Audit.WaitForSealAsync();
        var later = await s.Ledger.Audit.PoolAsOfAsync(pool, end + Duration.FromDays(1));
        Assert.NotNull(later!.Checkpoint);
        AssertSameBook(await db.AuditOf("legacy").PoolAsOfByFullFoldAsync(pool, end + Duration.FromDays(1)), later);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_plus_pool_is_checkpointed_and_read_like_a_standard_one()
    {
        // Its stream id holds one more ':' ({adamId}:PLUS) and its audit rows name the app by that key.
        var start = Instant.FromUtc(2024, 6, 20, 9, 0);
        db.Clock.Reset(start);
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("plus")), start);
        await s.RunAsync(s.Upload(new TokenId("live"), location: "loc-plus"));
        var pool = new PoolId(new TokenId("live"), new AdamId("5"), PricingParam.Plus);
        await s.CountsAsync(pool, purchased: 1);
        await BookChangesAsync(s, pool, "p");
        var audit = db.AuditOf("plus");
        var end = start + Duration.FromDays(10);

        var book = await s.Ledger.Audit.PoolAsOfAsync(pool, end);
        var full = await audit.PoolAsOfByFullFoldAsync(pool, end);
        var changes = await s.Ledger.Audit.PoolChangesAsync(pool, start - Duration.FromDays(1), end);

        Assert.NotNull(book?.Checkpoint);
        AssertSameBook(full, book);
        Assert.Equal(4, book.Holders.Count);
        Assert.Equal(full!.EventCount, await changes.Changes.CountAsync());
    }
}
