namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 9 (rule A4): Uninstall reclaims the licenses of its own license type.</summary>
public sealed class a_new_uninstall_assignment_reclaims_its_own_license_type(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "A4")]
    public Task device_licenses_of_the_groups_users_devices() => ReplayAsync(
        new Op.Grant(0, 0, [(0, null)]),
        new Op.CreateAssignment(0, 0, 0, AssignmentIntent.Uninstall, LicenseType.Device));
}
