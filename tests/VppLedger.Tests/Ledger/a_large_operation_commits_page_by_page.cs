using NodaTime;
using VppLedger.Operations;
using VppLedger.Pools;
using VppLedger.Tests.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Ledger;

/// <summary>
/// The paging decisions of a large operation (pure): which events each committed page adds to the operation's stream,
/// that a replayed page or a completed operation decides nothing, where a resumed run starts, and that revoking a
/// pool page by page ends where revoking it at once does, with the books balanced at every page boundary.
/// </summary>
public sealed class a_large_operation_commits_page_by_page
{
    private static readonly CommandId Op = new("revoke-all");
    private static readonly Instant At = Instant.FromUtc(2026, 3, 1, 9, 0);

    private static OperationState Fold(IEnumerable<IOperationEvent> events) => events.Aggregate(OperationState.Initial, OperationPaging.Evolve);

    private static IReadOnlyList<IOperationEvent> Page(OperationState state, int page, string? next) =>
        OperationPaging.AfterPage(state, Op, "RevokeLicenses", "{}", page, next, At);

    [Fact]
    [Trait("Rule", "I4")]
    public void a_command_done_in_one_page_records_no_operation() =>
        Assert.Empty(Page(OperationState.Initial, 0, next: null));

    [Fact]
    [Trait("Rule", "I4")]
    public void the_first_page_starts_the_operation_and_each_page_records_where_the_next_starts()
    {
        var first = Page(OperationState.Initial, 0, "s/pool:a");
        Assert.Equal([typeof(OperationStarted), typeof(OperationPageCommitted)], first.Select(e => e.GetType()));
        Assert.Equal("{}", ((OperationStarted)first[0]).Command);

        var second = Page(Fold(first), 1, "s/pool:b");
        var last = Page(Fold([.. first, .. second]), 2, next: null);

        Assert.Equal(new OperationPageCommitted(Op, 1, "s/pool:b", At), Assert.Single(second));
        Assert.Equal(new OperationCompleted(Op, 3, At), Assert.Single(last));
        var done = Fold([.. first, .. second, .. last]);
        Assert.True(done.Completed);
        Assert.False(done.InProgress);
        Assert.Null(OperationPaging.ResumeAt(done));
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void a_resumed_run_starts_after_the_last_committed_page()
    {
        var state = Fold([.. Page(OperationState.Initial, 0, "s/pool:a"), new OperationPageCommitted(Op, 1, "s/pool:c", At)]);

        Assert.True(state.InProgress);
        Assert.Equal((2, "s/pool:c"), OperationPaging.ResumeAt(state));
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void a_replayed_page_and_a_completed_operation_decide_nothing()
    {
        var started = Fold(Page(OperationState.Initial, 0, "s/pool:a"));
        var completed = Fold([.. Page(OperationState.Initial, 0, "s/pool:a"), .. Page(started, 1, null)]);

        Assert.Empty(Page(started, 0, "s/pool:a"));
        Assert.Empty(Page(completed, 1, null));
        Assert.Empty(Page(completed, 2, "s/pool:z"));
    }

    [Fact]
    public void a_page_that_skips_one_not_committed_is_a_bug() =>
        Assert.Throws<InvalidOperationException>(() => Page(Fold(Page(OperationState.Initial, 0, "s/pool:a")), 3, null));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(200)]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    [Trait("Rule", "R1")]
    public void revoking_a_pool_page_by_page_ends_where_revoking_it_at_once_does_and_balances_between_pages(int pageSize)
    {
        var granted = Users(1, 60);
        var queued = Users(61, 25);
        IPoolEvent[] history = [Counts(60), .. granted.Select(h => Granted(h)), .. queued.Select((h, i) => Queued(h, i + 1))];
        var everyone = granted.Concat(queued).OrderBy(h => h.Key, StringComparer.Ordinal).ToList();

        var atOnce = PoolSpec.Given(history).When(new RevokeAllLicenses(Pool, everyone, Id(), Admin)).Decision.Events;

        var log = history.ToList();
        foreach (var page in everyone.Chunk(pageSize))
        {
            var book = PoolBook.Replay(Pool, log);
            var command = new RevokeAllLicenses(Pool, page, Id(), Admin);
            var decided = PoolDecider.Decide(command, book.State, book.LookupFor(command), Now).Events;
            log.AddRange(decided);

            var after = PoolBook.Replay(Pool, log);
            Assert.Equal(after.State.UsedCount, after.State.UserLicenseCount + after.State.DeviceLicenseCount); // S1 at the boundary
            Assert.True(after.State.UsedCount <= after.State.TotalCount); // S4

            // A page replayed on the state it left decides nothing (I4).
            var replayed = PoolBook.Replay(Pool, log);
            Assert.Empty(PoolDecider.Decide(command, replayed.State, replayed.LookupFor(command), Now).Events);
        }

        var paged = log.Skip(history.Length).ToList();
        Assert.Equal(atOnce.Count, paged.Count);
        Assert.Equal(atOnce.OrderBy(e => e.ToString(), StringComparer.Ordinal), paged.OrderBy(e => e.ToString(), StringComparer.Ordinal));
        var end = PoolBook.Replay(Pool, log).State;
        Assert.Equal((0, 0), (end.UsedCount, end.QueuedCount));
    }
}

/// <summary>A decision bounded to a page of promotions serves the head of the queue and leaves the rest in order (A6).</summary>
public sealed class a_page_of_queue_service_serves_the_head_first
{
    [Fact]
    [Trait("Rule", "A6")]
    public void counts_that_free_many_licenses_promote_at_most_the_page_and_the_next_page_the_rest_in_order()
    {
        var queued = Users(1, 30);
        IPoolEvent[] history = [Counts(0), .. queued.Select((h, i) => Queued(h, i + 1))];
        var book = PoolBook.Replay(Pool, history);
        var counts = new ApplyAppleCounts(Pool, ProductKind.App, 100, 0, null, Id(), Admin);

        var first = PoolDecider.Decide(counts, book.State, book.LookupFor(counts) with { MaxPromotions = 12 }, Now).Events;
        var log = history.Concat(first).ToList();
        var afterFirst = PoolBook.Replay(Pool, log);
        var serve = new ServeQueue(Pool, Id(), Admin);
        var second = PoolDecider.Decide(serve, afterFirst.State, afterFirst.LookupFor(serve) with { MaxPromotions = 100 }, Now).Events;

        Assert.Equal(queued.Take(12), first.OfType<LicenseGranted>().Select(g => g.Holder));
        Assert.Equal((12, 18), (afterFirst.State.UsedCount, afterFirst.State.QueuedCount));
        Assert.Equal(queued.Skip(12), second.OfType<LicenseGranted>().Select(g => g.Holder));
    }
}
