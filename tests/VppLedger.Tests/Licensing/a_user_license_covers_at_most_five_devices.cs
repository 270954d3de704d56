using NodaTime;
using VppLedger.Licensing;

namespace VppLedger.Tests.Licensing;

public sealed class a_user_license_covers_at_most_five_devices
{
    [Fact]
    [Trait("Rule", "L3")]
    public void the_first_five_devices_signed_in_are_covered_and_the_sixth_is_not()
    {
        var start = Instant.FromUtc(2025, 1, 1, 0, 0);
        var devices = Enumerable.Range(1, 6)
            .Select(i => new SignedInDevice(new DeviceId($"dev-{i}"), start + Duration.FromHours(i)))
            .Reverse()
            .ToList();

        var coverage = UserLicenseCoverage.Cover(devices);

        Assert.Equal(5, UserLicenseCoverage.MaxDevicesPerUserLicense);
        Assert.Equal(["dev-1", "dev-2", "dev-3", "dev-4", "dev-5", "dev-6"], coverage.Select(c => c.Device.Value));
        Assert.Equal([true, true, true, true, true, false], coverage.Select(c => c.Covered));
        Assert.All(coverage, c => Assert.Equal("L3", c.Rule));
        Assert.Equal(5, LicenseTypeFacts.For(LicenseType.User).DevicesCoveredCount);
    }

    [Fact]
    [Trait("Rule", "L3")]
    public void devices_signed_in_at_the_same_instant_are_ordered_by_id_and_counted_once()
    {
        var at = Instant.FromUtc(2025, 1, 1, 0, 0);
        var devices = new[] { "f", "e", "d", "c", "b", "a", "a" }.Select(id => new SignedInDevice(new DeviceId(id), at));

        var coverage = UserLicenseCoverage.Cover(devices);

        Assert.Equal(6, coverage.Count);
        Assert.Equal(new DeviceId("f"), Assert.Single(coverage, c => !c.Covered).Device);
    }
}
