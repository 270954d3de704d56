namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>
/// Found by the model test's long run (before the merge of issue 10's permission fix): under LedgerPolicy.CurrentApple a
/// token admin (ManagedApps only) was refused PermissionDenied when deleting a token revoked its licenses (rule X1: a
/// command's consequences run under its own permission; item 1's family).
/// </summary>
public sealed class deleting_a_token_under_current_apple_needs_only_managed_apps(CurrentAppleModelFixture fixture) : ModelRegression<CurrentAppleModelFixture>(fixture)
{
    [Fact]
    [Trait("Rule", "X1")]
    [Trait("Rule", "T10")]
    public Task its_licenses_are_revoked_under_the_token_admins_authority() => ReplayAsync(
        new Op.Grant(0, 1, [(2, AppleIdKind.Personal), (0, AppleIdKind.Managed)]),
        new Op.DeleteToken(0));
}
