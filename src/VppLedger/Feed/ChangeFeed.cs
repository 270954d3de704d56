using NodaTime;

namespace VppLedger.Feed;

/// <summary>One event of the change feed: a committed, sealed ledger event of the tenant, at its place in the log.</summary>
/// <param name="Position">The event's global sequence number in the log: strictly increasing along the feed; the checkpoint a host commits.</param>
/// <param name="Stream">The stream id, for example <c>pool:tok-1:361309726</c>.</param>
/// <param name="Version">The event's version in its stream.</param>
/// <param name="EventName">The stable event name, for example <c>vpp.pool.license_granted.v1</c>.</param>
/// <param name="Event">The event.</param>
/// <param name="Actor">Who issued the command that wrote it.</param>
/// <param name="CorrelationId">The id of the command that wrote it.</param>
public sealed record FeedEvent(long Position, string Stream, long Version, string EventName, ILedgerEvent Event, string? Actor, string? CorrelationId)
{
    /// <summary>The business time of the event.</summary>
    public Instant OccurredAt => Event.OccurredAt;
}

/// <summary>Where a change feed delivers: a file, a webhook, the host's own queue.</summary>
public interface IChangeSink
{
    /// <summary>
    /// Delivers one batch, in log order. Return only once the batch is durably handed over: the feed commits its
    /// checkpoint after this returns, and delivers the batch again when it throws (at least once).
    /// </summary>
    /// <param name="tenant">The tenant the events belong to.</param>
    /// <param name="batch">One or more events, positions increasing.</param>
    /// <param name="cancellationToken">Stops the delivery.</param>
    Task DeliverAsync(TenantId tenant, IReadOnlyList<FeedEvent> batch, CancellationToken cancellationToken);
}

/// <summary>How <see cref="IChangeFeed.RunAsync"/> reads.</summary>
public sealed record ChangeFeedOptions
{
    /// <summary>Events per batch, 1 to 10,000. Default 500.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Keep waiting for new events once caught up (until cancelled). Default false: return once caught up.</summary>
    public bool Follow { get; init; }

    /// <summary>The pause between two reads that found nothing new, when following. Default one second.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// A durable subscription to one tenant's ledger events, in log order, at least once. Its checkpoint (the position
/// of the last event the host has handled) lives in the ledger's database under the subscription's name and only
/// moves forward, so a host that crashes resumes after the last committed position: nothing is lost, and what was
/// delivered after that position is delivered again. Only events the audit sealer has linked (the gap-free prefix of
/// the log, docs/audit.md) are handed out, so an event whose transaction commits late is never skipped.
/// Thread-safe; run one consumer per subscription.
/// </summary>
public interface IChangeFeed
{
    /// <summary>The subscription's name.</summary>
    string Subscription { get; }

    /// <summary>The committed checkpoint: the position of the last event handled, 0 before any.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<long> CheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>The tenant's events after <paramref name="after"/>, in log order, at most <paramref name="max"/>; empty when caught up.</summary>
    /// <param name="after">A position (a checkpoint); 0 for the beginning.</param>
    /// <param name="max">At most this many events, 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<IReadOnlyList<FeedEvent>> ReadAsync(long after, int max = 500, CancellationToken cancellationToken = default);

    /// <summary>Commits the checkpoint durably. A position at or below the committed one changes nothing: checkpoints never go back.</summary>
    /// <param name="position">The position of the last event handled.</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    /// <returns>The committed checkpoint afterwards.</returns>
    /// <exception cref="LedgerUnavailableException">The database is unavailable, or the tenant is being moved to another database (or its projections rebuilt): nothing was written; commit again later.</exception>
    Task<long> CommitAsync(long position, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads from the committed checkpoint, hands each batch to <paramref name="sink"/> and commits the batch's last
    /// position once the sink returns; until caught up, or until cancelled when following. An exception of the sink
    /// stops the run with the checkpoint before that batch.
    /// </summary>
    /// <param name="sink">Where the events go.</param>
    /// <param name="options">Batch size, follow, poll interval; defaults when null.</param>
    /// <param name="cancellationToken">Stops the run (between batches, or while waiting).</param>
    /// <returns>The committed checkpoint when the run ends.</returns>
    Task<long> RunAsync(IChangeSink sink, ChangeFeedOptions? options = null, CancellationToken cancellationToken = default);
}
