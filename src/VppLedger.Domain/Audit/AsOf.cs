using NodaTime;
using VppLedger.Pools;
using VppLedger.Reading;
using VppLedger.Tokens;

namespace VppLedger.Audit;

// As-of folds (rule I5). Each takes the events of its streams in log order, one at a time, skips those that
// occurred after the instant (business time, not append time: imported history keeps its own times), and folds
// the rest with the deciders' own pure Evolve functions. They hold the answer, never the log.

/// <summary>Folds one pool's events into its position at an instant. Not thread-safe: one per query.</summary>
/// <param name="pool">The pool.</param>
/// <param name="asOf">The business instant.</param>
internal sealed class PoolAsOfFold(PoolId pool, Instant asOf)
{
    private PoolBook _book = new(pool);
    private long _count;
    private long _folded;
    private ChainHead? _checkpoint;

    /// <summary>Starts from a checkpoint of the pool's book instead of its first event (its events all occurred at or before the instant).</summary>
    internal void StartFrom(PoolBook book, long eventCount, ChainHead checkpoint)
    {
        _book = book;
        _count = eventCount;
        _checkpoint = checkpoint;
    }

    /// <summary>Folds one event when it occurred at or before the instant; returns whether it did.</summary>
    /// <param name="event">The next event of the pool stream, in log order.</param>
    public bool Apply(IPoolEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event.OccurredAt > asOf)
        {
            return false;
        }

        _book.Apply(@event);
        _count++;
        _folded++;
        return true;
    }

    /// <summary>The position; null when no event had occurred by then.</summary>
    public PoolPosition? Result() =>
        _count == 0 ? null : new PoolPosition(asOf, PoolSummary.From(_book.State), _book.Holders, _book.Queue, _count)
        {
            Checkpoint = _checkpoint,
            FoldedEventCount = _folded,
        };
}

/// <summary>Folds one token's events into its position at an instant. Not thread-safe: one per query.</summary>
/// <param name="asOf">The business instant.</param>
/// <param name="policy">The policy that sets the "expiring soon" window (T2).</param>
internal sealed class TokenAsOfFold(Instant asOf, LedgerPolicy policy)
{
    private TokenState _state = TokenState.Initial;
    private long _count;

    /// <summary>Folds one event when it occurred at or before the instant; returns whether it did.</summary>
    /// <param name="event">The next event of the token stream, in log order.</param>
    public bool Apply(ITokenEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event.OccurredAt > asOf)
        {
            return false;
        }

        _state = TokenDecider.Evolve(_state, @event);
        _count++;
        return true;
    }

    /// <summary>The position, with the status the token had at the instant; null when not uploaded by then.</summary>
    public TokenPosition? Result() =>
        _state.Id is null ? null : new TokenPosition(asOf, TokenSummary.From(_state, asOf, policy), _count);
}

/// <summary>Folds a tenant's pool and token events into every pool's counters and every token at an instant.</summary>
/// <param name="asOf">The business instant.</param>
/// <param name="policy">The policy that sets the "expiring soon" window (T2).</param>
internal sealed class TenantAsOfFold(Instant asOf, LedgerPolicy policy)
{
    private readonly Dictionary<PoolId, PoolState> _pools = [];
    private readonly Dictionary<string, TokenState> _tokens = new(StringComparer.Ordinal);
    private long _count;
    private long _folded;
    private ChainHead? _checkpoint;

    /// <summary>Starts from a checkpoint's state instead of the beginning of the log (its events all occurred at or before the instant).</summary>
    internal void StartFrom(CheckpointState checkpoint)
    {
        foreach (var p in checkpoint.Positions)
        {
            if (p.Pool is { } pool)
            {
                _pools[pool.Pool] = pool;
            }
            else if (p.Token is { } token)
            {
                _tokens[p.Stream] = token;
            }
        }

        _count = checkpoint.EventCount;
        _checkpoint = new ChainHead(checkpoint.ChainPosition, checkpoint.Seq, Convert.ToHexStringLower(checkpoint.Hash));
    }

    /// <summary>Folds one event of stream <paramref name="stream"/> when it is a pool or token event that occurred at or before the instant.</summary>
    /// <param name="stream">The stream id.</param>
    /// <param name="event">The next event of the tenant's log, in log order.</param>
    public bool Apply(string stream, ILedgerEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event.OccurredAt > asOf)
        {
            return false;
        }

        switch (@event)
        {
            case IPoolEvent p:
                _pools[p.Pool] = PoolDecider.Evolve(_pools.TryGetValue(p.Pool, out var pool) ? pool : PoolState.Initial(p.Pool), p);
                break;
            case ITokenEvent t:
                _tokens[stream] = TokenDecider.Evolve(_tokens.TryGetValue(stream, out var token) ? token : TokenState.Initial, t);
                break;
            default:
                return false;
        }

        _count++;
        _folded++;
        return true;
    }

    /// <summary>The tenant's position.</summary>
    public TenantPosition Result() => new(
        asOf,
        [.. _pools.Values.OrderBy(p => p.Pool.Token.Value, StringComparer.Ordinal).ThenBy(p => p.Pool.AdamId.Value, StringComparer.Ordinal).Select(PoolSummary.From)],
        [.. _tokens.Values.Where(t => t.Id is not null).OrderBy(t => t.Id!.Value.Value, StringComparer.Ordinal).Select(t => TokenSummary.From(t, asOf, policy))],
        _count)
    {
        Checkpoint = _checkpoint,
        FoldedEventCount = _folded,
    };
}

/// <summary>Folds one holder's audit rows (all pools) into its seats at an instant. Not thread-safe: one per query.</summary>
/// <param name="holder">The holder.</param>
/// <param name="asOf">The business instant.</param>
internal sealed class HolderAsOfFold(Holder holder, Instant asOf)
{
    private readonly Dictionary<PoolId, HolderSeatAsOf> _seats = [];

    /// <summary>Folds one audit row of the holder, in log order; rows after the instant or without a pool are skipped.</summary>
    /// <param name="entry">The row.</param>
    public bool Apply(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.OccurredAt > asOf || entry.Token is null || entry.AdamId is null)
        {
            return false;
        }

        var pool = PoolId.FromAppKey(entry.Token, entry.AdamId);
        switch (entry.Action)
        {
            case "license_granted":
                _seats[pool] = new HolderSeatAsOf(pool, SeatStatus.Granted, 0, entry.OccurredAt);
                break;
            case "holder_queued":
                _seats[pool] = new HolderSeatAsOf(pool, SeatStatus.Queued, entry.QueuePosition ?? 0, entry.OccurredAt);
                break;
            case "license_reclaimed" or "holder_left_queue" or "apple_association_failed":
                _seats.Remove(pool);
                break;
            default:
                return false;
        }

        return true;
    }

    /// <summary>The holder's seats, ordered by pool.</summary>
    public HolderPosition Result() => new(
        asOf,
        holder,
        [.. _seats.Values.OrderBy(s => s.Pool.Token.Value, StringComparer.Ordinal).ThenBy(s => s.Pool.AdamId.Value, StringComparer.Ordinal)]);
}
