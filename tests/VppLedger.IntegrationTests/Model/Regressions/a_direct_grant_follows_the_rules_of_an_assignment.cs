namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 13 (rules A1, L5, R4): a direct grant passes the same checks as any other path to a seat.</summary>
public sealed class a_direct_grant_follows_the_rules_of_an_assignment(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "A1")]
    public Task a_holder_never_recorded_is_refused() => ReplayAsync(
        new Op.Grant(0, 1, [(4, AppleIdKind.Managed)]));

    [Fact]
    [Trait("Rule", "L5")]
    public Task a_user_enrollment_device_is_refused() => ReplayAsync(
        new Op.Grant(0, 1, [(2, null)]));

    [Fact]
    [Trait("Rule", "R4")]
    public Task a_user_who_left_is_refused() => ReplayAsync(
        new Op.UserLeft(2),
        new Op.Grant(0, 1, [(2, AppleIdKind.Personal)]));
}
