namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 5 (rules L8, A6): a device-licensed assignment keeps no user license or user queue place.</summary>
public sealed class moving_to_device_licenses_leaves_no_user_license_behind(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "L8")]
    [Trait("Rule", "A6")]
    public Task nor_a_queued_user_entry() => ReplayAsync(
        new Op.CreateAssignment(0, 1, 0, AssignmentIntent.Required, LicenseType.User),
        new Op.ChangeAssignment(0, 1, 0, AssignmentIntent.Required, LicenseType.Device));
}
