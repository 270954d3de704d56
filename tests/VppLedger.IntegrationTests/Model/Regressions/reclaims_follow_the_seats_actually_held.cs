namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 8 (rule R4): reclaims come from the seats held, not from today's facts.</summary>
public sealed class reclaims_follow_the_seats_actually_held(ArticleModelFixture fixture) : ModelRegression(fixture)
{
    [Fact]
    [Trait("Rule", "R4")]
    public Task a_leaving_user_loses_the_device_licenses_held_through_a_user_group() => ReplayAsync(
        new Op.AddMembers(0, [0]),
        new Op.CreateAssignment(0, 0, 0, AssignmentIntent.Required, LicenseType.Device),
        new Op.UserLeft(0));

    [Fact]
    [Trait("Rule", "R4")]
    public Task a_dropped_personal_apple_id_frees_its_seat() => ReplayAsync(
        new Op.AddMembers(0, [0]),
        new Op.CreateAssignment(0, 0, 0, AssignmentIntent.Required, LicenseType.User),
        new Op.RecordUser(0, Personal: false, Managed: true));
}
