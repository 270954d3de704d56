using NodaTime;
using VppLedger.Directory;
using VppLedger.Licensing;

namespace VppLedger.Tests.Licensing;

public sealed class losing_a_license_differs_by_platform
{
    private static readonly Instant At = Instant.FromUtc(2025, 3, 1, 9, 0);

    [Theory]
    [Trait("Rule", "R2")]
    [InlineData(Platform.iOS)]
    [InlineData(Platform.iPadOS)]
    [InlineData(Platform.tvOS)]
    public void removing_an_assignment_on_ios_reclaims_and_uninstalls(Platform platform)
    {
        Assert.Equal(new RevocationOutcome("R2", true, true, false, false, null), RevocationEffects.For(platform, LicenseLossTrigger.AssignmentRemoved, At));
    }

    [Fact]
    [Trait("Rule", "R2")]
    public void removing_an_assignment_on_macos_reclaims_and_leaves_the_app_installed()
    {
        Assert.Equal(new RevocationOutcome("R2", true, false, true, false, null), RevocationEffects.For(Platform.macOS, LicenseLossTrigger.AssignmentRemoved, At));
    }

    [Fact]
    [Trait("Rule", "R3")]
    public void revoking_on_ios_reclaims_and_the_app_stays_until_uninstall()
    {
        Assert.Equal(new RevocationOutcome("R3", true, false, true, false, null), RevocationEffects.For(Platform.iOS, LicenseLossTrigger.LicenseRevoked, At));
    }

    [Fact]
    [Trait("Rule", "R3")]
    public void revoking_on_macos_blocks_updates_and_apple_removes_the_app_after_30_days()
    {
        var outcome = RevocationEffects.For(Platform.macOS, LicenseLossTrigger.LicenseRevoked, At);
        Assert.Equal(new RevocationOutcome("R3", true, false, true, true, At + Duration.FromDays(30)), outcome);
        Assert.Equal(Duration.FromDays(30), RevocationEffects.MacOSRevokedAppGracePeriod);
    }
}
