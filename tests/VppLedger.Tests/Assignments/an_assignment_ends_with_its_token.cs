using NodaTime;
using VppLedger.Assignments;

namespace VppLedger.Tests.Assignments;

/// <summary>Rules T10, R7: deleting a token ends its assignments; nothing is reclaimed (the pools are orphaned).</summary>
public sealed class an_assignment_ends_with_its_token
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 1, 9, 0);
    private static readonly PoolId Pool = new(new TokenId("tok-1"), new AdamId("361309726"));
    private static readonly GroupId Group = new("group-1");

    private static AssignmentState Active() => AssignmentDecider.Evolve(
        AssignmentState.Initial(Pool, Group),
        new AssignmentCreated(Pool, Group, AssignmentTarget.UserGroup, AssignmentIntent.Required, LicenseType.User, Now));

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public void an_active_assignment_ends_when_its_token_is_deleted_and_no_longer_targets_anyone()
    {
        var decision = AssignmentDecider.EndWithToken(Active(), Now);

        Assert.Equal([new AssignmentEndedWithToken(Pool, Group, Now)], decision.Events);
        var after = AssignmentDecider.Evolve(Active(), decision.Events[0]);
        Assert.False(after.Active);
        Assert.False(after.WantsLicenses);
    }

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "I4")]
    public void an_assignment_already_removed_or_ended_decides_nothing()
    {
        var removed = AssignmentDecider.Evolve(Active(), new AssignmentRemoved(Pool, Group, Now));

        Assert.Empty(AssignmentDecider.EndWithToken(removed, Now).Events);
        Assert.Empty(AssignmentDecider.EndWithToken(AssignmentState.Initial(Pool, Group), Now).Events);
    }
}
