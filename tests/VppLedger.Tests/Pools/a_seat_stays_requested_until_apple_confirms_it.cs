using VppLedger.Audit;
using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>Seat states at Apple (docs/apple.md): requested, confirmed, failed; releases pending until Apple confirms.</summary>
public sealed class a_seat_stays_requested_until_apple_confirms_it
{
    private const string EventId = "apple-evt-1";

    private static RecordAppleEventResult Answer(AppleEventType type, Holder[] completed, params AppleHolderFailure[] failures) =>
        new(Pool, EventId, type, completed, failures, Id("answer-1"), Admin);

    private static AppleHolderFailure NotEnoughLicenses(Holder holder) => new(holder, 9709, "Not enough licenses.");

    private static AppleAssociationConfirmed Confirmed(Holder holder) => new(Pool, holder, EventId, Now);

    private static AppleAssociationFailed Failed(Holder holder) => new(Pool, holder, EventId, 9709, "Not enough licenses.", Now);

    [Fact]
    [Trait("Rule", "S1")]
    public void a_granted_seat_is_requested_and_counts_as_used()
    {
        var a = User("a");
        var spec = PoolSpec.Given(Counts(2)).When(Grant(a)).Then(Granted(a));

        var state = spec.After.State;
        Assert.Equal((1, 1, 0, 1), (state.UsedCount, state.RequestedCount, state.ConfirmedCount, state.AvailableCount));
        Assert.Equal(AppleSeatState.Requested, spec.After.SeatOf(a).Apple);
    }

    [Fact]
    [Trait("Rule", "S1")]
    public void apple_confirming_the_association_makes_the_seat_confirmed()
    {
        var (a, b) = (User("a"), User("b"));
        var spec = PoolSpec.Given(Counts(2), Granted(a), Granted(b))
            .When(Answer(AppleEventType.Associate, [a]))
            .Then(Confirmed(a));

        var state = spec.After.State;
        Assert.Equal((2, 1, 1), (state.UsedCount, state.RequestedCount, state.ConfirmedCount));
        Assert.True(spec.After.SeatOf(a).ConfirmedByApple);
        Assert.False(spec.After.SeatOf(b).ConfirmedByApple);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_failed_association_frees_the_seat_and_serves_the_queue()
    {
        var (a, b) = (User("a"), User("b"));
        var spec = PoolSpec.Given(Counts(1), Granted(a), Queued(b, 1))
            .When(Answer(AppleEventType.Associate, [], NotEnoughLicenses(a)))
            .Then(Failed(a), Promoted(b));

        var state = spec.After.State;
        Assert.Equal((1, 1, 0, 0), (state.UsedCount, state.FailedCount, state.ConfirmedCount, state.QueuedCount));
        Assert.Equal(SeatStatus.None, spec.After.SeatOf(a).Status);
        Assert.Equal(SeatStatus.Granted, spec.After.SeatOf(b).Status);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void the_same_answer_recorded_twice_decides_nothing_the_second_time()
    {
        var (a, b) = (User("a"), User("b"));
        PoolSpec.Given(Counts(2), Granted(a), Granted(b), Confirmed(a), Failed(b))
            .When(Answer(AppleEventType.Associate, [a], NotEnoughLicenses(b)))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void a_failure_arriving_after_the_confirmation_changes_nothing()
    {
        var a = User("a");
        PoolSpec.Given(Counts(1), Granted(a), Confirmed(a))
            .When(Answer(AppleEventType.Associate, [], NotEnoughLicenses(a)))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void an_answer_naming_a_holder_both_completed_and_failed_is_refused()
    {
        var a = User("a");
        PoolSpec.Given(Counts(1), Granted(a))
            .When(Answer(AppleEventType.Associate, [a], NotEnoughLicenses(a)))
            .ThenRejected("AppleAnswerContradictsItself", "S2");
    }

    [Fact]
    [Trait("Rule", "R4")]
    [Trait("Rule", "A6")]
    public void reclaiming_a_confirmed_seat_frees_it_at_once_and_leaves_the_disassociation_pending()
    {
        var (a, b) = (User("a"), User("b"));
        var spec = PoolSpec.Given(Counts(1), Granted(a), Confirmed(a), Queued(b, 1))
            .When(Reclaim(ReclaimReason.NoLongerTargeted, a))
            .Then(new AppleDisassociationRequested(Pool, a, Now), Reclaimed(a, ReclaimReason.NoLongerTargeted, "R4"), Promoted(b));

        var state = spec.After.State;
        Assert.Equal((1, 0, 1), (state.UsedCount, state.ConfirmedCount, state.ReleasePendingCount));
        Assert.Equal(1, spec.After.SeatOf(a).PendingReleaseCount);
    }

    [Fact]
    [Trait("Rule", "R4")]
    public void reclaiming_a_seat_apple_never_confirmed_leaves_nothing_pending()
    {
        var a = User("a");
        var spec = PoolSpec.Given(Counts(1), Granted(a))
            .When(Reclaim(ReclaimReason.NoLongerTargeted, a))
            .Then(Reclaimed(a, ReclaimReason.NoLongerTargeted, "R4"));
        Assert.Equal(0, spec.After.State.ReleasePendingCount);
    }

    [Fact]
    [Trait("Rule", "R3")]
    [Trait("Rule", "I4")]
    public void apple_confirming_the_disassociation_ends_the_pending_release_once()
    {
        var a = User("a");
        var released = new IPoolEvent[] { Counts(1), Granted(a), Confirmed(a), new AppleDisassociationRequested(Pool, a, Now), Reclaimed(a, ReclaimReason.Revoked, "R3") };
        var spec = PoolSpec.Given(released)
            .When(Answer(AppleEventType.Disassociate, [a]))
            .Then(new AppleDisassociationConfirmed(Pool, a, EventId, Now));
        Assert.Equal(0, spec.After.State.ReleasePendingCount);

        PoolSpec.Given([.. released, new AppleDisassociationConfirmed(Pool, a, EventId, Now)])
            .When(Answer(AppleEventType.Disassociate, [a]))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void apple_refusing_the_disassociation_ends_the_release_and_leaves_the_counts()
    {
        var (a, b) = (User("a"), User("b"));
        var spec = PoolSpec.Given(Counts(1), Granted(a), Confirmed(a), new AppleDisassociationRequested(Pool, a, Now), Reclaimed(a, ReclaimReason.Revoked, "R3"), Granted(b))
            .When(Answer(AppleEventType.Revoke, [], new AppleHolderFailure(a, 9706, "Asset not revocable.")))
            .Then(new AppleDisassociationFailed(Pool, a, EventId, 9706, "Asset not revocable.", Now));

        var state = spec.After.State;
        Assert.Equal((1, 0, 0), (state.UsedCount, state.ReleasePendingCount, state.ConfirmedCount));
    }

    [Fact]
    [Trait("Rule", "L6")]
    [Trait("Rule", "A6")]
    public void a_book_apple_refused_frees_its_seat_although_a_book_seat_is_never_reclaimed()
    {
        var (a, b) = (User("a"), User("b"));
        PoolSpec.Given(Counts(1, product: ProductKind.Book), Granted(a), Queued(b, 1))
            .When(Answer(AppleEventType.Associate, [], NotEnoughLicenses(a)))
            .Then(Failed(a), Promoted(b));
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void explaining_a_failed_association_names_apples_event_and_error()
    {
        var a = User("a");
        var explainer = new LicenseExplainer(a, Pool, Now);
        long version = 0;
        foreach (var e in new IPoolEvent[] { Counts(1), Granted(a), Failed(a) })
        {
            explainer.Apply(++version, e.GetType().Name, e);
        }

        var explanation = explainer.Result();
        Assert.Equal(SeatStatus.None, explanation.Status);
        Assert.Equal(
            "Apple refused the association (Apple event apple-evt-1, error 9709: Not enough licenses.): the seat was freed for the queue (rule A6).",
            explanation.Steps[^1].Sentence);
        Assert.Contains("apple-evt-1", explanation.Summary, StringComparison.Ordinal);
    }
}
