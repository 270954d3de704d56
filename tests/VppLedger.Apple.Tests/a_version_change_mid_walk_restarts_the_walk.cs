using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

public sealed class a_version_change_mid_walk_restarts_the_walk
{
    [Fact]
    [Trait("Rule", "S2")]
    public async Task the_assets_walk_starts_again_and_returns_one_consistent_page_set()
    {
        await using var world = await AppleWorld.StartAsync();
        for (var i = 1; i <= 5; i++) world.Apple.Assets.Add(new FakeAsset { AdamId = $"{i}", TotalCount = i });
        // While the client reads page 1, an asset is bought at Apple: the versionId moves on.
        world.Apple.ChangeVersionBeforePage("/assets", 1, () => world.Apple.Assets.Insert(0, new FakeAsset { AdamId = "0", TotalCount = 9 }));

        var snapshot = await world.Client.GetAssetsAsync(AppleWorld.Token);

        Assert.Equal(1, snapshot.Restarts);
        Assert.Equal("v2", snapshot.VersionId);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], snapshot.Assets.Select(a => a.AdamId));
        Assert.Equal(3, snapshot.PageCount);
        Assert.Equal(2 + 3, world.Apple.RequestCount(AppleWorld.Token)); // pages 0 and 1 (changed), then 0, 1, 2
        Assert.Equal(9, snapshot.Assets[0].TotalCount);
        Assert.Equal(9, snapshot.Assets[0].AvailableCount);
    }

    [Fact]
    public async Task the_assignments_walk_starts_again_and_a_delta_reads_only_later_changes()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Assets.Add(new FakeAsset { AdamId = "1", TotalCount = 10 });
        for (var i = 1; i <= 5; i++) world.Apple.Assignments.Add(new FakeAssignment("1", "STDQ", $"S{i}", null, 1));
        world.Apple.ChangeVersionBeforePage("/assignments", 2,
            () => world.Apple.Assignments.Add(new FakeAssignment("1", "STDQ", null, "user-1", world.Apple.Version + 1)));

        var full = await world.Client.GetAssignmentsAsync(AppleWorld.Token);
        var delta = await world.Client.GetAssignmentsAsync(AppleWorld.Token, new AppleAssignmentsQuery(SinceVersionId: "v1"));

        Assert.Equal(1, full.Restarts);
        Assert.Equal(6, full.Assignments.Distinct().Count());
        Assert.Equal(6, full.Assignments.Count);
        Assert.Equal("user-1", Assert.Single(delta.Assignments).ClientUserId);
    }

    [Fact]
    public async Task a_walk_that_never_settles_gives_up_after_the_bounded_restarts()
    {
        await using var world = await AppleWorld.StartAsync(o => o.MaxWalkRestarts = 2);
        for (var i = 1; i <= 5; i++) world.Apple.Assets.Add(new FakeAsset { AdamId = $"{i}", TotalCount = 1 });
        world.Apple.ChangeVersionOnEveryPage = true;

        var e = await Assert.ThrowsAsync<AppleApiException>(() => world.Client.GetAssetsAsync(AppleWorld.Token));

        Assert.Equal(AppleErrorKind.VersionChanged, e.Kind);
        Assert.Equal(3 * 2, world.Apple.RequestCount(AppleWorld.Token));
    }
}
