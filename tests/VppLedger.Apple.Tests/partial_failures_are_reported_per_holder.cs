using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

public sealed class partial_failures_are_reported_per_holder
{
    [Fact]
    [Trait("Rule", "L6")]
    public async Task each_failed_asset_and_holder_pair_carries_its_own_error()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Assets.Add(new FakeAsset { AdamId = "app", TotalCount = 10 });
        world.Apple.Assets.Add(new FakeAsset { AdamId = "book", ProductType = "Book", TotalCount = 10, DeviceAssignable = false, Revocable = false });
        world.Apple.FailingHolders["S2"] = 9610;

        var accepted = await world.Client.AssociateAsync(
            AppleWorld.Token, [new AppleAssetRef("app", "STDQ"), new AppleAssetRef("book", "STDQ")], ["S1", "S2"], []);
        var eventId = Assert.Single(accepted).EventId!;
        var status = await world.PollUntilDoneAsync(eventId);

        Assert.Equal("COMPLETE", status.EventStatus);
        Assert.Equal(4, status.NumRequested);
        var failures = status.Failures.Select(f => (f.AdamId, f.SerialNumber, f.ErrorNumber)).OrderBy(f => f.AdamId).ThenBy(f => f.SerialNumber).ToList();
        Assert.Equal([("app", "S2", 9610), ("book", "S1", 9707), ("book", "S2", 9610)], failures);
        Assert.Equal(AppleErrorKind.NotDeviceAssignable, status.Failures.Single(f => f.ErrorNumber == 9707).Kind);
        Assert.Equal("S1", Assert.Single(world.Apple.Assignments).SerialNumber);
    }

    [Fact]
    [Trait("Rule", "S1")]
    public async Task a_pool_running_out_fails_only_the_holders_beyond_its_count()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Assets.Add(new FakeAsset { AdamId = "app", TotalCount = 1 });

        var accepted = await world.Client.AssociateAsync(AppleWorld.Token, [new AppleAssetRef("app", "STDQ")], [], ["u1", "u2"]);
        var eventId = accepted[0].EventId!;
        var status = await world.PollUntilDoneAsync(eventId);

        var failure = Assert.Single(status.Failures);
        Assert.Equal(("u2", 9709, AppleErrorKind.NotEnoughLicenses), (failure.ClientUserId, failure.ErrorNumber, failure.Kind));
    }
}
