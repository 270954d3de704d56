using NodaTime;

namespace VppLedger.Alerts;

/// <summary>What an alert is about.</summary>
public enum AlertKind
{
    /// <summary>A live token expires within <see cref="AlertRaised.Threshold"/> days (rule T2); expired ones included.</summary>
    TokenExpiring = 0,

    /// <summary>A live pool has fewer free licenses than <see cref="AlertRaised.Threshold"/> (rule S1).</summary>
    PoolLowOnFreeSeats = 1,

    /// <summary>The head of a pool's queue has waited longer than <see cref="AlertRaised.Threshold"/> minutes (rule A6).</summary>
    QueueWaitingTooLong = 2,
}

/// <summary>Marks the events of the tenant's alert stream (<c>tenant:alerts</c>).</summary>
public interface IAlertEvent : ILedgerEvent
{
    /// <summary>The alert's identity: its kind, its subject and its threshold, for example <c>token_expiring/tok-1/7</c>.</summary>
    string Key { get; }
}

/// <summary>
/// A condition crossed its threshold at an evaluation (<c>ITenantLedger.EvaluateAlertsAsync</c>); recorded once, until
/// an <see cref="AlertCleared"/> with the same key says it no longer holds.
/// </summary>
/// <param name="Key">The alert's identity (kind, subject, threshold).</param>
/// <param name="Kind">What it is about.</param>
/// <param name="Token">The token, or the pool's token.</param>
/// <param name="App">The pool's app; null for a token alert.</param>
/// <param name="Threshold">Days before expiry, free licenses, or minutes of waiting, by <paramref name="Kind"/>.</param>
/// <param name="Observed">What the evaluation saw, in the same unit: days left (negative once expired), free licenses, minutes waited.</param>
/// <param name="Rule">The rule the condition watches: T2, S1 or A6.</param>
/// <param name="OccurredAt">The instant of the evaluation.</param>
public sealed record AlertRaised(
    string Key,
    AlertKind Kind,
    TokenId Token,
    AdamId? App,
    long Threshold,
    long Observed,
    string Rule,
    Instant OccurredAt) : IAlertEvent;

/// <summary>A raised alert no longer holds (token renewed or deleted, licenses bought or freed, queue served).</summary>
/// <param name="Key">The alert's identity, as raised.</param>
/// <param name="Kind">What it was about.</param>
/// <param name="Token">The token, or the pool's token.</param>
/// <param name="App">The pool's app; null for a token alert.</param>
/// <param name="OccurredAt">The instant of the evaluation that found it cleared.</param>
public sealed record AlertCleared(
    string Key,
    AlertKind Kind,
    TokenId Token,
    AdamId? App,
    Instant OccurredAt) : IAlertEvent;
