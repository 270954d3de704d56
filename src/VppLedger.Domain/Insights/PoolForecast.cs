using NodaTime;
using VppLedger.Pools;

namespace VppLedger.Insights;

/// <summary>
/// When one pool runs out of free licenses at its current rate, and how many to buy to serve its queue.
/// Method (docs/forecast.md): over the trailing window, net consumption = licenses granted - licenses reclaimed
/// (business time, from the pool's history); rate = net consumption / window in days; run-out = now + free / rate when
/// the rate is positive, now when nothing is free, never (null) otherwise. To buy = queued + over-allocation (S4).
/// Purchases are not extrapolated: a purchase is a decision, not a trend.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="AvailableCount">Free licenses now (S1).</param>
/// <param name="QueuedCount">Holders waiting now (A6).</param>
/// <param name="GrantedCount">Licenses granted in the window.</param>
/// <param name="ReclaimedCount">Licenses reclaimed in the window.</param>
/// <param name="Window">The trailing window.</param>
/// <param name="NetPerDay">Net licenses consumed per day over the window (negative when more were freed).</param>
/// <param name="RunsOutAt">When the free licenses run out at that rate; now when none is free; null when the rate is not positive.</param>
/// <param name="ToBuyCount">Licenses to buy to serve every queued holder (and cover an over-allocation).</param>
public sealed record PoolForecast(
    PoolId Pool,
    int AvailableCount,
    int QueuedCount,
    int GrantedCount,
    int ReclaimedCount,
    Duration Window,
    double NetPerDay,
    Instant? RunsOutAt,
    int ToBuyCount);

/// <summary>The run-out forecast of a pool. Pure.</summary>
internal static class Forecasts
{
    public static PoolForecast Of(PoolState pool, int grantedInWindow, int reclaimedInWindow, Duration window, Instant now)
    {
        if (window <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The forecast window must be positive, for example 30 days.");
        }

        var net = grantedInWindow - reclaimedInWindow;
        var perDay = net / window.TotalDays;
        Instant? runsOut = pool.AvailableCount == 0 ? now
            : perDay > 0 ? now + Duration.FromSeconds(Math.Round(pool.AvailableCount / perDay * 86_400))
            : null;
        var toBuy = checked(pool.QueuedCount + Math.Max(0, pool.UsedCount - pool.TotalCount)); // rules A6, S4
        return new PoolForecast(pool.Pool, pool.AvailableCount, pool.QueuedCount, grantedInWindow, reclaimedInWindow, window, perDay, runsOut, toBuy);
    }
}
