namespace VppLedger.Benchmarks.Scale;

/// <summary>
/// The shape of a synthetic tenant. Large is ARCHITECTURE.md "Scale" (3,000 tokens, 10,000 pools, 200,000 users,
/// 300,000 devices) with one pool of 100,000 holders and about 5.1 million events; small is the same shape for CI, medium in between.
/// </summary>
/// <param name="Name">small or large.</param>
/// <param name="TokenCount">Tokens uploaded (rule T1 allows 3,000 a tenant).</param>
/// <param name="PoolCount">Pools, spread over the tokens round robin.</param>
/// <param name="UserCount">Users recorded (one command each).</param>
/// <param name="DeviceCount">Devices recorded (one command each).</param>
/// <param name="HoldersPerPool">Holders granted in every pool but the first.</param>
/// <param name="BigPoolHolders">Holders granted in the first pool (users), to measure a pool of that size.</param>
/// <param name="HoldersPerCommand">Holders in one GrantLicenses command.</param>
public sealed record ScaleSize(
    string Name,
    int TokenCount,
    int PoolCount,
    int UserCount,
    int DeviceCount,
    int HoldersPerPool,
    int BigPoolHolders,
    int HoldersPerCommand)
{
    /// <summary>For CI: a few seconds of loading.</summary>
    public static readonly ScaleSize Small = new("small", 3, 20, 500, 800, 200, 500, 250);

    /// <summary>About 96,000 events in under a minute: for before/after comparisons of the replays.</summary>
    public static readonly ScaleSize Medium = new("medium", 30, 100, 2_000, 3_000, 900, 20_000, 1_000);

    /// <summary>ARCHITECTURE.md "Scale": about 5.1 million events.</summary>
    public static readonly ScaleSize Large = new("large", 3_000, 10_000, 200_000, 300_000, 460, 100_000, 1_000);

    /// <summary>The events the load writes, a little more when a pool's queue is used (one event per holder either way).</summary>
    public long PlannedEventCount =>
        (long)TokenCount + PoolCount + UserCount + DeviceCount + BigPoolHolders + ((long)(PoolCount - 1) * HoldersPerPool);

    /// <summary>The size named on the command line.</summary>
    public static ScaleSize Parse(string name) => name switch
    {
        "small" => Small,
        "medium" => Medium,
        "large" => Large,
        _ => throw new ArgumentException($"Size '{name}' is unknown: use small, medium or large."),
    };
}
