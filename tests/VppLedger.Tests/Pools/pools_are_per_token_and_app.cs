using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class pools_are_per_token_and_app
{
    [Fact]
    [Trait("Rule", "L10")]
    public void the_same_app_under_two_tokens_is_two_pools_and_a_command_for_one_is_never_decided_on_the_other()
    {
        var other = new PoolId(new TokenId("token-2"), Pool.AdamId);
        Assert.NotEqual(Pool, other);
        var state = PoolState.Initial(other) with { Synced = true, PurchasedCount = 5 };
        Assert.Throws<ArgumentException>(() => PoolDecider.Decide(Grant(User("a")), state, PoolLookup.Empty, Now));
    }

    [Fact]
    [Trait("Rule", "L9")]
    public void store_and_custom_apps_are_bought_and_granted_the_same_way()
    {
        // Rule L9: nothing in a pool tells a custom app from a store app; only books differ (L6).
        Assert.Equal([ProductKind.App, ProductKind.Book], Enum.GetValues<ProductKind>());
        PoolSpec.Given(Counts(1)).When(Grant(User("a"))).Then(Granted(User("a")));
    }
}
