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
    /// <summary>Where a granted seat stands at Apple; <see cref="AppleSeatState.Requested"/> otherwise.</summary>
    public AppleSeatState Apple { get; init; }

    /// <summary>
    /// Releases of seats Apple had confirmed that wait for Apple's disassociation (docs/apple.md), whatever the seat is
    /// now: a holder can be granted again while Apple still takes the old seat back.
    /// </summary>
    public int PendingReleaseCount { get; init; }

    /// <summary>True when the seat is granted and Apple confirmed it.</summary>
    internal bool ConfirmedByApple => Status == SeatStatus.Granted && Apple == AppleSeatState.Confirmed;

    /// <summary>True when the seat says nothing: no license, no queue place, no pending release.</summary>
    internal bool IsEmpty => Status == SeatStatus.None && PendingReleaseCount == 0;

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

    /// <summary>
    /// The most queue entries this decision promotes (a page of a large operation: the next page serves the rest, in
    /// the same order, rule A6). Unbounded by default; a bound, not a rule: the queue's head is served first whatever it is.
    /// </summary>
    public int MaxPromotions { get; init; } = int.MaxValue;

    /// <summary>The seat of <paramref name="holder"/>; <see cref="HolderSeat.None"/> when the lookup does not name it.</summary>
    public HolderSeat SeatOf(Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return Seats.TryGetValue(holder.Key, out var seat) ? seat : HolderSeat.None;
    }
}

/// <summary>How one event moves the seat of the holder it names: the one fold a storage layer and the models share.</summary>
internal static class HolderSeats
{
    /// <summary>The holder whose seat <paramref name="event"/> changes, or null for an event about the whole pool.</summary>
    public static Holder? HolderOf(IPoolEvent @event) => @event switch
    {
        LicenseGranted e => e.Holder,
        HolderQueued e => e.Holder,
        HolderLeftQueue e => e.Holder,
        LicenseReclaimed e => e.Holder,
        AppleAssociationConfirmed e => e.Holder,
        AppleAssociationFailed e => e.Holder,
        AppleDisassociationRequested e => e.Holder,
        AppleDisassociationConfirmed e => e.Holder,
        AppleDisassociationFailed e => e.Holder,
        AppleAssociationRequestedAgain e => e.Holder,
        AppleReleaseRequested e => e.Holder,
        _ => null,
    };

    /// <summary>The seat of <see cref="HolderOf"/> after <paramref name="event"/>; pending releases outlive the seat.</summary>
    public static HolderSeat After(HolderSeat seat, IPoolEvent @event) => @event switch
    {
        LicenseGranted => HolderSeat.Granted with { PendingReleaseCount = seat.PendingReleaseCount },
        HolderQueued e => HolderSeat.Queued(e.Position) with { PendingReleaseCount = seat.PendingReleaseCount },
        HolderLeftQueue or LicenseReclaimed or AppleAssociationFailed => HolderSeat.None with { PendingReleaseCount = seat.PendingReleaseCount },
        AppleAssociationConfirmed => seat with { Apple = AppleSeatState.Confirmed },
        AppleAssociationRequestedAgain => seat with { Apple = AppleSeatState.Requested },
        AppleDisassociationRequested => seat with { PendingReleaseCount = seat.PendingReleaseCount + 1 },
        AppleDisassociationConfirmed or AppleDisassociationFailed => seat with { PendingReleaseCount = Math.Max(0, seat.PendingReleaseCount - 1) },
        _ => seat,
    };
}
