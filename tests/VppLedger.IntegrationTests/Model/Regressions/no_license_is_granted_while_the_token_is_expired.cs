namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 3 (rule T2): nothing is granted under an expired token, by any path.</summary>
public sealed class no_license_is_granted_while_the_token_is_expired(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "T2")]
    public Task not_even_to_the_queue_head_when_a_license_is_revoked() => ReplayAsync(
        new Op.CreateAssignment(1, 0, 0, AssignmentIntent.Required, LicenseType.User),
        new Op.AdvanceClock(61),
        new Op.RevokeUser(0));

    [Fact]
    [Trait("Rule", "T2")]
    public Task and_a_member_added_meanwhile_waits_for_the_renewal() => ReplayWithoutItem1Async(
        new Op.CreateGroup(1),
        new Op.CreateAssignment(1, 0, 1, AssignmentIntent.Required, LicenseType.User),
        new Op.AdvanceClock(61),
        new Op.AddMembers(1, [0]),
        new Op.RenewToken(1, 365));
}
