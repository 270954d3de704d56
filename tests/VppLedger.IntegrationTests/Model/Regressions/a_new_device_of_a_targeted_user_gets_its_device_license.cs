namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 12 (rules A1, L2): device licensing through a user group reaches the user's new devices.</summary>
public sealed class a_new_device_of_a_targeted_user_gets_its_device_license(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "A1")]
    [Trait("Rule", "L2")]
    public Task recorded_after_the_assignment() => ReplayAsync(
        new Op.CreateAssignment(0, 0, 0, AssignmentIntent.Required, LicenseType.Device),
        new Op.RecordDevice(5, 0, UserEnrollment: false, AppStoreBlocked: false, Mac: false));
}
