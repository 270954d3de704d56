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

    /// <summary>Creates the model of a pool with no event yet.</summary>
    public PoolBook(PoolId pool) => State = PoolState.Initial(pool);

    /// <summary>The pool's counters, exactly as <see cref="PoolDecider.Evolve"/> folds them.</summary>
    public PoolState State { get; private set; }

    /// <summary>Every holder of a license, ordered by <see cref="Holder.Key"/> (ordinal).</summary>
    public IReadOnlyList<Holder> Holders => [.. granted.Values.OrderBy(h => h.Key, StringComparer.Ordinal)];

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
        State = PoolDecider.Evolve(State, @event);
        switch (@event)
        {
            case LicenseGranted e:
                Dequeue(e.Holder.Key);
                granted[e.Holder.Key] = e.Holder;
                break;
            case LicenseReclaimed e:
                granted.Remove(e.Holder.Key);
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

    /// <summary>A model restored from a checkpoint of positions: its counters, holders and queue as they were folded.</summary>
    internal static PoolBook Restore(PoolState state, IEnumerable<Holder> holders, IEnumerable<QueuedHolder> queued)
    {
        var book = new PoolBook(state.Pool) { State = state };
        foreach (var h in holders)
        {
            book.granted[h.Key] = h;
        }

        foreach (var q in queued)
        {
            book.queue[q.Position] = q.Holder;
            book.queuedAt[q.Holder.Key] = q.Position;
        }

        return book;
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
