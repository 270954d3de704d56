namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 1 (rule X1, one permission per command).</summary>
public sealed class a_directory_sync_job_adds_members_to_a_targeted_group(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "X1")]
    [Trait("Rule", "A6")]
    public Task and_the_member_gets_a_license_under_the_jobs_authority() => ReplayAsync(
        new Op.CreateAssignment(0, 0, 0, AssignmentIntent.Required, LicenseType.User),
        new Op.AddMembers(0, [0]));
}
