using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class granting_beyond_the_purchased_count_queues_the_rest
{
    [Fact]
    [Trait("Rule", "A6")]
    public void the_first_holders_in_targeting_order_get_licenses_and_the_rest_wait_in_order()
    {
        var (a, b, c, d) = (User("a"), User("b"), User("c"), User("d"));
        PoolSpec.Given(Counts(2))
            .When(Grant(a, b, c, d))
            .Then(Granted(a), Granted(b), Queued(c, 1), Queued(d, 2));
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void new_holders_queue_behind_those_already_waiting()
    {
        var (a, b, c) = (User("a"), User("b"), User("c"));
        PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1))
            .When(Grant(c))
            .Then(Queued(c, 2));
    }

    [Fact]
    [Trait("Rule", "I4")]
    [Trait("Rule", "A6")]
    public void a_repeated_grant_decides_nothing()
    {
        var (a, b) = (User("a"), User("b"));
        PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1))
            .When(Grant(a, b))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_holder_named_twice_in_one_command_is_granted_once()
    {
        var a = User("a");
        PoolSpec.Given(Counts(5)).When(Grant(a, a)).Then(Granted(a));
    }

    [Fact]
    [Trait("Rule", "S1")]
    [Trait("Rule", "L1")]
    public void counts_split_user_and_device_licenses_and_available_is_total_minus_used()
    {
        var spec = PoolSpec.Given(Counts(10, retired: 2)).When(Grant(User("a"), User("a", AppleIdKind.Managed), Device("d1")));
        var state = spec.After.State;
        Assert.Equal(8, state.TotalCount);
        Assert.Equal(2, state.UserLicenseCount);
        Assert.Equal(1, state.DeviceLicenseCount);
        Assert.Equal(3, state.UsedCount);
        Assert.Equal(5, state.AvailableCount);
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_pool_apple_never_reported_takes_no_grant()
    {
        PoolSpec.Given().When(Grant(User("a"))).ThenRejected("PoolNotSynced", "S2");
    }

    [Fact]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    public void a_grant_reads_only_the_holders_it_names_however_large_the_pool()
    {
        // Scale: 100,000 holders in the counters, none in the lookup but the one named.
        var state = PoolState.Initial(Pool) with { Synced = true, PurchasedCount = 100_001, UserLicenseCount = 100_000 };
        var decision = PoolDecider.Decide(Grant(User("new")), state, PoolLookup.Empty, Now);
        Assert.Equal([Granted(User("new"))], decision.Events);
    }
}
