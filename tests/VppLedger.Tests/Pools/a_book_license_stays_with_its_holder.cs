using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>Issue 10, item 11: books cannot be reassigned among users (rule L6), so a book seat is never passed to the queue.</summary>
public sealed class a_book_license_stays_with_its_holder
{
    [Fact]
    [Trait("Rule", "L6")]
    public void a_book_license_is_not_passed_to_the_next_in_the_queue_when_its_holder_leaves()
    {
        var spec = PoolSpec.Given(Counts(1, product: ProductKind.Book), Granted(User("a")), Queued(User("b"), 1))
            .When(Reclaim(ReclaimReason.LeftOrganization, User("a")))
            .ThenNothing();
        Assert.Equal((1, 1), (spec.After.State.UsedCount, spec.After.State.QueuedCount));
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void a_waiting_holder_of_a_book_still_leaves_the_queue()
    {
        PoolSpec.Given(Counts(1, product: ProductKind.Book), Granted(User("a")), Queued(User("b"), 1))
            .When(Reclaim(ReclaimReason.NoLongerTargeted, User("b")))
            .Then(LeftQueue(User("b"), ReclaimReason.NoLongerTargeted, "R4"));
    }
}
