using Microsoft.Extensions.Options;

namespace VppLedger.Apple.Tests.Fake;

/// <summary>Each test: its own fake Apple on a free loopback port, a virtual clock shared by the client and the fake,
/// and a client pointed at the fake.</summary>
internal sealed class AppleWorld : IAsyncDisposable
{
    public const string Token = "sToken-of-contoso";

    private AppleWorld(FakeApple apple, TestClock clock, AppleAppsAndBooksClient client, HttpClient http)
    {
        Apple = apple;
        Clock = clock;
        Client = client;
        _http = http;
    }

    private readonly HttpClient _http;
    public FakeApple Apple { get; }
    public TestClock Clock { get; }
    public AppleAppsAndBooksClient Client { get; }

    public static async Task<AppleWorld> StartAsync(Action<AppleClientOptions>? configure = null)
    {
        var clock = new TestClock();
        var apple = await FakeApple.StartAsync(() => clock.UtcNow);
        var options = new AppleClientOptions { BaseAddress = apple.BaseAddress };
        configure?.Invoke(options);
        var http = new HttpClient();
        var client = new AppleAppsAndBooksClient(
            http, Options.Create(options), new AppleTokenRateLimiter(options.MaxRequestsPerSecondPerToken, clock), clock);
        return new AppleWorld(apple, clock, client, http);
    }

    /// <summary>Polls an event until Apple has completed it (a bounded number of polls).</summary>
    public async Task<AppleEventStatus> PollUntilDoneAsync(string eventId)
    {
        var status = await Client.GetStatusAsync(Token, eventId);
        for (var poll = 0; status.IsPending && poll < 10; poll++)
            status = await Client.GetStatusAsync(Token, eventId);
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Apple.DisposeAsync();
    }
}
