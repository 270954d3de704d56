namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 6 (rules L5, L7, A1): an assignment that can grant nobody is not accepted silently.</summary>
public sealed class user_licensing_on_a_device_group_is_refused_up_front(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "L5")]
    [Trait("Rule", "A1")]
    public Task the_model_expects_a_typed_rejection() => ReplayAsync(
        new Op.AddMembers(2, [0, 1]),
        new Op.CreateAssignment(0, 0, 2, AssignmentIntent.Required, LicenseType.User));
}
