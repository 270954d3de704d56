using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class the_article_scenario_of_100_licenses_and_500_holders
{
    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S1")]
    [Trait("Rule", "S2")]
    [Trait("Rule", "R4")]
    public void first_100_granted_400_queued_then_50_bought_then_one_leaves()
    {
        var holders = Users(0, 500);
        var book = PoolBook.Replay(Pool, [Counts(100)]);

        Decide(book, Grant(holders));
        Assert.Equal(holders[..100], book.Holders);
        Assert.Equal(holders[100..], book.Queue.Select(q => q.Holder));
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), book.Queue.Select(q => q.Position));
        Assert.Equal((100, 400, 0), (book.State.UsedCount, book.State.QueuedCount, book.State.AvailableCount));

        // 50 more bought: the next 50 in targeting order are granted.
        var events = Decide(book, new ApplyAppleCounts(Pool, ProductKind.App, 150, 0, null, Id("sync"), Admin));
        Assert.Equal(holders[100..150].Select(Promoted), events.OfType<LicenseGranted>());
        Assert.Equal((150, 350), (book.State.UsedCount, book.State.QueuedCount));

        // A holder leaves: its license is reclaimed and the queue head granted, in one decision.
        events = Decide(book, Reclaim(ReclaimReason.LeftOrganization, holders[7]));
        Assert.Equal([Reclaimed(holders[7], ReclaimReason.LeftOrganization, "R4"), Promoted(holders[150])], events);
        Assert.Equal((150, 349), (book.State.UsedCount, book.State.QueuedCount));
    }

    private static IReadOnlyList<IPoolEvent> Decide(PoolBook book, IPoolCommand command)
    {
        var decision = PoolDecider.Decide(command, book.State, book.LookupFor(command), Now);
        Assert.Null(decision.Rejection);
        foreach (var e in decision.Events)
        {
            book.Apply(e);
        }

        return decision.Events;
    }
}
