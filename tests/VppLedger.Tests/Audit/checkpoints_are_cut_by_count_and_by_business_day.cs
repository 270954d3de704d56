using NodaTime;
using VppLedger.Audit;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Tests.Audit;

/// <summary>Where the checkpoints of positions are cut, what they hold, and that an as-of started from one equals the full fold (I5).</summary>
public sealed class checkpoints_are_cut_by_count_and_by_business_day
{
    private static readonly PoolId A = new(new TokenId("tok"), new AdamId("1"));
    private static readonly PoolId B = new(new TokenId("tok"), new AdamId("2"));
    private static readonly Instant Day0 = Instant.FromUtc(2026, 3, 1, 9, 0);

    private static IPoolEvent Counts(PoolId pool, int purchased, Instant at) => new AppleCountsApplied(pool, ProductKind.App, purchased, 0, null, at);

    private static string Stream(PoolId pool) => $"pool:{pool.Token.Value}:{pool.AdamId.Value}";

    private static List<Checkpoint> Feed(TenantCheckpointer checkpointer, IEnumerable<(long Seq, IPoolEvent Event)> events) =>
        [.. events.SelectMany(e => checkpointer.Apply(e.Seq, e.Seq, [(byte)e.Seq], Stream(e.Event.Pool), e.Event))];

    [Fact]
    [Trait("Rule", "I5")]
    public void a_checkpoint_is_cut_after_every_n_events_and_before_the_first_event_of_a_new_day()
    {
        var checkpointer = new TenantCheckpointer(everyEvents: 3, Duration.FromDays(1), fullEvery: 2);

        var cuts = Feed(checkpointer, [
            (1, Counts(A, 1, Day0)),
            (2, Counts(B, 1, Day0 + Duration.FromHours(1))),
            (3, Counts(A, 2, Day0 + Duration.FromHours(2))),  // third event: cut at 3
            (4, Counts(A, 3, Day0 + Duration.FromHours(3))),
            (5, Counts(A, 4, Day0 + Duration.FromDays(1))),   // a new day: cut at 4, before it
            (6, Counts(B, 5, Day0 - Duration.FromDays(3)))]); // earlier business time (an import): no cut, lowers the floor

        Assert.Equal([3L, 4L], cuts.Select(c => c.Seq));
        Assert.Equal([0L, 3L], cuts.Select(c => c.FromSeq));
        Assert.Equal([true, false], cuts.Select(c => c.Full));
        Assert.Equal([A, B], cuts[0].Positions.Select(p => p.Pool!.Pool));
        Assert.Equal([Stream(A)], cuts[1].Positions.Select(p => p.Stream)); // only what changed in its segment
        Assert.Equal(3, cuts[1].Positions[0].Pool!.PurchasedCount);
        Assert.Equal((Day0 + Duration.FromHours(3), 4L), (cuts[1].MaxOccurredAt, cuts[1].EventCount));
        Assert.Equal(Day0 + Duration.FromHours(3), cuts[1].SegmentMinOccurredAt);
        Assert.Equal(6, checkpointer.Through);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void an_as_of_started_from_a_checkpoint_equals_the_fold_from_the_beginning()
    {
        var policy = LedgerPolicy.Article;
        var log = new List<(long Seq, IPoolEvent Event)>
        {
            (1, Counts(A, 1, Day0)),
            (2, Counts(B, 2, Day0 + Duration.FromHours(5))),
            (3, Counts(A, 3, Day0 + Duration.FromHours(6))),
            (4, Counts(B, 7, Day0 + Duration.FromHours(1))), // earlier than the checkpoint's time, later in the log
            (5, Counts(A, 9, Day0 + Duration.FromHours(8))),
        };
        var checkpoint = Feed(new TenantCheckpointer(everyEvents: 3, Duration.FromDays(1), fullEvery: 1), log).First();
        var at = Day0 + Duration.FromHours(7);

        var full = new TenantAsOfFold(at, policy);
        foreach (var (_, e) in log)
        {
            full.Apply(Stream(e.Pool), e);
        }

        var fromCheckpoint = new TenantAsOfFold(at, policy);
        fromCheckpoint.StartFrom(new CheckpointState(checkpoint.Seq, checkpoint.ChainPosition, checkpoint.Hash, checkpoint.MaxOccurredAt, checkpoint.EventCount, checkpoint.CutNumber, checkpoint.Positions));
        foreach (var (_, e) in log.Where(l => l.Seq > checkpoint.Seq))
        {
            fromCheckpoint.Apply(Stream(e.Pool), e);
        }

        var expected = full.Result();
        var actual = fromCheckpoint.Result();
        Assert.Equal(expected.Pools, actual.Pools);
        Assert.Equal(expected.EventCount, actual.EventCount);
        Assert.Equal(7, actual.Pools.Single(p => p.Pool == B).TotalCount);
        Assert.Equal((3L, 1L), (actual.Checkpoint!.Sequence, actual.FoldedEventCount));
    }
}
