using NodaTime;

namespace VppLedger.Alerts;

/// <summary>When an alert is raised. Immutable; the defaults suit most tenants.</summary>
public sealed record AlertThresholds
{
    /// <summary>The defaults: tokens at 30 (the policy's window, T2), 7 and 1 days; pools with no free license; queues waiting over a day.</summary>
    public static AlertThresholds Default { get; } = new();

    /// <summary>
    /// Days before a token's expiry at which an alert is raised, one alert per value. Null (default): the policy's
    /// "expiring soon" window in days (30 by default, rule T2), then 7 and 1.
    /// </summary>
    public IReadOnlyList<int>? TokenExpiryDays { get; init; }

    /// <summary>A pool with fewer free licenses than this is low. Default 1 (no free license); 0 turns the alert off.</summary>
    public int FreeSeatsBelow { get; init; } = 1;

    /// <summary>A queue whose head has waited longer than this alerts. Default one day; null turns the alert off.</summary>
    public Duration? QueueWaitLongerThan { get; init; } = Duration.FromDays(1);
}
