using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>Issue 10, item 10: a sync with the same Apple figures still reports drift when the ledger's used count moved since (rule S2).</summary>
public sealed class unchanged_apple_figures_record_drift_when_used_moved
{
    private static ApplyAppleCounts Sync(int purchased, int? assigned) => new(Pool, ProductKind.App, purchased, 0, assigned, Id("sync-2"), Admin);

    [Fact]
    [Trait("Rule", "S2")]
    public void a_sync_with_unchanged_apple_figures_records_drift_when_the_ledgers_used_count_moved_since()
    {
        // Apple said 1 assigned when the ledger had 1 used; since then the ledger granted another.
        PoolSpec.Given(Counts(10, assigned: 1), Granted(User("a")), Granted(User("b")))
            .When(Sync(10, assigned: 1))
            .Then(new AssignedCountDriftRecorded(Pool, 1, 2, Now));
    }

    [Fact]
    [Trait("Rule", "S2")]
    [Trait("Rule", "I4")]
    public void the_same_figures_with_nothing_moved_record_nothing_again()
    {
        PoolSpec.Given(Counts(10), Granted(User("a")), Counts(10, assigned: 3), new AssignedCountDriftRecorded(Pool, 3, 1, Now))
            .When(Sync(10, assigned: 3))
            .ThenNothing();
    }
}
