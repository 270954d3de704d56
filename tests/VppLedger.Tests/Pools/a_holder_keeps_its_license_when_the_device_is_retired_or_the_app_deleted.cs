using VppLedger.Licensing;
using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class a_holder_keeps_its_license_when_the_device_is_retired_or_the_app_deleted
{
    [Fact]
    [Trait("Rule", "R5")]
    public void a_device_removed_from_management_keeps_its_license()
    {
        var book = PoolBook.Replay(Pool, [Counts(1), Granted(Device("d1"))]);
        Assert.Null(HolderChanges.ReclaimFor(HolderChange.DeviceRemovedFromManagement));
        Assert.Equal(HolderSeat.Granted, book.SeatOf(Device("d1")));
        Assert.Equal(1, book.State.DeviceLicenseCount);
    }

    [Fact]
    [Trait("Rule", "R6")]
    public void an_end_user_who_deletes_the_app_keeps_the_license()
    {
        var book = PoolBook.Replay(Pool, [Counts(1), Granted(User("a"))]);
        Assert.Null(HolderChanges.ReclaimFor(HolderChange.AppDeletedByUser));
        Assert.Equal(HolderSeat.Granted, book.SeatOf(User("a")));
    }

    [Theory]
    [Trait("Rule", "R4")]
    [InlineData(nameof(HolderChange.LeftOrganization), ReclaimReason.LeftOrganization)]
    [InlineData(nameof(HolderChange.NoLongerTargeted), ReclaimReason.NoLongerTargeted)]
    public void a_user_who_leaves_or_is_no_longer_targeted_is_reclaimed(string changeName, ReclaimReason reason)
    {
        var change = Enum.Parse<HolderChange>(changeName);
        Assert.Equal(reason, HolderChanges.ReclaimFor(change));
    }
}
