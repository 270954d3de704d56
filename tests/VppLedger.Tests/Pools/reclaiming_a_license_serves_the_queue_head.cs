using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class reclaiming_a_license_serves_the_queue_head
{
    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "R4")]
    public void a_freed_license_goes_to_the_oldest_waiting_holder_in_the_same_decision()
    {
        var (a, b, c) = (User("a"), User("b"), User("c"));
        PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1), Queued(c, 2))
            .When(Reclaim(ReclaimReason.NoLongerTargeted, a))
            .Then(Reclaimed(a, ReclaimReason.NoLongerTargeted, "R4"), Promoted(b));
    }

    [Fact]
    [Trait("Rule", "R4")]
    [Trait("Rule", "A6")]
    public void a_queued_holder_no_longer_targeted_leaves_the_queue_without_a_license()
    {
        var (a, b, c) = (User("a"), User("b"), User("c"));
        var spec = PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1), Queued(c, 2))
            .When(Reclaim(ReclaimReason.NoLongerTargeted, b))
            .Then(LeftQueue(b, ReclaimReason.NoLongerTargeted, "R4"));
        Assert.Equal([new QueuedHolder(c, 2)], spec.After.Queue);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_holder_leaving_the_queue_in_the_same_decision_is_skipped_when_seats_are_freed()
    {
        var (a, b, c) = (User("a"), User("b"), User("c"));
        PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1), Queued(c, 2))
            .When(Reclaim(ReclaimReason.AssignmentRemoved, b, a))
            .Then(
                LeftQueue(b, ReclaimReason.AssignmentRemoved, "R2"),
                Reclaimed(a, ReclaimReason.AssignmentRemoved, "R2"),
                Promoted(c));
    }

    [Theory]
    [Trait("Rule", "I1")]
    [Trait("Rule", "R2")]
    [Trait("Rule", "R3")]
    [Trait("Rule", "R4")]
    [Trait("Rule", "A4")]
    [Trait("Rule", "L8")]
    [InlineData(ReclaimReason.AssignmentRemoved, "R2")]
    [InlineData(ReclaimReason.Revoked, "R3")]
    [InlineData(ReclaimReason.NoLongerTargeted, "R4")]
    [InlineData(ReclaimReason.LeftOrganization, "R4")]
    [InlineData(ReclaimReason.UninstallIntent, "A4")]
    [InlineData(ReclaimReason.MigratedToDeviceLicense, "L8")]
    public void every_reclaim_records_its_reason_and_the_rule_that_decided_it(ReclaimReason reason, string rule)
    {
        var a = User("a");
        PoolSpec.Given(Counts(1), Granted(a)).When(Reclaim(reason, a)).Then(Reclaimed(a, reason, rule));
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void reclaiming_a_holder_with_no_license_decides_nothing()
    {
        PoolSpec.Given(Counts(1)).When(Reclaim(ReclaimReason.Revoked, User("a"))).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_lookup_with_a_queue_head_shorter_than_promised_is_a_storage_bug()
    {
        var (a, b) = (User("a"), User("b"));
        var book = PoolBook.Replay(Pool, [Counts(1), Granted(a), Queued(b, 1)]);
        var command = Reclaim(ReclaimReason.Revoked, a);
        Assert.Equal(1, PoolDecider.QueueHeadNeeded(book.State, command));
        var lookup = book.LookupFor(command) with { QueueHead = [] };
        Assert.Throws<InvalidOperationException>(() => PoolDecider.Decide(command, book.State, lookup, Now));
    }
}
