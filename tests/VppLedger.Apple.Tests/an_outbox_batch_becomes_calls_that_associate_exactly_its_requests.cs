using NodaTime;
using VppLedger.Pools;

namespace VppLedger.Apple.Tests;

/// <summary>Apple associates every asset of a call with every holder of it: the worker's calls carry exactly the outbox's pairs.</summary>
public sealed class an_outbox_batch_becomes_calls_that_associate_exactly_its_requests
{
    private static readonly TokenId Token = new("tok");

    private static AppleRequest Request(int n, string adamId, Holder holder, string? serial = null) =>
        new($"pool:tok:{adamId}@{n}", new PoolId(Token, new AdamId(adamId)), AppleRequestKind.Associate, holder, serial is null ? null : new SerialNumber(serial), Instant.FromUnixTimeSeconds(n));

    [Fact]
    public void assets_sharing_the_same_holders_share_a_call_and_devices_and_users_go_apart()
    {
        var u1 = Holder.ForUser(new UserId("u1"), AppleIdKind.Managed);
        var u2 = Holder.ForUser(new UserId("u2"), AppleIdKind.Managed);
        var d1 = Holder.ForDevice(new DeviceId("d1"));
        var batch = new AppleRequestBatch(Token, AppleRequestKind.Associate,
        [
            Request(1, "100", u1), Request(2, "100", u2), Request(3, "200", u1), Request(4, "200", u2), // 100 and 200: u1, u2
            Request(5, "300", u1),                                                             // 300: u1 only
            Request(6, "100", d1, "SN-1"),                                                     // 100: a device
        ]);

        var (calls, unsendable) = AppleCalls.Of(batch);

        Assert.Null(unsendable);
        Assert.Equal(
            [("100,200", "", $"{u1.Key},{u2.Key}"), ("300", "", u1.Key), ("100", "SN-1", "")],
            calls.Select(c => (string.Join(",", c.Assets.Select(a => a.AdamId)), string.Join(",", c.SerialNumbers), string.Join(",", c.ClientUserIds))));
        Assert.Equal(batch.Requests.Count, calls.Sum(c => c.Batch.Requests.Count)); // every request in exactly one call
        Assert.All(calls, c => Assert.Equal(c.Assets.Count * (c.SerialNumbers.Count + c.ClientUserIds.Count), c.Batch.Requests.Count)); // no pair more
    }

    [Fact]
    public void a_device_without_a_serial_number_stops_the_batch_before_any_call()
    {
        var batch = new AppleRequestBatch(Token, AppleRequestKind.Associate, [Request(1, "100", Holder.ForDevice(new DeviceId("d1")))]);

        var (calls, unsendable) = AppleCalls.Of(batch);

        Assert.Empty(calls);
        Assert.Equal("pool:tok:100@1", unsendable);
    }

    [Fact]
    public void each_asset_is_sent_with_its_pools_pricing_and_the_two_pricings_of_one_app_are_two_assets()
    {
        var u1 = Holder.ForUser(new UserId("u1"), AppleIdKind.Managed);
        var plus = new PoolId(Token, new AdamId("100"), PricingParam.Plus);
        var batch = new AppleRequestBatch(Token, AppleRequestKind.Associate,
        [
            Request(1, "100", u1),
            new AppleRequest("pool:tok:100:PLUS@1", plus, AppleRequestKind.Associate, u1, null, Instant.FromUnixTimeSeconds(2)),
        ]);

        var (calls, _) = AppleCalls.Of(batch);

        var call = Assert.Single(calls);
        Assert.Equal([new AppleAssetRef("100", "STDQ"), new AppleAssetRef("100", "PLUS")], call.Assets);
    }
}
