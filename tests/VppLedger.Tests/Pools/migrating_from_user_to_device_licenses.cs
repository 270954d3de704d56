using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class migrating_from_user_to_device_licenses
{
    private static MigrateToDeviceLicenses Migrate(Holder from, params Holder[] to) => new(Pool, from, to, Id(), Admin);

    [Fact]
    [Trait("Rule", "L8")]
    public void one_decision_reclaims_the_user_license_and_grants_the_device_license()
    {
        var (user, device) = (User("a"), Device("d1"));
        PoolSpec.Given(Counts(1), Granted(user))
            .When(Migrate(user, device))
            .Then(
                Reclaimed(user, ReclaimReason.MigratedToDeviceLicense, "L8"),
                Granted(device, GrantReason.MigratedFromUserLicense, "L8"));
    }

    [Fact]
    [Trait("Rule", "L8")]
    [Trait("Rule", "A6")]
    public void devices_beyond_the_freed_license_wait_in_the_queue()
    {
        var (user, d1, d2) = (User("a"), Device("d1"), Device("d2"));
        PoolSpec.Given(Counts(1), Granted(user))
            .When(Migrate(user, d1, d2))
            .Then(
                Reclaimed(user, ReclaimReason.MigratedToDeviceLicense, "L8"),
                Granted(d1, GrantReason.MigratedFromUserLicense, "L8"),
                Queued(d2, 1));
    }

    [Fact]
    [Trait("Rule", "L8")]
    public void device_to_user_is_rejected()
    {
        PoolSpec.Given(Counts(1), Granted(Device("d1")))
            .When(Migrate(Device("d1"), User("a")))
            .ThenRejected("DeviceToUserMigrationNotSupported", "L8");
    }

    [Fact]
    [Trait("Rule", "L8")]
    public void a_migration_must_name_device_holders()
    {
        PoolSpec.Given(Counts(2), Granted(User("a")))
            .When(Migrate(User("a"), User("a", AppleIdKind.Managed)))
            .ThenRejected("MigrationNeedsDeviceHolders", "L8");
    }

    [Fact]
    [Trait("Rule", "L8")]
    [Trait("Rule", "I4")]
    public void a_migration_already_done_decides_nothing()
    {
        var (user, device) = (User("a"), Device("d1"));
        PoolSpec.Given(
                Counts(1),
                Granted(user),
                Reclaimed(user, ReclaimReason.MigratedToDeviceLicense, "L8"),
                Granted(device, GrantReason.MigratedFromUserLicense, "L8"))
            .When(Migrate(user, device))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "L8")]
    public void a_holder_with_no_license_has_nothing_to_migrate()
    {
        PoolSpec.Given(Counts(1)).When(Migrate(User("a"), Device("d1"))).ThenRejected("UserLicenseNotHeld", "L8");
    }
}
