using Microsoft.Extensions.Options;
using VppLedger.Apple;
using VppLedger.Apple.Fake;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Reading;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>
/// A tenant of the class's ledger, a fake Apple on a loopback port the OS chose, and a worker serving one token through
/// a client pointed at it. Apple's side runs on a virtual clock (the client's waits, the limiter, the fake's request
/// timestamps): nothing sleeps, and the rate the fake measures does not depend on the machine's speed.
/// </summary>
internal sealed class AppleWorkerWorld : IAsyncDisposable
{
    public static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);

    private readonly HttpClient _http = new();

    private AppleWorkerWorld(Scenario scenario, TokenId token, FakeApple apple, VirtualAppleClock clock, AppleClientOptions clientOptions)
    {
        Scenario = scenario;
        Token = token;
        Apple = apple;
        Clock = clock;
        Client = new AppleAppsAndBooksClient(_http, Options.Create(clientOptions), new AppleTokenRateLimiter(clientOptions.MaxRequestsPerSecondPerToken, clock), clock);
    }

    public Scenario Scenario { get; }

    public TokenId Token { get; }

    /// <summary>The sToken the ledger holds for the token (Scenario.Upload), as the fake sees it in Authorization.</summary>
    public string SToken => "secret-of-" + Token.Value;

    public FakeApple Apple { get; }

    public VirtualAppleClock Clock { get; }

    public AppleAppsAndBooksClient Client { get; }

    public ITenantLedger Ledger => Scenario.Ledger;

    public static async Task<AppleWorkerWorld> StartAsync(LedgerFixture db, string tenant, Action<AppleClientOptions>? configure = null)
    {
        var clock = new VirtualAppleClock();
        var apple = await FakeApple.StartAsync(() => clock.UtcNow);
        var options = new AppleClientOptions { BaseAddress = apple.BaseAddress };
        configure?.Invoke(options);
        return new AppleWorkerWorld(new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant()), new TokenId("tok"), apple, clock, options);
    }

    /// <summary>A new worker (a new process, as far as the worker knows) over the same ledger, client and Apple.</summary>
    public AppleOutboxWorker NewWorker(ILicenseLedger ledger)
    {
        var options = new AppleWorkerOptions { Actor = Worker, PassInterval = TimeSpan.FromSeconds(1) };
        options.Tokens.Add(new AppleWorkerToken(Ledger.Tenant, Token));
        return new AppleOutboxWorker(ledger, Client, Options.Create(options), Clock);
    }

    /// <summary>Passes until one leaves nothing to do (a bounded number): the deterministic drive of the worker.</summary>
    public static async Task<List<AppleWorkerPass>> RunUntilIdleAsync(AppleOutboxWorker worker, int maxPasses = 12)
    {
        var passes = new List<AppleWorkerPass>();
        do
        {
            passes.Add(await worker.RunOnceAsync());
        }
        while (!passes[^1].IsIdle && passes.Count < maxPasses);
        Assert.True(passes[^1].IsIdle, $"The worker was not idle after {passes.Count} passes: {passes[^1]}");
        return passes;
    }

    /// <summary>A pool of the token with <paramref name="purchased"/> licenses, here and at Apple, granted to that many
    /// new users of <paramref name="holders"/> in order (the rest queued, rule A6).</summary>
    public async Task<(PoolId Pool, IReadOnlyList<UserId> Users, IReadOnlyList<Holder> Holders)> GrantedAsync(string adamId, int purchased, int holders)
    {
        var pool = await Scenario.SyncedPoolAsync(Token, adamId, purchased);
        var users = await Scenario.UsersAsync("u" + adamId + "x", holders);
        var granted = users.Select(u => Holder.ForUser(u, AppleIdKind.Managed)).ToList();
        await Scenario.RunAsync(new GrantLicenses(pool, granted, Scenario.NextId(), Scenario.Admin));
        Apple.Assets.Add(new FakeAsset { AdamId = adamId, TotalCount = purchased });
        return (pool, users, granted);
    }

    public async Task<PoolSummary> PoolAsync(PoolId pool) => (await Ledger.GetPoolAsync(pool))!;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Apple.DisposeAsync();
    }
}
