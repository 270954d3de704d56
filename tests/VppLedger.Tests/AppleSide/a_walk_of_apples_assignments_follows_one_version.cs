using NodaTime;
using VppLedger.AppleSide;

namespace VppLedger.Tests.AppleSide;

/// <summary>Issue 13, item 3: pages of a walk of Apple's assignments, the versionId guard and deltas (pure).</summary>
public sealed class a_walk_of_apples_assignments_follows_one_version
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 1, 9, 0);
    private static readonly TokenId Token = new("tok");
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);

    private static RecordAppleAssignmentsPage Page(string walk, string version, int page, bool last = false, string? since = null) =>
        new(Token, walk, version, since, page, last, [new AppleSeatReport(new AdamId("1"), PricingParam.Stdq, "u.a.managed", null)], CommandId.New(), Worker);

    private static AppleSideState Fold(AppleSideState state, Decision<IAppleSideEvent> decision) =>
        decision.Events.Aggregate(state, AppleSideDecider.Evolve);

    [Fact]
    [Trait("Rule", "S2")]
    public void a_page_under_another_version_is_refused_and_a_new_walk_restarts_from_page_zero()
    {
        var state = Fold(AppleSideState.Initial, AppleSideDecider.DecidePage(Page("w1", "v1", 0), AppleSideState.Initial, Now));
        Assert.Equal(RejectionCodes.AppleAssignmentsVersionChanged, AppleSideDecider.DecidePage(Page("w1", "v2", 1), state, Now).Rejection!.Code);
        Assert.Equal(RejectionCodes.AppleAssignmentsPageOutOfOrder, AppleSideDecider.DecidePage(Page("w1", "v1", 2), state, Now).Rejection!.Code);

        var restarted = AppleSideDecider.DecidePage(Page("w2", "v2", 0, last: true), state, Now);
        Assert.IsType<AppleAssignmentsSnapshotCompleted>(restarted.Events[^1]);
        Assert.Equal(("w2", "v2"), (Fold(state, restarted).CompletedWalkId, Fold(state, restarted).CompletedVersionId));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_delta_must_build_on_the_last_completed_walk()
    {
        Assert.Equal(RejectionCodes.AppleAssignmentsDeltaBaseUnknown, AppleSideDecider.DecidePage(Page("d", "v2", 0, true, since: "v1"), AppleSideState.Initial, Now).Rejection!.Code);
        var done = Fold(AppleSideState.Initial, AppleSideDecider.DecidePage(Page("w", "v1", 0, last: true), AppleSideState.Initial, Now));
        Assert.False(AppleSideDecider.DecidePage(Page("d", "v2", 0, true, since: "v1"), done, Now).IsRejected);
        Assert.Equal(RejectionCodes.AppleAssignmentsPageOutOfOrder, AppleSideDecider.DecidePage(Page("w", "v1", 0, true), done, Now).Rejection!.Code);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void apples_user_states_only_move_forward()
    {
        var forward = AppleSideDecider.Forward(
            [new AppleUserStateReport("a", AppleUserState.Associated), new AppleUserStateReport("b", AppleUserState.Registered), new AppleUserStateReport("c", AppleUserState.Retired)],
            new Dictionary<string, AppleUserState> { ["a"] = AppleUserState.Retired, ["b"] = AppleUserState.Registered });
        Assert.Equal([new AppleUserStateReport("c", AppleUserState.Retired)], forward);
    }
}
