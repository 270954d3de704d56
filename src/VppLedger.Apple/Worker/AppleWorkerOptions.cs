using VppLedger.Pools;

namespace VppLedger.Apple;

/// <summary>One token the worker serves: the tenant whose ledger holds it, and the token.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Token">The token; its sToken is revealed through the ledger at call time.</param>
public sealed record AppleWorkerToken(TenantId Tenant, TokenId Token);

/// <summary>Settings of <see cref="AppleOutboxWorker"/> (docs/apple-client.md, "The worker").</summary>
public sealed class AppleWorkerOptions
{
    /// <summary>The tenants and tokens the worker serves, in the order each pass serves them. Empty: the worker does nothing.</summary>
    public IList<AppleWorkerToken> Tokens { get; } = [];

    /// <summary>Who records Apple's answers in the ledger: needs <see cref="Permissions.ManagedApps"/> (rule X1).
    /// Default <c>vppledger-apple-worker</c> with that permission only.</summary>
    public Actor Actor { get; set; } = new("vppledger-apple-worker", Permissions.ManagedApps);

    /// <summary>The wait between two passes of the hosted service. Default 30 seconds.</summary>
    public TimeSpan PassInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How old Apple's service config (its limits) may grow before a pass reads it again. Default 5 minutes, as Apple advises.</summary>
    public TimeSpan ServiceConfigRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The pause of a token after a retryable failure (9646, HTTP 5xx, a network error) that outlasted the client's
    /// own retries; it grows by <see cref="BackoffFactor"/> with each failure in a row. Default 5 seconds.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The factor each further pause grows by. Default 3.</summary>
    public double BackoffFactor { get; set; } = 3;

    /// <summary>The longest pause of a token. Default 5 minutes.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Outbox batches one pass sends per token, at most. Default 100.</summary>
    public int MaxBatchesPerPass { get; set; } = 100;

    /// <summary>Events one pass polls per token, at most. Default 100.</summary>
    public int MaxStatusPollsPerPass { get; set; } = 100;
}
