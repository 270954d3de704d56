using Marten;
using VppLedger.Pools;

namespace VppLedger.Storage;

/// <summary>
/// One pool inside one command: decides with the seats of only the holders a command names and the head of the
/// queue (never the whole holder set, ARCHITECTURE.md "Scale"), and remembers what this command changed so that
/// several decisions on the same pool in one transaction see each other.
/// </summary>
internal sealed class PoolWorkspace(WriteContext context, WriteStream<PoolState> stream, WriteStream<Tokens.TokenState> token)
{
    private readonly Dictionary<string, HolderSeat> _seats = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly List<QueuedHolder> _queuedHere = [];

    public PoolState State => stream.State;

    public PoolId Pool => stream.State.Pool;

    /// <summary>Decides a command on this pool; <paramref name="maxPromotions"/> bounds the queue entries it serves (a page).</summary>
    public async Task<Decision<IPoolEvent>> DecideAsync(IPoolCommand command, CancellationToken cancellationToken, int maxPromotions = int.MaxValue)
    {
        var lookup = await LookupAsync(command, maxPromotions, cancellationToken).ConfigureAwait(false);
        var decision = PoolDecider.Decide(command, stream.State, lookup, context.Now);
        if (!decision.IsRejected)
        {
            var version = stream.Version;
            stream.Append(decision.Events);
            foreach (var e in decision.Events)
            {
                version++;
                Track(e);
                if (AppleRequests.For(e) is { } kind)
                {
                    // The outbox: one Apple request per decided seat change, in the same transaction as its event.
                    var holder = HolderSeats.HolderOf(e)!;
                    context.Outbox.Add(new AppleRequestDoc(
                        AppleRequestDoc.IdOf(Pool, version), Pool.Token.Value, stream.Id, version, kind, holder.Key, e.OccurredAt, AppleRequestStatus.Pending, null, null, null));
                }
            }
        }

        return decision;
    }

    /// <summary>The current seat of each holder (one indexed read for those not seen yet in this command).</summary>
    public async Task<IReadOnlyDictionary<string, HolderSeat>> SeatsAsync(IEnumerable<Holder> holders, CancellationToken cancellationToken)
    {
        var wanted = holders.Select(h => h.Key).Distinct(StringComparer.Ordinal).ToList();
        var missing = wanted.Where(k => !_seats.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            var ids = missing.Select(k => Streams.Seat(Pool, k)).ToList();
            var docs = await context.LoadManyAsync<SeatDoc>(ids, cancellationToken).ConfigureAwait(false);
            var found = docs.ToDictionary(d => d.HolderKey, StringComparer.Ordinal);
            var releases = State.ReleasePendingCount == 0
                ? []
                : (await context.Session.LoadByKeysAsync<ReleaseDoc>(ids, cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.HolderKey, d => d.PendingCount, StringComparer.Ordinal);
            foreach (var key in missing)
            {
                var pending = releases.GetValueOrDefault(key);
                _seats[key] = found.TryGetValue(key, out var seat)
                    ? seat.ToSeat(pending)
                    : HolderSeat.None with { PendingReleaseCount = pending };
            }
        }

        return wanted.ToDictionary(k => k, k => _seats[k], StringComparer.Ordinal);
    }

    private async Task<PoolLookup> LookupAsync(IPoolCommand command, int maxPromotions, CancellationToken cancellationToken)
    {
        var seats = await SeatsAsync(PoolDecider.HoldersNamedIn(command), cancellationToken).ConfigureAwait(false);
        var heldBy = Tokens.TokenRules.GrantsHeldBy(token.State, context.Now); // the token's state as this command leaves it
        var needed = heldBy is null ? PoolDecider.QueueHeadNeeded(stream.State, command) : 0;
        if (maxPromotions < needed)
        {
            // A queue entry this decision releases is skipped in the head, so read as many more as the command names.
            needed = Math.Min(needed, checked(maxPromotions + PoolDecider.HoldersNamedIn(command).Count));
        }

        var head = needed == 0 ? [] : await QueueHeadAsync(needed, cancellationToken).ConfigureAwait(false);
        if (head.Count < needed && await context.CommittedVersionAsync(stream.Id, cancellationToken).ConfigureAwait(false) != stream.ReadVersion)
        {
            // The counters were read before another command changed the queue's rows: not one snapshot. (With an
            // unchanged version a short head is a bug, and the decider says so.)
            throw new StaleReadException($"{stream.Id} moved from version {stream.ReadVersion} while its queue head was read.");
        }

        return new PoolLookup(seats, head) { GrantsHeldBy = heldBy, MaxPromotions = maxPromotions };
    }

    private async Task<IReadOnlyList<QueuedHolder>> QueueHeadAsync(int needed, CancellationToken cancellationToken)
    {
        // Rows this command already changed are stale in the table, so read that many more and drop them;
        // holders queued by this command sit behind every stored one (positions only grow).
        var poolKey = stream.Id;
        var stored = await context.Session.Query<SeatDoc>()
            .Where(s => s.PoolKey == poolKey && s.Status == SeatStatus.Queued)
            .OrderBy(s => s.QueuePosition)
            .Take(needed + _changed.Count)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return [.. stored
            .Where(s => !_changed.Contains(s.HolderKey))
            .Select(s => new QueuedHolder(Holder.FromKey(s.HolderKey), s.QueuePosition))
            .Concat(_queuedHere.Where(q => _seats[q.Holder.Key] is { Status: SeatStatus.Queued } s && s.QueuePosition == q.Position))
            .Take(needed)];
    }

    private void Track(IPoolEvent e)
    {
        if (HolderSeats.HolderOf(e) is not { } holder)
        {
            return;
        }

        // A holder promoted from the queue was not named by the command, so its pending releases were not read: the
        // cache counts none for it. Only a later decision on it in the same command could see that, and none reads them.
        _seats[holder.Key] = HolderSeats.After(_seats.GetValueOrDefault(holder.Key), e);
        _changed.Add(holder.Key);
        if (e is HolderQueued q)
        {
            _queuedHere.Add(new QueuedHolder(q.Holder, q.Position));
        }
    }
}
