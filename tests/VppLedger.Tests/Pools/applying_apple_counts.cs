using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class applying_apple_counts
{
    private static ApplyAppleCounts Sync(int purchased, int retired = 0, int? assigned = null, Actor? actor = null) =>
        new(Pool, ProductKind.App, purchased, retired, assigned, Id(), actor ?? Admin);

    [Fact]
    [Trait("Rule", "S2")]
    public void the_first_counts_create_the_pool()
    {
        PoolSpec.Given().When(Sync(10, 1)).Then(Counts(10, 1));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void apples_assigned_count_that_differs_is_recorded_as_drift_and_the_ledger_keeps_its_own()
    {
        var spec = PoolSpec.Given(Counts(10), Granted(User("a")))
            .When(Sync(10, assigned: 3))
            .Then(Counts(10, assigned: 3), new AssignedCountDriftRecorded(Pool, 3, 1, Now));
        Assert.Equal((1, 2), (spec.After.State.UsedCount, spec.After.State.DriftCount));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void an_assigned_count_that_agrees_records_no_drift()
    {
        PoolSpec.Given(Counts(10), Granted(User("a"))).When(Sync(10, assigned: 1)).Then(Counts(10, assigned: 1));
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void the_same_counts_again_decide_nothing()
    {
        PoolSpec.Given(Counts(10, 2, 4)).When(Sync(10, 2, 4)).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_rising_total_grants_the_queue_in_fifo_order()
    {
        var (a, b, c, d) = (User("a"), User("b"), User("c"), User("d"));
        PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1), Queued(c, 2), Queued(d, 3))
            .When(Sync(3))
            .Then(Counts(3), Promoted(b), Promoted(c));
    }

    [Fact]
    [Trait("Rule", "S4")]
    public void a_total_lowered_below_used_over_allocates_and_grants_queue_instead()
    {
        var (a, b, c) = (User("a"), User("b"), User("c"));
        var spec = PoolSpec.Given(Counts(2), Granted(a), Granted(b)).When(Sync(2, retired: 1)).Then(Counts(2, 1));
        Assert.True(spec.After.State.OverAllocated);

        PoolSpec.Given(Counts(2), Granted(a), Granted(b), Counts(2, 1))
            .When(Grant(c))
            .Then(Queued(c, 1, rule: "S4"));
    }

    [Fact]
    [Trait("Rule", "S4")]
    public void an_over_allocated_pool_frees_no_seat_until_used_is_below_total()
    {
        var (a, b, c, d) = (User("a"), User("b"), User("c"), User("d"));
        var history = new IPoolEvent[] { Counts(3), Granted(a), Granted(b), Granted(c), Queued(d, 1), Counts(3, 2) };
        PoolSpec.Given(history)
            .When(Reclaim(ReclaimReason.NoLongerTargeted, a))
            .Then(Reclaimed(a, ReclaimReason.NoLongerTargeted, "R4"));
    }

    [Theory]
    [Trait("Rule", "S2")]
    [InlineData(-1, 0, null)]
    [InlineData(5, 6, null)]
    [InlineData(5, 0, -2)]
    public void counts_that_cannot_be_right_are_rejected(int purchased, int retired, int? assigned)
    {
        PoolSpec.Given().When(Sync(purchased, retired, assigned)).ThenRejected("InvalidAppleCounts", "S2");
    }
}
