namespace VppLedger.Pools;

/// <summary>
/// The full, in-memory model of one pool: its counters plus every holder and the whole queue, folded from the
/// pool's events. It answers a <see cref="PoolLookup"/> for any command, so it serves tests, reference models and
/// as-of replays of one pool; a storage layer keeps the same facts in indexed rows instead.
/// Not thread-safe: one instance per replay.
/// </summary>
internal sealed class PoolBook
{
    private readonly Dictionary<string, Holder> granted = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, Holder> queue = [];
    private readonly Dictionary<string, long> queuedAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> confirmed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> pendingReleases = new(StringComparer.Ordinal);

    // A book restored from a checkpoint keeps its holders as they were given (sorted by key) and the keys granted or
    // taken since, so that Holders merges the few changes in one pass instead of sorting the whole book again.
    // The lookup by key is filled from them only when an event or a seat question needs it.
    private IReadOnlyList<Holder>? restoredHolders;
    private HashSet<string>? changedSinceRestore;
    private bool grantedPending;

    /// <summary>Creates the model of a pool with no event yet.</summary>
    public PoolBook(PoolId pool) => State = PoolState.Initial(pool);

    /// <summary>The pool's counters, exactly as <see cref="PoolDecider.Evolve"/> folds them.</summary>
    public PoolState State { get; private set; }

    /// <summary>Every holder of a license, ordered by <see cref="Holder.Key"/> (ordinal).</summary>
    public IReadOnlyList<Holder> Holders => restoredHolders is null ? [.. granted.Values.OrderBy(h => h.Key, StringComparer.Ordinal)]
        : changedSinceRestore!.Count == 0 ? restoredHolders
        : MergeChanges(restoredHolders, changedSinceRestore);

    /// <summary>The whole queue, oldest first (rule A6).</summary>
    public IReadOnlyList<QueuedHolder> Queue => [.. queue.Select(e => new QueuedHolder(e.Value, e.Key))];

    /// <summary>Folds every event, in order, into a new model of <paramref name="pool"/>.</summary>
    public static PoolBook Replay(PoolId pool, IEnumerable<IPoolEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var book = new PoolBook(pool);
        foreach (var e in events)
        {
            book.Apply(e);
        }

        return book;
    }

    /// <summary>Folds one event. Like <see cref="PoolDecider.Evolve"/>, it never validates.</summary>
    public void Apply(IPoolEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        FillGranted();
        State = PoolDecider.Evolve(State, @event);
        switch (@event)
        {
            case LicenseGranted e:
                Dequeue(e.Holder.Key);
                granted[e.Holder.Key] = e.Holder;
                changedSinceRestore?.Add(e.Holder.Key);
                break;
            case LicenseReclaimed e:
                granted.Remove(e.Holder.Key);
                changedSinceRestore?.Add(e.Holder.Key);
                confirmed.Remove(e.Holder.Key);
                break;
            case AppleAssociationConfirmed e:
                confirmed.Add(e.Holder.Key);
                break;
            case AppleAssociationRequestedAgain e:
                confirmed.Remove(e.Holder.Key);
                break;
            case AppleAssociationFailed e:
                granted.Remove(e.Holder.Key);
                changedSinceRestore?.Add(e.Holder.Key);
                confirmed.Remove(e.Holder.Key);
                break;
            case AppleDisassociationRequested e:
                pendingReleases[e.Holder.Key] = pendingReleases.GetValueOrDefault(e.Holder.Key) + 1;
                break;
            case AppleDisassociationConfirmed e:
                EndRelease(e.Holder.Key);
                break;
            case AppleDisassociationFailed e:
                EndRelease(e.Holder.Key);
                break;
            case HolderQueued e:
                queue[e.Position] = e.Holder;
                queuedAt[e.Holder.Key] = e.Position;
                break;
            case HolderLeftQueue e:
                Dequeue(e.Holder.Key);
                break;
        }
    }

    /// <summary>Where <paramref name="holder"/> stands now.</summary>
    public HolderSeat SeatOf(Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        FillGranted();
        var seat = granted.ContainsKey(holder.Key)
            ? HolderSeat.Granted with { Apple = confirmed.Contains(holder.Key) ? AppleSeatState.Confirmed : AppleSeatState.Requested }
            : queuedAt.TryGetValue(holder.Key, out var position) ? HolderSeat.Queued(position)
            : HolderSeat.None;
        return seat with { PendingReleaseCount = pendingReleases.GetValueOrDefault(holder.Key) };
    }

    /// <summary>The lookup <see cref="PoolDecider.Decide"/> needs for <paramref name="command"/>, exactly as a storage layer should fill it.</summary>
    public PoolLookup LookupFor(IPoolCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        FillGranted();
        var seats = new Dictionary<string, HolderSeat>(StringComparer.Ordinal);
        foreach (var holder in PoolDecider.HoldersNamedIn(command))
        {
            var seat = SeatOf(holder);
            if (!seat.IsEmpty)
            {
                seats[holder.Key] = seat;
            }
        }

        var head = queue
            .Take(PoolDecider.QueueHeadNeeded(State, command))
            .Select(e => new QueuedHolder(e.Value, e.Key))
            .ToList();
        return new PoolLookup(seats, head);
    }

    /// <summary>
    /// A model restored from a checkpoint of positions: its counters, holders (sorted by key, ordinal, as
    /// <see cref="Holders"/> gives them) and queue as they were folded.
    /// </summary>
    internal static PoolBook Restore(PoolState state, IReadOnlyList<Holder> holders, IEnumerable<QueuedHolder> queued)
    {
        var book = new PoolBook(state.Pool) { State = state };
        book.restoredHolders = holders;
        book.changedSinceRestore = new HashSet<string>(StringComparer.Ordinal);
        book.grantedPending = true;

        foreach (var q in queued)
        {
            book.queue[q.Position] = q.Holder;
            book.queuedAt[q.Holder.Key] = q.Position;
        }

        return book;
    }

    private void FillGranted()
    {
        if (!grantedPending)
        {
            return;
        }

        granted.EnsureCapacity(restoredHolders!.Count);
        foreach (var h in restoredHolders)
        {
            granted[h.Key] = h;
        }

        grantedPending = false;
    }

    // The restored holders without the changed keys, and the changed keys still granted, merged by key.
    private List<Holder> MergeChanges(IReadOnlyList<Holder> restored, HashSet<string> changed)
    {
        var came = changed.Where(granted.ContainsKey).Order(StringComparer.Ordinal).Select(k => granted[k]).ToList();
        var merged = new List<Holder>(granted.Count);
        var j = 0;
        foreach (var h in restored)
        {
            if (changed.Contains(h.Key))
            {
                continue;
            }

            while (j < came.Count && string.CompareOrdinal(came[j].Key, h.Key) < 0)
            {
                merged.Add(came[j++]);
            }

            merged.Add(h);
        }

        merged.AddRange(came.Skip(j));
        return merged;
    }

    private void EndRelease(string key)
    {
        if (pendingReleases.GetValueOrDefault(key) <= 1)
        {
            pendingReleases.Remove(key);
        }
        else
        {
            pendingReleases[key]--;
        }
    }

    private void Dequeue(string key)
    {
        if (queuedAt.Remove(key, out var position))
        {
            queue.Remove(position);
        }
    }
}
