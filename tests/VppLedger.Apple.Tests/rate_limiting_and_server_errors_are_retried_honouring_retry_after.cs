using System.Net;
using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

public sealed class rate_limiting_and_server_errors_are_retried_honouring_retry_after
{
    [Fact]
    public async Task a_9646_and_two_server_errors_are_retried_and_the_call_succeeds()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Assets.Add(new FakeAsset { AdamId = "1", TotalCount = 5 });
        world.Apple.Fail("/assets/associate", FakeFault.RateLimited(retryAfterSeconds: 7), FakeFault.ServerError(retryAfterSeconds: 3), FakeFault.ServerError());

        var results = await world.Client.AssociateAsync(AppleWorld.Token, [new AppleAssetRef("1", "STDQ")], ["S1"], []);

        Assert.Equal(AppleBatchOutcome.Accepted, Assert.Single(results).Outcome);
        // Retry-After 7 s, then Retry-After 3 s, then no Retry-After on the third attempt: 5 s x 3^2.
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(45)], world.Clock.Delays);
        // Each retry is logged with its error and wait, and no log line holds the sToken.
        Assert.Equal(3, world.Logs.Lines.Count(l => l.StartsWith("Warning: Apple refused POST /assets/associate", StringComparison.Ordinal)));
        Assert.Contains(world.Logs.Lines, l => l.Contains("error 9646", StringComparison.Ordinal));
        Assert.DoesNotContain(world.Logs.Lines, l => l.Contains(AppleWorld.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task retries_are_bounded_and_the_last_error_is_thrown_as_retryable()
    {
        await using var world = await AppleWorld.StartAsync(o => o.MaxAttempts = 3);
        world.Apple.Fail("/client/config", FakeFault.ServerError(), FakeFault.ServerError(), FakeFault.ServerError(), FakeFault.ServerError());

        var e = await Assert.ThrowsAsync<AppleApiException>(() => world.Client.GetClientConfigAsync(AppleWorld.Token));

        Assert.Equal(AppleErrorKind.Retryable, e.Kind);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.HttpStatus);
        Assert.Equal(3, world.Apple.RequestCount(AppleWorld.Token));
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)], world.Clock.Delays);
    }

    [Fact]
    public async Task a_retry_after_beyond_the_maximum_backoff_is_capped()
    {
        await using var world = await AppleWorld.StartAsync(o => o.MaxBackoff = TimeSpan.FromSeconds(30));
        world.Apple.Fail("/client/config", FakeFault.RateLimited(retryAfterSeconds: 3600));

        await world.Client.GetClientConfigAsync(AppleWorld.Token);

        Assert.Equal([TimeSpan.FromSeconds(30)], world.Clock.Delays);
    }
}
