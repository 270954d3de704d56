using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VppLedger.Apple.Tests.Fake;

/// <summary>Each test: its own fake Apple on a free loopback port, a virtual clock shared by the client and the fake,
/// and a client pointed at the fake.</summary>
internal sealed class AppleWorld : IAsyncDisposable
{
    public const string Token = "sToken-of-contoso";

    private AppleWorld(FakeApple apple, VirtualAppleClock clock, AppleAppsAndBooksClient client, HttpClient http, RecordingLogger logs)
    {
        Logs = logs;
        Apple = apple;
        Clock = clock;
        Client = client;
        _http = http;
    }

    private readonly HttpClient _http;
    public FakeApple Apple { get; }
    public VirtualAppleClock Clock { get; }
    public AppleAppsAndBooksClient Client { get; }
    public RecordingLogger Logs { get; }

    public static async Task<AppleWorld> StartAsync(Action<AppleClientOptions>? configure = null)
    {
        var clock = new VirtualAppleClock();
        var apple = await FakeApple.StartAsync(() => clock.UtcNow);
        var options = new AppleClientOptions { BaseAddress = apple.BaseAddress };
        configure?.Invoke(options);
        var http = new HttpClient();
        var logs = new RecordingLogger();
        var client = new AppleAppsAndBooksClient(
            http, Options.Create(options), new AppleTokenRateLimiter(options.MaxRequestsPerSecondPerToken, clock), clock, logs);
        return new AppleWorld(apple, clock, client, http, logs);
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

/// <summary>Keeps every log line the client writes, formatted.</summary>
internal sealed class RecordingLogger : ILogger<AppleAppsAndBooksClient>
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_gate) return [.. _lines]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate) _lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}
