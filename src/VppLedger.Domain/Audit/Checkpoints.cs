using NodaTime;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Audit;

// Checkpoints of positions (rule I5, docs/audit.md "Checkpoints"). A checkpoint is the fold of a tenant's pool and
// token events through one log position (global sequence S), in log order, exactly as TenantAsOfFold folds them,
// plus the largest business time M among those events. Because the as-of fold takes events in log order and skips
// those after the instant, a checkpoint answers every instant T >= M: its state, then the events after S whose
// business time is at or before T, in log order. Nothing appended later can change what it holds (later events
// have later sequence numbers), so a checkpoint is never stale; what an event with an earlier business time
// appended after it changes is which later events an answer must read (the segment floors below).

/// <summary>One stream's fold state in a checkpoint: a pool's counters or a token's state, and its event count.</summary>
/// <param name="Stream">The stream id (<c>pool:{token}:{adamId}</c> or <c>token:{id}</c>).</param>
/// <param name="Pool">The pool's state, for a pool stream.</param>
/// <param name="Token">The token's state, for a token stream.</param>
/// <param name="EventCount">Events of the stream folded.</param>
/// <param name="Holders">A pool checkpoint's holders (null in a tenant checkpoint).</param>
/// <param name="Queue">A pool checkpoint's queue (null in a tenant checkpoint).</param>
/// <param name="Delta">
/// A pool book checkpoint that is not full: what changed in the book since the pool's previous book checkpoint (what
/// is stored); <paramref name="Holders"/> and <paramref name="Queue"/> still hold the whole book.
/// </param>
internal sealed record CheckpointPosition(string Stream, PoolState? Pool, TokenState? Token, long EventCount, IReadOnlyList<Holder>? Holders = null, IReadOnlyList<QueuedHolder>? Queue = null, PoolBookDelta? Delta = null);

/// <summary>A checkpoint cut by <see cref="TenantCheckpointer"/>.</summary>
/// <param name="Seq">The log position (global sequence) it covers: every pool and token event of the tenant at or before it.</param>
/// <param name="FromSeq">The previous checkpoint's position (0 for the first): its segment is <c>(FromSeq, Seq]</c>.</param>
/// <param name="ChainPosition">The chain position of the link at <paramref name="Seq"/>.</param>
/// <param name="Hash">That link's hash.</param>
/// <param name="MaxOccurredAt">The latest business time among the events it covers: it answers instants at or after it.</param>
/// <param name="SegmentMinOccurredAt">The earliest business time among the events of its segment.</param>
/// <param name="EventCount">Pool and token events it covers.</param>
/// <param name="Full">True when <paramref name="Positions"/> holds every stream; otherwise only those changed in the segment.</param>
/// <param name="CutNumber">1 for the tenant's first checkpoint, 2 for the next...</param>
/// <param name="Positions">The stream states written with it.</param>
internal sealed record Checkpoint(
    long Seq,
    long FromSeq,
    long ChainPosition,
    byte[] Hash,
    Instant MaxOccurredAt,
    Instant SegmentMinOccurredAt,
    long EventCount,
    bool Full,
    int CutNumber,
    IReadOnlyList<CheckpointPosition> Positions);

/// <summary>
/// Cuts a tenant's checkpoints while its events are folded in log order: before the first event of a new business
/// period (by default a UTC day) and after every <c>everyEvents</c> events, whichever comes first. Every
/// <c>fullEvery</c>-th checkpoint holds every stream; the others only the streams changed since the one before.
/// Pure and not thread-safe: one per tenant, fed by one sealer or one rebuild.
/// </summary>
internal sealed class TenantCheckpointer
{
    private readonly long _everyEvents;
    private readonly long _periodTicks;
    private readonly int _fullEvery;
    private readonly Dictionary<string, CheckpointPosition> _streams = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private long _count;
    private long _since;
    private int _cuts;
    private long _lastCutSeq;
    private Instant _max = Instant.MinValue;
    private Instant _segmentMin = Instant.MaxValue;
    private (long Seq, long Position, byte[] Hash) _last;

    /// <summary>Starts from nothing (the beginning of the log) or from a stored checkpoint's full state.</summary>
    public TenantCheckpointer(long everyEvents, Duration period, int fullEvery, CheckpointState? from = null)
    {
        _everyEvents = Math.Max(1, everyEvents);
        _periodTicks = Math.Max(1, period.BclCompatibleTicks);
        _fullEvery = Math.Max(1, fullEvery);
        if (from is not null)
        {
            foreach (var p in from.Positions)
            {
                _streams[p.Stream] = p;
            }

            _count = from.EventCount;
            _max = from.MaxOccurredAt;
            _lastCutSeq = from.Seq;
            _cuts = from.CutCount;
            _last = (from.Seq, from.ChainPosition, from.Hash);
        }
    }

    /// <summary>The log position of the last event folded.</summary>
    public long Through => _last.Seq;

    /// <summary>How many events of <paramref name="stream"/> were folded so far (a pool's book is checkpointed at every multiple of <c>everyEvents</c>).</summary>
    public long CountOf(string stream) => _streams.TryGetValue(stream, out var p) ? p.EventCount : 0;

    /// <summary>True when the last event folded completed a multiple of <c>everyEvents</c> events of its stream: time to checkpoint that pool's book.</summary>
    public bool PoolBookDue(string stream) => stream.StartsWith("pool:", StringComparison.Ordinal) && CountOf(stream) % _everyEvents == 0;

    /// <summary>
    /// Folds the next pool or token event of the tenant, in log order, with its chain link. Returns the checkpoints
    /// cut by it: one before it when it opens a new business period, one after it when it completes
    /// <c>everyEvents</c> events.
    /// </summary>
    public IReadOnlyList<Checkpoint> Apply(long seq, long chainPosition, byte[] hash, string stream, ILedgerEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event is not (IPoolEvent or ITokenEvent))
        {
            return [];
        }

        List<Checkpoint>? cut = null;
        if (_since > 0 && Period(@event.OccurredAt) > Period(_max))
        {
            (cut ??= []).Add(Cut());
        }

        Fold(stream, @event);
        _last = (seq, chainPosition, hash);
        _count++;
        _since++;
        _max = @event.OccurredAt > _max ? @event.OccurredAt : _max;
        _segmentMin = @event.OccurredAt < _segmentMin ? @event.OccurredAt : _segmentMin;
        if (_since >= _everyEvents)
        {
            (cut ??= []).Add(Cut());
        }

        return cut ?? [];
    }

    private long Period(Instant at) => at == Instant.MinValue ? long.MinValue : Math.DivRem((at - NodaConstants.UnixEpoch).BclCompatibleTicks, _periodTicks, out var r) - (r < 0 ? 1 : 0);

    private void Fold(string stream, ILedgerEvent @event)
    {
        _streams.TryGetValue(stream, out var before);
        _streams[stream] = @event is IPoolEvent p
            ? new CheckpointPosition(stream, PoolDecider.Evolve(before?.Pool ?? PoolState.Initial(p.Pool), p), null, (before?.EventCount ?? 0) + 1)
            : new CheckpointPosition(stream, null, TokenDecider.Evolve(before?.Token ?? TokenState.Initial, (ITokenEvent)@event), (before?.EventCount ?? 0) + 1);
        _changed.Add(stream);
    }

    private Checkpoint Cut()
    {
        _cuts++;
        var full = _cuts % _fullEvery == 1 || _fullEvery == 1;
        var positions = full
            ? _streams.Values.OrderBy(p => p.Stream, StringComparer.Ordinal).ToList()
            : [.. _changed.Order(StringComparer.Ordinal).Select(s => _streams[s])];
        var checkpoint = new Checkpoint(_last.Seq, _lastCutSeq, _last.Position, _last.Hash, _max, _segmentMin, _count, full, _cuts, positions);
        _lastCutSeq = _last.Seq;
        _changed.Clear();
        _since = 0;
        _segmentMin = Instant.MaxValue;
        return checkpoint;
    }
}

/// <summary>
/// Folds one pool's events after its previous book checkpoint into the next one (the pool's holders and queue as
/// well as its counters). Every <c>fullEvery</c>-th book checkpoint of a pool stores the whole book, the others only
/// the <see cref="PoolBookDelta"/> from the one before. Pure: the caller reads the events.
/// </summary>
internal static class PoolBookCheckpoint
{
    /// <summary>The pool's next book checkpoint at <paramref name="seq"/>, from the previous one (or nothing) and the pool's events after it, in log order.</summary>
    public static Checkpoint Cut(PoolId pool, string stream, CheckpointState? previous, IEnumerable<ILedgerEvent> events, long seq, long chainPosition, byte[] hash, int fullEvery)
    {
        ArgumentNullException.ThrowIfNull(events);
        var before = previous is { Positions: [var p] } ? p : null;
        var book = before is not null ? PoolBook.Restore(before.Pool!, before.Holders ?? [], before.Queue ?? []) : new PoolBook(pool);
        var count = previous?.EventCount ?? 0;
        var max = previous?.MaxOccurredAt ?? Instant.MinValue;
        var min = Instant.MaxValue;
        foreach (var e in events.OfType<IPoolEvent>())
        {
            book.Apply(e);
            count++;
            max = e.OccurredAt > max ? e.OccurredAt : max;
            min = e.OccurredAt < min ? e.OccurredAt : min;
        }

        var cut = (previous?.CutCount ?? 0) + 1;
        var full = fullEvery <= 1 || cut % fullEvery == 1;
        var (holders, queue) = (book.Holders, book.Queue);
        var delta = full ? null : PoolBookDelta.Between(before?.Holders ?? [], before?.Queue ?? [], holders, queue);
        return new Checkpoint(seq, previous?.Seq ?? 0, chainPosition, hash, max, min, count, full, cut,
            [new CheckpointPosition(stream, book.State, null, count, holders, queue, delta)]);
    }
}

/// <summary>
/// What changed in a pool's book between two of its book checkpoints: the holders that left and came (holders by
/// <see cref="Holder.Key"/>, ordinal; one key names one holder, so a holder is never "changed"), the queue positions
/// that left and the queued holders that came. <see cref="ApplyTo(IReadOnlyList{Holder}, IReadOnlyList{QueuedHolder})"/> of <see cref="Between"/> gives back exactly the
/// later book, in the same order.
/// </summary>
/// <param name="RemovedHolders">Keys of the holders no longer granted, ordinal order.</param>
/// <param name="AddedHolders">Holders newly granted, by key.</param>
/// <param name="RemovedPositions">Queue positions no longer queued (or queued with another holder), ascending.</param>
/// <param name="AddedQueue">Queue entries new since, by position.</param>
internal sealed record PoolBookDelta(IReadOnlyList<string> RemovedHolders, IReadOnlyList<Holder> AddedHolders, IReadOnlyList<long> RemovedPositions, IReadOnlyList<QueuedHolder> AddedQueue)
{
    /// <summary>The delta from one book to another; each list sorted as <see cref="PoolBook"/> gives it (holders by key, queue by position).</summary>
    public static PoolBookDelta Between(IReadOnlyList<Holder> beforeHolders, IReadOnlyList<QueuedHolder> beforeQueue, IReadOnlyList<Holder> holders, IReadOnlyList<QueuedHolder> queue)
    {
        ArgumentNullException.ThrowIfNull(beforeHolders);
        ArgumentNullException.ThrowIfNull(beforeQueue);
        ArgumentNullException.ThrowIfNull(holders);
        ArgumentNullException.ThrowIfNull(queue);
        var (removed, added) = (new List<string>(), new List<Holder>());
        int i = 0, j = 0;
        while (i < beforeHolders.Count || j < holders.Count)
        {
            var c = i == beforeHolders.Count ? 1 : j == holders.Count ? -1 : string.CompareOrdinal(beforeHolders[i].Key, holders[j].Key);
            if (c < 0)
            {
                removed.Add(beforeHolders[i++].Key);
            }
            else if (c > 0)
            {
                added.Add(holders[j++]);
            }
            else
            {
                (i, j) = (i + 1, j + 1);
            }
        }

        var (left, came) = (new List<long>(), new List<QueuedHolder>());
        (i, j) = (0, 0);
        while (i < beforeQueue.Count || j < queue.Count)
        {
            var c = i == beforeQueue.Count ? 1 : j == queue.Count ? -1 : beforeQueue[i].Position.CompareTo(queue[j].Position);
            if (c < 0)
            {
                left.Add(beforeQueue[i++].Position);
            }
            else if (c > 0)
            {
                came.Add(queue[j++]);
            }
            else
            {
                if (beforeQueue[i].Holder != queue[j].Holder)
                {
                    left.Add(beforeQueue[i].Position);
                    came.Add(queue[j]);
                }

                (i, j) = (i + 1, j + 1);
            }
        }

        return new PoolBookDelta(removed, added, left, came);
    }

    /// <summary>The later book from the earlier one (holders by key, queue by position), in one merge pass.</summary>
    public (IReadOnlyList<Holder> Holders, IReadOnlyList<QueuedHolder> Queue) ApplyTo(IReadOnlyList<Holder> holders, IReadOnlyList<QueuedHolder> queue)
    {
        ArgumentNullException.ThrowIfNull(holders);
        var into = new Holder[holders.Count + AddedHolders.Count];
        var count = ApplyTo([.. holders], into);
        return (count == into.Length ? into : into[..count], ApplyTo(queue));
    }

    /// <summary>
    /// Writes the later holders, by key, into <paramref name="into"/> (at least as long as <paramref name="holders"/>
    /// plus <see cref="AddedHolders"/>) from the earlier ones; returns how many. Lets a reader of several deltas in a row
    /// merge between two buffers instead of allocating a list for each.
    /// </summary>
    public int ApplyTo(ReadOnlySpan<Holder> holders, Span<Holder> into)
    {
        int i = 0, r = 0, a = 0, n = 0;
        while (i < holders.Length || a < AddedHolders.Count)
        {
            if (i < holders.Length)
            {
                var key = holders[i].Key;
                while (r < RemovedHolders.Count && string.CompareOrdinal(RemovedHolders[r], key) < 0)
                {
                    r++;
                }

                if (r < RemovedHolders.Count && string.Equals(RemovedHolders[r], key, StringComparison.Ordinal))
                {
                    i++;
                    continue;
                }
            }

            var c = i == holders.Length ? 1 : a == AddedHolders.Count ? -1 : string.CompareOrdinal(holders[i].Key, AddedHolders[a].Key);
            into[n++] = c < 0 ? holders[i++] : AddedHolders[a++];
            if (c == 0)
            {
                i++;
            }
        }

        return n;
    }

    /// <summary>The later queue from the earlier one, by position, in one merge pass.</summary>
    public IReadOnlyList<QueuedHolder> ApplyTo(IReadOnlyList<QueuedHolder> queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var line = new List<QueuedHolder>(Math.Max(0, queue.Count - RemovedPositions.Count) + AddedQueue.Count);
        int k = 0, l = 0, n = 0;
        while (k < queue.Count || n < AddedQueue.Count)
        {
            if (k < queue.Count)
            {
                var position = queue[k].Position;
                while (l < RemovedPositions.Count && RemovedPositions[l] < position)
                {
                    l++;
                }

                if (l < RemovedPositions.Count && RemovedPositions[l] == position)
                {
                    k++;
                    continue;
                }
            }

            var c = k == queue.Count ? 1 : n == AddedQueue.Count ? -1 : queue[k].Position.CompareTo(AddedQueue[n].Position);
            line.Add(c < 0 ? queue[k++] : AddedQueue[n++]);
            if (c == 0)
            {
                k++;
            }
        }

        return line;
    }
}

/// <summary>A tenant's fold state read back from its checkpoints (the last full one and the deltas after it).</summary>
/// <param name="Seq">The log position it covers.</param>
/// <param name="ChainPosition">The chain position of the link at <paramref name="Seq"/>.</param>
/// <param name="Hash">That link's hash.</param>
/// <param name="MaxOccurredAt">The latest business time it covers.</param>
/// <param name="EventCount">Pool and token events it covers.</param>
/// <param name="CutCount">Checkpoints of the tenant up to and including it (sets which next one is full).</param>
/// <param name="Positions">Every stream's state.</param>
internal sealed record CheckpointState(long Seq, long ChainPosition, byte[] Hash, Instant MaxOccurredAt, long EventCount, int CutCount, IReadOnlyList<CheckpointPosition> Positions);
