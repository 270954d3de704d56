using NodaTime;
using VppLedger.Assignments;

namespace VppLedger.Tests.Assignments;

public sealed class assigning_an_app_to_a_group
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 1, 9, 0);
    private static readonly PoolId Pool = new(new TokenId("token-1"), new AdamId("361309726"));
    private static readonly GroupId Group = new("sales");
    private static readonly Actor Admin = new("admin", Permissions.MobileApps);

    private static Decision<IAssignmentEvent> When(IAssignmentCommand command, params IAssignmentEvent[] given) =>
        AssignmentDecider.Decide(command, given.Aggregate(AssignmentState.Initial(Pool, Group), AssignmentDecider.Evolve), Now);

    private static CreateAssignment Create(
        AssignmentTarget target = AssignmentTarget.UserGroup,
        AssignmentIntent intent = AssignmentIntent.Required,
        LicenseType type = LicenseType.User,
        ProductKind product = ProductKind.App,
        Actor? actor = null) => new(Pool, Group, target, intent, type, product, new CommandId("c1"), actor ?? Admin);

    private static ChangeAssignment Change(AssignmentIntent intent, LicenseType type) =>
        new(Pool, Group, intent, type, ProductKind.App, new CommandId("c2"), Admin);

    private static AssignmentCreated Created(
        AssignmentTarget target = AssignmentTarget.UserGroup,
        AssignmentIntent intent = AssignmentIntent.Required,
        LicenseType type = LicenseType.User) => new(Pool, Group, target, intent, type, Now);

    private static void ThenRejected(Decision<IAssignmentEvent> decision, string code, string rule)
    {
        Assert.Equal((code, rule), (decision.Rejection?.Code, decision.Rejection?.Rule));
        Assert.Empty(decision.Events);
    }

    [Theory]
    [Trait("Rule", "A1")]
    [InlineData(AssignmentTarget.UserGroup, AssignmentIntent.Available, LicenseType.User)]
    [InlineData(AssignmentTarget.UserGroup, AssignmentIntent.Required, LicenseType.Device)]
    [InlineData(AssignmentTarget.DeviceGroup, AssignmentIntent.Required, LicenseType.Device)]
    [InlineData(AssignmentTarget.DeviceGroup, AssignmentIntent.Uninstall, LicenseType.Device)]
    public void an_assignment_targets_a_group_with_an_intent_and_a_license_type(AssignmentTarget target, AssignmentIntent intent, LicenseType type)
    {
        Assert.Equal([Created(target, intent, type)], When(Create(target, intent, type)).Events);
    }

    [Fact]
    [Trait("Rule", "A2")]
    public void available_intent_for_a_device_group_is_rejected()
    {
        ThenRejected(When(Create(AssignmentTarget.DeviceGroup, AssignmentIntent.Available)), "AvailableIntentNotForDeviceGroups", "A2");
        ThenRejected(
            When(Change(AssignmentIntent.Available, LicenseType.Device), Created(AssignmentTarget.DeviceGroup, type: LicenseType.Device)),
            "AvailableIntentNotForDeviceGroups",
            "A2");
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void a_book_with_device_licenses_is_rejected()
    {
        ThenRejected(When(Create(type: LicenseType.Device, product: ProductKind.Book)), "BooksTakeUserLicensesOnly", "L6");
    }

    [Fact]
    [Trait("Rule", "L8")]
    public void changing_device_licenses_to_user_licenses_is_rejected()
    {
        ThenRejected(
            When(Change(AssignmentIntent.Required, LicenseType.User), Created(type: LicenseType.Device)),
            "DeviceToUserMigrationNotSupported",
            "L8");
    }

    [Fact]
    [Trait("Rule", "L8")]
    public void changing_user_licenses_to_device_licenses_is_accepted()
    {
        Assert.Equal(
            [new AssignmentChanged(Pool, Group, AssignmentIntent.Required, LicenseType.Device, Now)],
            When(Change(AssignmentIntent.Required, LicenseType.Device), Created()).Events);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void repeating_a_create_change_or_remove_decides_nothing()
    {
        var decisions = new[]
        {
            When(Create(), Created()),
            When(Change(AssignmentIntent.Required, LicenseType.User), Created()),
            When(new RemoveAssignment(Pool, Group, new CommandId("c3"), Admin), Created(), new AssignmentRemoved(Pool, Group, Now)),
        };
        Assert.All(decisions, d => Assert.True(d.Rejection is null && d.Events.Count == 0));
    }

    [Fact]
    [Trait("Rule", "A1")]
    public void creating_over_a_different_assignment_or_changing_a_missing_one_is_rejected()
    {
        ThenRejected(When(Create(intent: AssignmentIntent.Available), Created()), "AssignmentAlreadyExists", "A1");
        ThenRejected(When(Change(AssignmentIntent.Required, LicenseType.User)), "AssignmentNotFound", "A1");
    }
}
