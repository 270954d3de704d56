namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 2 (rules T10, R7): a deleted token's apps leave the MDM with it.</summary>
public sealed class an_app_of_a_deleted_token_cannot_be_assigned(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "T10")]
    public Task even_to_an_empty_group() => ReplayAsync(
        new Op.DeleteToken(0),
        new Op.CreateGroup(1),
        new Op.CreateAssignment(0, 0, 1, AssignmentIntent.Required, LicenseType.User));
}
