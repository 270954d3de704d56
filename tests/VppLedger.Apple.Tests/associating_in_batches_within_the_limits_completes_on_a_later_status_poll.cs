using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

public sealed class associating_in_batches_within_the_limits_completes_on_a_later_status_poll
{
    [Fact]
    public async Task every_batch_stays_within_the_service_config_limits_and_each_event_completes()
    {
        await using var world = await AppleWorld.StartAsync();
        var apple = world.Apple;
        apple.Limits["maxAssets"] = 2;
        apple.Limits["maxSerialNumbers"] = 3;
        apple.Limits["maxClientUserIds"] = 3;
        foreach (var id in new[] { "1", "2", "3" }) apple.Assets.Add(new FakeAsset { AdamId = id, TotalCount = 100 });

        var config = await world.Client.GetServiceConfigAsync();
        Assert.Equal(new AppleServiceLimits(2, 3, 100, 100), config.Limits);

        var assets = new[] { "1", "2", "3" }.Select(id => new AppleAssetRef(id, "STDQ")).ToList();
        var serials = Enumerable.Range(1, 7).Select(i => $"SERIAL-{i}").ToList();
        var results = await world.Client.AssociateAsync(AppleWorld.Token, assets, serials, ["user-1"], config.Limits);

        // 2 asset chunks x (3 serial chunks + 1 user chunk) = 8 calls, each within the limits.
        Assert.Equal(8, results.Count);
        Assert.All(results, r => Assert.Equal(AppleBatchOutcome.Accepted, r.Outcome));
        Assert.All(apple.BatchesSeen, b => Assert.True(b.Assets <= 2 && b.Serials <= 3 && b.Users <= 3, $"{b}"));
        Assert.Equal(assets.Count * (serials.Count + 1), results.Sum(r => r.Batch.Assets.Count * (r.Batch.SerialNumbers.Count + r.Batch.ClientUserIds.Count)));

        foreach (var result in results)
        {
            var first = await world.Client.GetStatusAsync(AppleWorld.Token, result.EventId!);
            Assert.True(first.IsPending);
            var status = await world.PollUntilDoneAsync(result.EventId!);
            Assert.Equal("COMPLETE", status.EventStatus);
            Assert.Equal("ASSOCIATE", status.EventType);
            Assert.Empty(status.Failures);
            Assert.Equal(status.NumRequested, status.NumCompleted);
        }
        Assert.Equal(3 * 8, apple.Assignments.Count);
    }

    [Fact]
    public async Task revoke_is_batched_by_a_hundred_holders_and_users_by_a_hundred()
    {
        await using var world = await AppleWorld.StartAsync();
        var serials = Enumerable.Range(1, 250).Select(i => $"S{i}").ToList();

        var revoke = await world.Client.RevokeAsync(AppleWorld.Token, serials, []);
        var users = await world.Client.CreateUsersAsync(AppleWorld.Token,
            Enumerable.Range(1, 101).Select(i => new AppleUser($"u{i}", $"u{i}@contoso.test")).ToList());

        Assert.Equal([100, 100, 50], revoke.Select(r => r.Batch.SerialNumbers.Count));
        Assert.Equal([100, 1], users.Select(r => r.Batch.ClientUserIds.Count));
        Assert.All(revoke.Concat(users), r => Assert.Equal(AppleBatchOutcome.Accepted, r.Outcome));
        Assert.Equal(101, world.Apple.Users.Count);
        Assert.Equal("u1@contoso.test", (string?)world.Apple.Users["u1"]["email"]);
    }

    [Fact]
    public async Task a_holder_or_user_named_twice_is_sent_once()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Assets.Add(new FakeAsset { AdamId = "1", TotalCount = 5 });

        var associate = await world.Client.AssociateAsync(
            AppleWorld.Token, [new AppleAssetRef("1", "STDQ"), new AppleAssetRef("1", "STDQ")], ["S1", "S1"], ["u1", "u1"]);
        var users = await world.Client.CreateUsersAsync(AppleWorld.Token, [new AppleUser("u1", "old@contoso.test"), new AppleUser("u1", "new@contoso.test")]);

        Assert.Equal([(1, 1, 0), (1, 0, 1)], associate.Select(r => (r.Batch.Assets.Count, r.Batch.SerialNumbers.Count, r.Batch.ClientUserIds.Count)));
        Assert.Equal(["u1"], Assert.Single(users).Batch.ClientUserIds);
        Assert.Equal("new@contoso.test", (string?)world.Apple.Users["u1"]["email"]);
    }
}
