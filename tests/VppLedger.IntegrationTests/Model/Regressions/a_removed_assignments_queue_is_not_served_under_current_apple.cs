namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>Found by the model test: issue 10 item 10 (rules R2, A6) under LedgerPolicy.CurrentApple: seats stay until Uninstall, the queue ends.</summary>
public sealed class a_removed_assignments_queue_is_not_served_under_current_apple(CurrentAppleModelFixture fixture) : ModelRegression<CurrentAppleModelFixture>(fixture)
{
    [Fact]
    [Trait("Rule", "R2")]
    [Trait("Rule", "A6")]
    public Task its_queued_members_leave_the_queue() => ReplayAsync(
        new Op.CreateAssignment(0, 1, 0, AssignmentIntent.Required, LicenseType.User),
        new Op.RemoveAssignment(0, 1, 0));
}
