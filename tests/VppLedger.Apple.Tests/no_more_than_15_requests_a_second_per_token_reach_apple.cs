using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

/// <summary>The fake timestamps every request with the virtual clock the client waits on: the measure depends neither on
/// the machine's speed nor on the wall clock.</summary>
public sealed class no_more_than_15_requests_a_second_per_token_reach_apple
{
    [Fact]
    public async Task sixty_polls_of_two_tokens_are_spaced_to_fifteen_a_second_each()
    {
        await using var world = await AppleWorld.StartAsync();
        const string other = "sToken-of-fabrikam";
        var accepted = await world.Client.RevokeAsync(AppleWorld.Token, ["S1"], []);
        var eventId = accepted[0].EventId!;
        var start = world.Clock.UtcNow;

        for (var i = 0; i < 60; i++)
        {
            await world.Client.GetStatusAsync(AppleWorld.Token, eventId);
            await world.Client.GetAssignmentsAsync(other);
        }

        Assert.Equal(15, world.Apple.MaxRequestsInAnySecond(AppleWorld.Token));
        Assert.Equal(15, world.Apple.MaxRequestsInAnySecond(other));
        Assert.Equal(0, world.Apple.RateLimitRefusals);
        // 61 requests of one token at 15 a second: the last leaves 4 seconds after the first, not later.
        Assert.Equal(TimeSpan.FromSeconds(4), world.Clock.UtcNow - start);
    }

    [Fact]
    public async Task without_the_limit_the_fake_measures_more_and_refuses_with_9646()
    {
        // The measure itself is checked: a client allowed 1,000 a second goes over, and Apple's 9646 answers are retried.
        await using var world = await AppleWorld.StartAsync(o => o.MaxRequestsPerSecondPerToken = 1_000);

        for (var i = 0; i < 20; i++)
            await world.Client.GetClientConfigAsync(AppleWorld.Token);

        Assert.True(world.Apple.MaxRequestsInAnySecond(AppleWorld.Token) > 15);
        Assert.True(world.Apple.RateLimitRefusals > 0);
    }
}
