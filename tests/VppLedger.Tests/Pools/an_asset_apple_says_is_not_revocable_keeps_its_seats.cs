using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>Apple's assets snapshot says an asset is not revocable: a revoke of its granted seats is refused (rule R3).</summary>
public sealed class an_asset_apple_says_is_not_revocable_keeps_its_seats
{
    private static AppleAssetFactsRecorded Facts(bool revocable) => new(Pool, new AppleAssetFacts(true, revocable, ["iOS"]), Now);

    [Fact]
    [Trait("Rule", "R3")]
    public void revoking_a_granted_seat_is_refused()
    {
        PoolSpec.Given(Counts(2), Granted(User("a")), Facts(revocable: false))
            .When(Reclaim(ReclaimReason.Revoked, User("a")))
            .ThenRejected(RejectionCodes.AssetNotRevocable, "R3");
    }

    [Fact]
    [Trait("Rule", "R1")]
    [Trait("Rule", "R3")]
    public void revoking_every_license_of_the_app_is_refused()
    {
        PoolSpec.Given(Counts(2), Granted(User("a")), Granted(Device("d1")), Facts(revocable: false))
            .When(new RevokeAllLicenses(Pool, [User("a"), Device("d1")], Id(), Admin))
            .ThenRejected(RejectionCodes.AssetNotRevocable, "R3");
    }

    [Fact]
    [Trait("Rule", "R3")]
    [Trait("Rule", "R2")]
    public void a_pool_without_facts_or_revocable_still_revokes_and_other_releases_still_reclaim()
    {
        PoolSpec.Given(Counts(2), Granted(User("a"))).When(Reclaim(ReclaimReason.Revoked, User("a"))).Then(Reclaimed(User("a"), ReclaimReason.Revoked, "R3"));
        PoolSpec.Given(Counts(2), Granted(User("a")), Facts(revocable: true))
            .When(Reclaim(ReclaimReason.Revoked, User("a")))
            .Then(Reclaimed(User("a"), ReclaimReason.Revoked, "R3"));
        PoolSpec.Given(Counts(2), Granted(User("a")), Facts(revocable: false))
            .When(Reclaim(ReclaimReason.AssignmentRemoved, User("a")))
            .Then(Reclaimed(User("a"), ReclaimReason.AssignmentRemoved, "R2"));
    }

    [Fact]
    [Trait("Rule", "R3")]
    public void a_queued_holder_still_leaves_the_queue()
    {
        PoolSpec.Given(Counts(1), Granted(User("a")), Queued(User("b"), 1), Facts(revocable: false))
            .When(Reclaim(ReclaimReason.Revoked, User("b")))
            .Then(LeftQueue(User("b"), ReclaimReason.Revoked, "R3"));
    }
}
