using Marten;
using VppLedger.Alerts;

namespace VppLedger.Storage;

/// <summary>Alerts (issue 15): the facts one evaluation reads, the pure decision, and the tenant's alert stream.</summary>
internal sealed partial class LedgerHandlers
{
    private async Task<Handled> AlertsAsync(EvaluateAlerts c)
    {
        var (version, book) = await AlertStream.ReadAsync(_session, cancellationToken).ConfigureAwait(false);
        var tokens = await _session.Query<TokenDoc>().ToListAsync(cancellationToken).ConfigureAwait(false);
        var pools = await _session.Query<PoolDoc>().ToListAsync(cancellationToken).ConfigureAwait(false);
        var deleted = tokens.Where(t => t.Deleted).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var poolFacts = new List<PoolAlertFacts>(pools.Count);
        foreach (var pool in pools)
        {
            var live = pool.State.Synced && !pool.State.Orphaned && !deleted.Contains(Streams.Token(pool.State.Pool.Token));
            var oldest = live && pool.Queued ? await QueueHeadSinceAsync(pool.Id).ConfigureAwait(false) : null;
            poolFacts.Add(new PoolAlertFacts(pool.State.Pool, live, pool.State.AvailableCount, oldest));
        }

        var facts = new AlertFacts(
            [.. tokens.Where(t => t.State.Id is not null).Select(t => new TokenAlertFacts(t.State.Id!.Value, t.State.ExpiresAt, t.Deleted))],
            poolFacts);
        var events = AlertRules.Decide(book, facts, c.Thresholds, context.Policy, c.At);
        foreach (var e in events)
        {
            // Appended at the version read: two evaluations at once conflict and the later one decides again.
            _session.Events.Append(Streams.TenantAlerts, ++version, e);
            context.Record(Streams.TenantAlerts, version, e);
        }

        return Handled.Done;
    }

    /// <summary>When the head of a pool's queue was queued: it has waited longest (positions only grow).</summary>
    private async Task<NodaTime.Instant?> QueueHeadSinceAsync(string poolKey)
    {
        var head = await _session.Query<SeatDoc>()
            .Where(s => s.PoolKey == poolKey && s.Status == Pools.SeatStatus.Queued)
            .OrderBy(s => s.QueuePosition)
            .Take(1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return head.Count == 0 ? null : head[0].Since;
    }
}

/// <summary>The tenant's alert stream, folded with the pure <see cref="AlertRules.Evolve"/>; it holds transitions only, so it stays short.</summary>
internal static class AlertStream
{
    public static async Task<(long Version, AlertBook Book)> ReadAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var events = await session.Events.FetchStreamAsync(Streams.TenantAlerts, token: cancellationToken).ConfigureAwait(false);
        var book = AlertBook.Empty;
        long version = 0;
        foreach (var e in events)
        {
            if (e.Data is IAlertEvent a)
            {
                book = AlertRules.Evolve(book, a);
            }

            version = Math.Max(version, e.Version);
        }

        return (version, book);
    }
}
