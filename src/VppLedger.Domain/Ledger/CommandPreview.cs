using VppLedger.Pools;

namespace VppLedger;

/// <summary>
/// What a command would do if it were executed now: its outcome, decided on the current state exactly as
/// <c>ExecuteAsync</c> would decide it, and the events it would write, with nothing written (not even the idempotency
/// record). A large fan-out is summarised per pool in <see cref="Pools"/>; <see cref="Outcome"/> lists at most the
/// number of events the caller asked for.
/// </summary>
/// <param name="Outcome">Applied, unchanged or rejected, with the first events it would write (see <see cref="EventsTruncated"/>).</param>
/// <param name="EventCount">How many events the command would write, all of them.</param>
/// <param name="Pools">Per pool touched: licenses granted, holders queued, licenses reclaimed, queue entries withdrawn, seats orphaned.</param>
public sealed record CommandPreview(CommandOutcome Outcome, int EventCount, IReadOnlyList<PoolPreview> Pools)
{
    /// <summary>True when <see cref="Outcome"/> lists fewer events than <see cref="EventCount"/>.</summary>
    public bool EventsTruncated => Outcome.Changes.Count < EventCount;

    /// <summary>The events the command would write outside pools (tokens, assignments, directory), counted per stable event name.</summary>
    public IReadOnlyDictionary<string, int> OtherEventCounts { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// Summarises what a decided (never committed) command would write. Pure: the changes in order, and the state each
    /// pool touched would be left in.
    /// </summary>
    /// <param name="outcome">The decided outcome with every change.</param>
    /// <param name="poolsAfter">The states the pools touched would be left in (for the seats a deletion orphans).</param>
    /// <param name="maxListedEvents">How many events to keep in the returned outcome; the summary covers all.</param>
    internal static CommandPreview Summarize(CommandOutcome outcome, IEnumerable<PoolState> poolsAfter, int maxListedEvents)
    {
        var after = poolsAfter.ToDictionary(p => p.Pool);
        var pools = new Dictionary<PoolId, PoolPreview>();
        var others = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var change in outcome.Changes)
        {
            if (change.Event is not IPoolEvent e)
            {
                others[change.EventName] = others.GetValueOrDefault(change.EventName) + 1;
                continue;
            }

            var p = pools.GetValueOrDefault(e.Pool) ?? new PoolPreview(e.Pool);
            pools[e.Pool] = e switch
            {
                LicenseGranted => p with { GrantedCount = checked(p.GrantedCount + 1) },
                HolderQueued => p with { QueuedCount = checked(p.QueuedCount + 1) },
                LicenseReclaimed => p with { ReclaimedCount = checked(p.ReclaimedCount + 1) },
                HolderLeftQueue => p with { LeftQueueCount = checked(p.LeftQueueCount + 1) },

                // rule T10: the seats still held when the pool is orphaned can no longer be revoked (R7)
                PoolOrphaned => p with { OrphanedCount = after.TryGetValue(e.Pool, out var state) ? state.UsedCount : 0 },
                _ => p with { OtherEventCount = checked(p.OtherEventCount + 1) },
            };
        }

        var listed = outcome.Changes.Count <= maxListedEvents ? outcome : outcome with { Changes = [.. outcome.Changes.Take(maxListedEvents)] };
        return new CommandPreview(listed, outcome.Changes.Count, [.. pools.Values.OrderBy(p => p.Pool.ToString(), StringComparer.Ordinal)])
        {
            OtherEventCounts = others,
        };
    }
}

/// <summary>What a previewed command would do to one pool.</summary>
/// <param name="Pool">The pool.</param>
public sealed record PoolPreview(PoolId Pool)
{
    /// <summary>Licenses it would grant (rule A6: up to the free count).</summary>
    public int GrantedCount { get; init; }

    /// <summary>Holders it would queue (rule A6: beyond the free count).</summary>
    public int QueuedCount { get; init; }

    /// <summary>Licenses it would reclaim (rules R1-R4, A4, L8).</summary>
    public int ReclaimedCount { get; init; }

    /// <summary>Queued holders it would withdraw from the queue without a license.</summary>
    public int LeftQueueCount { get; init; }

    /// <summary>Seats it would leave orphaned, recorded but no longer revocable (rules T10, R7).</summary>
    public int OrphanedCount { get; init; }

    /// <summary>Other events of the pool (counts from Apple, drift).</summary>
    public int OtherEventCount { get; init; }
}
