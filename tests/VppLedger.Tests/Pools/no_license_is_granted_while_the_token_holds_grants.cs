using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>
/// Rule T2: an expired (or deleted, or external) token grants nothing by any path. The pool still records what
/// happens: new holders queue under the rule that holds grants back, reclaims free seats, and nobody is promoted
/// until the token lets grants through again and the queue is served in A6 order.
/// </summary>
public sealed class no_license_is_granted_while_the_token_holds_grants
{
    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "A6")]
    public void a_new_holder_of_an_expired_token_queues_under_T2_even_with_free_licenses()
    {
        var (a, b) = (User("a"), User("b"));
        var spec = PoolSpec.Given(Counts(5))
            .When(Grant(a, b), grantsHeldBy: "T2")
            .Then(Queued(a, 1, "T2"), Queued(b, 2, "T2"));
        Assert.Equal(0, spec.After.State.UsedCount);
    }

    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "R4")]
    public void a_reclaim_under_an_expired_token_is_recorded_but_promotes_nobody()
    {
        var (a, b) = (User("a"), User("b"));
        var spec = PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1))
            .When(Reclaim(ReclaimReason.NoLongerTargeted, a), grantsHeldBy: "T2")
            .Then(Reclaimed(a, ReclaimReason.NoLongerTargeted, "R4"));
        Assert.Equal([new QueuedHolder(b, 1)], spec.After.Queue);
    }

    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "S2")]
    public void apple_counts_raising_the_total_under_an_expired_token_promote_nobody()
    {
        var (a, b) = (User("a"), User("b"));
        PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1))
            .When(new ApplyAppleCounts(Pool, ProductKind.App, 3, 0, null, Id(), Admin), grantsHeldBy: "T2")
            .Then(new AppleCountsApplied(Pool, ProductKind.App, 3, 0, null, Now));
    }

    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "L8")]
    public void a_migration_to_device_licenses_under_an_expired_token_queues_the_devices()
    {
        var (user, device) = (User("a"), Device("d1"));
        PoolSpec.Given(Counts(2), Granted(user))
            .When(new MigrateToDeviceLicenses(Pool, user, [device], Id(), Admin), grantsHeldBy: "T2")
            .Then(Reclaimed(user, ReclaimReason.MigratedToDeviceLicense, "L8"), Queued(device, 1, "T2"));
    }

    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "T8")]
    [Trait("Rule", "A6")]
    public void serving_the_queue_after_renewal_promotes_the_waiting_holders_first_in_first_out()
    {
        var (a, b, c) = (User("a"), User("b"), User("c"));
        var spec = PoolSpec.Given(Counts(2), Queued(a, 1, "T2"), Queued(b, 2, "T2"), Queued(c, 3, "T2"))
            .When(new ServeQueue(Pool, Id(), Admin))
            .Then(Promoted(a), Promoted(b));
        Assert.Equal([new QueuedHolder(c, 3)], spec.After.Queue);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void serving_the_queue_while_grants_are_still_held_decides_nothing()
    {
        PoolSpec.Given(Counts(2), Queued(User("a"), 1, "T2"))
            .When(new ServeQueue(Pool, Id(), Admin), grantsHeldBy: "T2")
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void serving_the_queue_of_an_orphaned_pool_decides_nothing()
    {
        PoolSpec.Given(Counts(2), Queued(User("a"), 1), new PoolOrphaned(Pool, Now))
            .When(new ServeQueue(Pool, Id(), Admin))
            .ThenNothing();
    }
}
