namespace VppLedger.Pools;

/// <summary>Where one holder stands in a pool: nothing, a granted license, or a place in the queue.</summary>
public enum SeatStatus
{
    /// <summary>The holder neither holds a license nor waits.</summary>
    None = 0,

    /// <summary>The holder holds a license (its type is the holder's type).</summary>
    Granted = 1,

    /// <summary>The holder waits in the queue.</summary>
    Queued = 2,
}

/// <summary>The current seat of one holder in one pool.</summary>
/// <param name="Status">None, granted or queued.</param>
/// <param name="QueuePosition">The queue position when <see cref="SeatStatus.Queued"/>; otherwise 0.</param>
internal readonly record struct HolderSeat(SeatStatus Status, long QueuePosition)
{
    /// <summary>No license, not queued.</summary>
    public static HolderSeat None => default;

    /// <summary>Holds a license.</summary>
    public static HolderSeat Granted => new(SeatStatus.Granted, 0);

    /// <summary>Waits at this queue position.</summary>
    public static HolderSeat Queued(long position) => new(SeatStatus.Queued, position);
}

/// <summary>One entry of a pool's FIFO queue.</summary>
/// <param name="Holder">Who waits.</param>
/// <param name="Position">Queue position; lower is served first.</param>
public sealed record QueuedHolder(Holder Holder, long Position);

/// <summary>
/// What <see cref="PoolDecider.Decide"/> needs to know about holders, beyond the pool's counters: a small,
/// per-command slice of the holder set that the storage layer reads from indexed rows.
/// </summary>
/// <param name="Seats">
/// The current seat of every holder named by the command (<see cref="PoolDecider.HoldersNamedIn"/>), keyed by
/// <see cref="Holder.Key"/>. A missing key means <see cref="HolderSeat.None"/>. No other holder is needed.
/// </param>
/// <param name="QueueHead">
/// The first entries of the pool's queue, in ascending position, at least
/// <see cref="PoolDecider.QueueHeadNeeded"/> of them (more are ignored).
/// </param>
internal sealed record PoolLookup(IReadOnlyDictionary<string, HolderSeat> Seats, IReadOnlyList<QueuedHolder> QueueHead)
{
    /// <summary>A lookup that knows no holder and no queue: right for a pool with no holder at all.</summary>
    public static PoolLookup Empty { get; } = new(new Dictionary<string, HolderSeat>(), []);

    /// <summary>
    /// Null when the pool's token lets licenses be granted now; otherwise the rule id that holds grants back
    /// (<see cref="Tokens.TokenRules.GrantsHeldBy"/>: T2 expired, T3 another MDM, T10 deleted). While held, the decision
    /// queues new holders under that rule and promotes no one (rule T2); reclaims are still recorded.
    /// </summary>
    public string? GrantsHeldBy { get; init; }

    /// <summary>True when <see cref="GrantsHeldBy"/> is null: the token lets licenses be granted.</summary>
    public bool GrantsAllowed => GrantsHeldBy is null;

    /// <summary>The seat of <paramref name="holder"/>; <see cref="HolderSeat.None"/> when the lookup does not name it.</summary>
    public HolderSeat SeatOf(Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return Seats.TryGetValue(holder.Key, out var seat) ? seat : HolderSeat.None;
    }
}
