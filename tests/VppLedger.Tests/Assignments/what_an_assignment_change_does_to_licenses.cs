using System.Reflection;
using VppLedger.Assignments;
using VppLedger.Pools;

namespace VppLedger.Tests.Assignments;

public sealed class what_an_assignment_change_does_to_licenses
{
    private static readonly AssignmentState None = AssignmentState.Initial(new PoolId(new TokenId("t"), new AdamId("1")), new GroupId("g"));

    private static AssignmentState Active(AssignmentIntent intent, LicenseType type = LicenseType.User) =>
        None with { Active = true, Target = AssignmentTarget.UserGroup, Intent = intent, LicenseType = type };

    private static MemberLicenseEffect Effect(AssignmentState before, AssignmentState after, LedgerPolicy? policy = null) =>
        AssignmentEffects.OnMembers(before, after, policy ?? LedgerPolicy.Article);

    [Fact]
    [Trait("Rule", "A1")]
    [Trait("Rule", "A6")]
    public void a_new_assignment_grants_its_members_licenses()
    {
        Assert.Equal(new MemberLicenseEffect(MemberLicenseAction.Grant, LicenseType.Device, null, "A6"), Effect(None, Active(AssignmentIntent.Required, LicenseType.Device)));
    }

    [Fact]
    [Trait("Rule", "A4")]
    public void setting_intent_uninstall_reclaims()
    {
        Assert.Equal(
            new MemberLicenseEffect(MemberLicenseAction.Reclaim, LicenseType.User, ReclaimReason.UninstallIntent, "A4"),
            Effect(Active(AssignmentIntent.Available), Active(AssignmentIntent.Uninstall)));
        Assert.Equal(InstallMode.Removed, AssignmentEffects.InstallFor(AssignmentIntent.Uninstall));
    }

    [Fact]
    [Trait("Rule", "R2")]
    public void removing_an_assignment_reclaims_under_the_article_policy()
    {
        Assert.Equal(
            new MemberLicenseEffect(MemberLicenseAction.Reclaim, LicenseType.User, ReclaimReason.AssignmentRemoved, "R2"),
            Effect(Active(AssignmentIntent.Required), None));
    }

    [Fact]
    [Trait("Rule", "R2")]
    public void removing_an_assignment_reclaims_nothing_under_the_newer_policy_until_intent_is_uninstall()
    {
        Assert.Equal(MemberLicenseAction.WithdrawQueue, Effect(Active(AssignmentIntent.Required), None, LedgerPolicy.CurrentApple).Action);
        Assert.Equal(MemberLicenseAction.Reclaim, Effect(Active(AssignmentIntent.Required), Active(AssignmentIntent.Uninstall), LedgerPolicy.CurrentApple).Action);
    }

    [Fact]
    [Trait("Rule", "A3")]
    public void required_installs_automatically_available_from_the_company_portal_and_switching_keeps_licenses()
    {
        Assert.Equal(InstallMode.Automatic, AssignmentEffects.InstallFor(AssignmentIntent.Required));
        Assert.Equal(InstallMode.FromCompanyPortal, AssignmentEffects.InstallFor(AssignmentIntent.Available));
        Assert.Equal(MemberLicenseAction.LeaveAlone, Effect(Active(AssignmentIntent.Available), Active(AssignmentIntent.Required)).Action);
    }

    [Fact]
    [Trait("Rule", "L8")]
    public void user_to_device_license_type_migrates_members()
    {
        Assert.Equal(
            MemberLicenseAction.MigrateToDevice,
            Effect(Active(AssignmentIntent.Required), Active(AssignmentIntent.Required, LicenseType.Device)).Action);
    }

    [Fact]
    [Trait("Rule", "A5")]
    public void the_ledger_records_licenses_not_installs()
    {
        // Rule A5: Apple and the device install; no event of the ledger says an app was installed.
        var events = typeof(IPoolEvent).Assembly.GetTypes()
            .Where(t => t.IsClass && typeof(ILedgerEvent).IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToList();
        Assert.Contains(nameof(LicenseGranted), events);
        Assert.DoesNotContain(events, name => name.Contains("Install", StringComparison.Ordinal));
        Assert.Null(typeof(AssignmentCreated).GetProperty("Installed", BindingFlags.Public | BindingFlags.Instance));
    }
}
