namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 11 (rule L6): Apple does not reassign book licenses among users.</summary>
public sealed class a_book_license_is_never_passed_to_another_user(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "L6")]
    public Task when_its_holder_leaves_the_organization() => ReplayWithoutItem1Async(
        new Op.CreateAssignment(0, ModelUniverse.BookApp, 0, AssignmentIntent.Required, LicenseType.User),
        new Op.UserLeft(0));

    [Fact]
    [Trait("Rule", "L6")]
    public Task when_its_holder_leaves_the_group() => ReplayWithoutItem1Async(
        new Op.CreateAssignment(0, ModelUniverse.BookApp, 0, AssignmentIntent.Required, LicenseType.User),
        new Op.RemoveMembers(0, [0]));
}
