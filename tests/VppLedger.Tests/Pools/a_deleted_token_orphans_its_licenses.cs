using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class a_deleted_token_orphans_its_licenses
{
    private static readonly IPoolEvent[] Orphaned = [Counts(2), Granted(User("a")), new PoolOrphaned(Pool, Now)];

    [Fact]
    [Trait("Rule", "T10")]
    public void deleting_the_token_orphans_the_pool_and_keeps_its_licenses_recorded()
    {
        var spec = PoolSpec.Given(Counts(2), Granted(User("a")))
            .When(new OrphanPool(Pool, Id(), Admin))
            .Then(new PoolOrphaned(Pool, Now));
        Assert.Equal([User("a")], spec.After.Holders);
        Assert.True(spec.After.State.Orphaned);
    }

    [Fact]
    [Trait("Rule", "R7")]
    public void an_orphaned_license_cannot_be_revoked()
    {
        PoolSpec.Given(Orphaned)
            .When(Reclaim(ReclaimReason.Revoked, User("a")))
            .ThenRejected("LicensesOrphanedTokenDeleted", "R7");
        PoolSpec.Given(Orphaned)
            .When(new RevokeAllLicenses(Pool, [User("a")], Id(), Admin))
            .ThenRejected("LicensesOrphanedTokenDeleted", "R7");
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void an_orphaned_pool_grants_nothing()
    {
        PoolSpec.Given(Orphaned).When(Grant(User("b"))).ThenRejected("PoolOrphanedTokenDeleted", "T10");
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void orphaning_twice_decides_nothing()
    {
        PoolSpec.Given(Orphaned).When(new OrphanPool(Pool, Id(), Admin)).ThenNothing();
    }
}
