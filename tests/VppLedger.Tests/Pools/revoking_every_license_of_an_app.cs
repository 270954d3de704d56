using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class revoking_every_license_of_an_app
{
    [Fact]
    [Trait("Rule", "R1")]
    public void a_page_of_holders_is_revoked_and_the_queue_is_not_served()
    {
        var (a, b, c) = (User("a"), Device("d1"), User("c"));
        var spec = PoolSpec.Given(Counts(2), Granted(a), Granted(b), Queued(c, 1))
            .When(new RevokeAllLicenses(Pool, [a, b], Id(), Admin))
            .Then(Reclaimed(a, ReclaimReason.Revoked, "R1"), Reclaimed(b, ReclaimReason.Revoked, "R1"));
        Assert.Equal((0, 1), (spec.After.State.UsedCount, spec.After.State.QueuedCount));
    }

    [Fact]
    [Trait("Rule", "R1")]
    public void the_last_page_empties_the_queue()
    {
        var (a, c) = (User("a"), User("c"));
        var spec = PoolSpec.Given(Counts(1), Granted(a), Queued(c, 1), Reclaimed(a, ReclaimReason.Revoked, "R1"))
            .When(new RevokeAllLicenses(Pool, [c], Id("page-2"), Admin))
            .Then(LeftQueue(c, ReclaimReason.Revoked, "R1"));
        Assert.Empty(spec.After.Queue);
        Assert.Empty(spec.After.Holders);
    }

    [Fact]
    [Trait("Rule", "R1")]
    [Trait("Rule", "R3")]
    public void revoking_one_holder_reclaims_its_license()
    {
        var a = Device("d1");
        PoolSpec.Given(Counts(1), Granted(a))
            .When(Reclaim(ReclaimReason.Revoked, a))
            .Then(Reclaimed(a, ReclaimReason.Revoked, "R3"));
    }
}
