using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>The outbox's pure rules (docs/apple.md): what each seat change asks of Apple and what fits one call.</summary>
public sealed class apple_requests_are_batched_within_apples_limits
{
    private static AppleRequest Request(int i, AppleRequestKind kind = AppleRequestKind.Associate, string adamId = "361309726") =>
        new($"r{i}", new PoolId(new TokenId("token-1"), new AdamId(adamId)), kind, User($"u{i}"), null, Now);

    [Fact]
    [Trait("Rule", "A6")]
    public void a_grant_associates_a_reclaim_disassociates_and_a_queue_place_asks_nothing()
    {
        Assert.Equal(AppleRequestKind.Associate, AppleRequests.For(Granted(User("a"))));
        Assert.Equal(AppleRequestKind.Disassociate, AppleRequests.For(Reclaimed(User("a"), ReclaimReason.Revoked, "R3")));
        Assert.Null(AppleRequests.For(Queued(User("a"), 1)));
        Assert.Null(AppleRequests.For(new AppleDisassociationRequested(Pool, User("a"), Now)));
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_batch_stops_at_the_holder_limit_the_asset_limit_or_another_kind()
    {
        var limits = new AppleServiceLimits(MaxAssetsPerCall: 2, MaxHoldersPerCall: 3, MaxRevokeHoldersPerCall: 1);
        Assert.Equal(["r1", "r2", "r3"], AppleRequests.FirstBatch([Request(1), Request(2), Request(3), Request(4)], limits).Select(r => r.RequestId));
        Assert.Equal(["r1", "r2"], AppleRequests.FirstBatch([Request(1, adamId: "1"), Request(2, adamId: "2"), Request(3, adamId: "3")], limits).Select(r => r.RequestId));
        Assert.Equal(["r1"], AppleRequests.FirstBatch([Request(1), Request(2, AppleRequestKind.Disassociate), Request(3)], limits).Select(r => r.RequestId));
        Assert.Equal(["r1"], AppleRequests.FirstBatch([Request(1, AppleRequestKind.Revoke), Request(2, AppleRequestKind.Revoke)], limits).Select(r => r.RequestId));
        Assert.Empty(AppleRequests.FirstBatch([], AppleServiceLimits.Published));
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void a_refused_call_fails_the_seats_of_its_pending_requests_only()
    {
        var answer = new RecordAppleCallAnswer(new TokenId("token-1"), ["r1", "r2"], AppleCallAnswer.Refused(9709, "Not enough licenses."), Id("call-1"), Admin);
        var (marked, status, results) = AppleRequests.Answer(answer, [(Request(1), AppleRequestStatus.Pending), (Request(2), AppleRequestStatus.Sent)]);

        Assert.Equal(["r1"], marked);
        Assert.Equal(AppleRequestStatus.Refused, status);
        var result = Assert.Single(results);
        Assert.Equal(AppleEventType.Associate, result.EventType);
        Assert.Equal([new AppleHolderFailure(User("u1"), 9709, "Not enough licenses.")], result.Failures);
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void an_answer_with_both_an_event_id_and_an_error_is_refused()
    {
        var answer = new RecordAppleCallAnswer(new TokenId("token-1"), ["r1"], new AppleCallAnswer("evt", 9603, "x"), Id(), Admin);
        Assert.Equal("AppleCallAnswerNotOneOf", AppleRequests.Check(answer)?.Code);
        Assert.Null(AppleRequests.Check(answer with { Answer = AppleCallAnswer.Accepted("evt") }));
    }
}
