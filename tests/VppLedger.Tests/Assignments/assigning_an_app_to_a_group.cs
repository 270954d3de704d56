using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;

namespace VppLedger.Tests.Assignments;

public sealed class assigning_an_app_to_a_group
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 1, 9, 0);
    private static readonly PoolId Pool = new(new TokenId("token-1"), new AdamId("361309726"));
    private static readonly GroupId Group = new("sales");
    private static readonly Actor Admin = new("admin", Permissions.MobileApps);

    /// <summary>A command with the facts the ledger holds about its pool and group.</summary>
    private sealed record Asked(IAssignmentCommand Command, AssignmentFacts Facts);

    private static AssignmentFacts Facts(AssignmentTarget target = AssignmentTarget.UserGroup, ProductKind product = ProductKind.App) =>
        new(PoolSynced: true, product, target == AssignmentTarget.UserGroup ? GroupKind.User : GroupKind.Device);

    private static Decision<IAssignmentEvent> When(Asked asked, params IAssignmentEvent[] given) =>
        AssignmentDecider.Decide(asked.Command, given.Aggregate(AssignmentState.Initial(Pool, Group), AssignmentDecider.Evolve), asked.Facts, Now);

    private static Asked Create(
        AssignmentTarget target = AssignmentTarget.UserGroup,
        AssignmentIntent intent = AssignmentIntent.Required,
        LicenseType type = LicenseType.User,
        ProductKind product = ProductKind.App) => new(new CreateAssignment(Pool, Group, intent, type, new CommandId("c1"), Admin), Facts(target, product));

    private static Asked Change(AssignmentIntent intent, LicenseType type, AssignmentTarget target = AssignmentTarget.UserGroup) =>
        new(new ChangeAssignment(Pool, Group, intent, type, new CommandId("c2"), Admin), Facts(target));

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
            When(Change(AssignmentIntent.Available, LicenseType.Device, AssignmentTarget.DeviceGroup), Created(AssignmentTarget.DeviceGroup, type: LicenseType.Device)),
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
            When(new Asked(new RemoveAssignment(Pool, Group, new CommandId("c3"), Admin), Facts()), Created(), new AssignmentRemoved(Pool, Group, Now)),
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

    [Fact]
    [Trait("Rule", "L6")]
    [Trait("Rule", "A2")]
    public void an_assignment_is_refused_until_the_ledger_knows_the_pools_product_and_the_groups_kind()
    {
        // Issue 10, item 13: the command no longer carries the product or the group's kind, so it cannot contradict them.
        ThenRejected(When(Create() with { Facts = new AssignmentFacts(PoolSynced: false, ProductKind.App, GroupKind.User) }), "PoolNotSynced", "S2");
        ThenRejected(When(Create() with { Facts = new AssignmentFacts(PoolSynced: true, ProductKind.App, null) }), "GroupNotFound", "A1");
        ThenRejected(When(Create(type: LicenseType.Device, product: ProductKind.Book)), "BooksTakeUserLicensesOnly", "L6");
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void an_app_of_a_deleted_token_can_be_neither_assigned_nor_reassigned()
    {
        // Issue 10, item 2 (found by the model test): with the token gone, its apps left the MDM, even for an empty group.
        var orphaned = new AssignmentFacts(PoolSynced: true, ProductKind.App, GroupKind.User, PoolOrphaned: true);
        ThenRejected(When(Create() with { Facts = orphaned }), "PoolOrphanedTokenDeleted", "T10");
        ThenRejected(When(Change(AssignmentIntent.Available, LicenseType.User) with { Facts = orphaned }, Created()), "PoolOrphanedTokenDeleted", "T10");
    }

    [Fact]
    [Trait("Rule", "L5")]
    [Trait("Rule", "L7")]
    public void user_licensing_for_a_device_group_is_refused_up_front()
    {
        // Issue 10, item 6: a device group names no user, so user licensing would grant nobody.
        ThenRejected(When(Create(AssignmentTarget.DeviceGroup, AssignmentIntent.Required, LicenseType.User)), "UserLicensingNotForDeviceGroups", "L7");
        ThenRejected(When(Create(AssignmentTarget.DeviceGroup, AssignmentIntent.Uninstall, LicenseType.User)), "UserLicensingNotForDeviceGroups", "L7");
    }
}
