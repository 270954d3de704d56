using System.Collections.Immutable;
using NodaTime;

namespace VppLedger.Alerts;

/// <summary>The alerts raised and not cleared yet, by key. Immutable.</summary>
/// <param name="Active">The raised alerts that still hold, by key.</param>
internal sealed record AlertBook(ImmutableSortedDictionary<string, AlertRaised> Active)
{
    public static AlertBook Empty { get; } = new(ImmutableSortedDictionary.Create<string, AlertRaised>(StringComparer.Ordinal));
}

/// <summary>A token as the alerts see it.</summary>
internal sealed record TokenAlertFacts(TokenId Token, Instant ExpiresAt, bool Deleted);

/// <summary>A pool as the alerts see it: <paramref name="Live"/> when synced, not orphaned, and its token not deleted.</summary>
internal sealed record PoolAlertFacts(PoolId Pool, bool Live, int AvailableCount, Instant? OldestQueuedSince);

/// <summary>The facts one evaluation reads.</summary>
internal sealed record AlertFacts(IReadOnlyList<TokenAlertFacts> Tokens, IReadOnlyList<PoolAlertFacts> Pools);

/// <summary>Evaluates alerts once (the host's scheduled call): pure, given the book and the facts.</summary>
internal sealed record EvaluateAlerts(Instant At, AlertThresholds Thresholds, CommandId Id, Actor Actor) : ILedgerCommand;

/// <summary>
/// Which alerts hold at an instant, and the events that bring the book there: each crossing raised once, each alert
/// that no longer holds cleared. Deciding again on the state it leaves decides nothing (idempotent).
/// </summary>
internal static class AlertRules
{
    /// <summary>The days before expiry that alert (T2): the thresholds' own, else the policy's window, 7 and 1.</summary>
    public static IReadOnlyList<int> ExpiryDays(AlertThresholds thresholds, LedgerPolicy policy) =>
        thresholds.TokenExpiryDays is { } days
            ? [.. days.Distinct().Order()]
            : [.. new[] { (int)Math.Ceiling(policy.ExpiringSoonWindow.TotalDays), 7, 1 }.Distinct().Order()];

    public static IReadOnlyList<IAlertEvent> Decide(AlertBook book, AlertFacts facts, AlertThresholds thresholds, LedgerPolicy policy, Instant now)
    {
        var holding = Holding(facts, thresholds, policy, now).ToDictionary(a => a.Key, StringComparer.Ordinal);
        var events = new List<IAlertEvent>();
        foreach (var (key, raised) in book.Active)
        {
            if (!holding.ContainsKey(key))
            {
                events.Add(new AlertCleared(key, raised.Kind, raised.Token, raised.App, now));
            }
        }

        events.AddRange(holding.Values.Where(a => !book.Active.ContainsKey(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal));
        return events;
    }

    public static AlertBook Evolve(AlertBook book, IAlertEvent e) => e switch
    {
        AlertRaised r => book with { Active = book.Active.SetItem(r.Key, r) },
        AlertCleared c => book with { Active = book.Active.Remove(c.Key) },
        _ => book,
    };

    private static IEnumerable<AlertRaised> Holding(AlertFacts facts, AlertThresholds thresholds, LedgerPolicy policy, Instant now)
    {
        var days = ExpiryDays(thresholds, policy);
        foreach (var token in facts.Tokens.Where(t => !t.Deleted))
        {
            var left = token.ExpiresAt - now;
            foreach (var d in days.Where(d => left <= Duration.FromDays(d)))
            {
                // rule T2: an expiring (or expired) token cannot sync or grant once past its date
                yield return new AlertRaised($"token_expiring/{token.Token.Value}/{d}", AlertKind.TokenExpiring, token.Token, null, d, (long)Math.Floor(left.TotalDays), "T2", now);
            }
        }

        foreach (var pool in facts.Pools.Where(p => p.Live))
        {
            if (pool.AvailableCount < thresholds.FreeSeatsBelow)
            {
                yield return new AlertRaised(
                    $"pool_low/{pool.Pool}/{thresholds.FreeSeatsBelow}", AlertKind.PoolLowOnFreeSeats, pool.Pool.Token, pool.Pool.AdamId, thresholds.FreeSeatsBelow, pool.AvailableCount, "S1", now);
            }

            if (thresholds.QueueWaitLongerThan is { } limit && pool.OldestQueuedSince is { } since && now - since > limit)
            {
                var minutes = (long)limit.TotalMinutes;
                yield return new AlertRaised(
                    $"queue_waiting/{pool.Pool}/{minutes}", AlertKind.QueueWaitingTooLong, pool.Pool.Token, pool.Pool.AdamId, minutes, (long)(now - since).TotalMinutes, "A6", now);
            }
        }
    }
}

/// <summary>The evaluation command the facade sends: its id follows from the instant and the thresholds (idempotent per instant).</summary>
internal static class AlertCommands
{
    /// <summary>The ledger's own actor for evaluations: alerts change no license.</summary>
    public static readonly Actor Evaluator = new("vppledger alerts", Permissions.All);

    public static EvaluateAlerts Evaluate(Instant now, AlertThresholds thresholds)
    {
        var text = $"{string.Join(',', thresholds.TokenExpiryDays ?? [])}|{thresholds.FreeSeatsBelow}|{thresholds.QueueWaitLongerThan?.BclCompatibleTicks}";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..12];
        return new EvaluateAlerts(now, thresholds, new CommandId($"alerts-{now.ToUnixTimeTicks()}-{hash}"), Evaluator);
    }
}
