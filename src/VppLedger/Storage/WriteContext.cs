using JasperFx.Events;
using Marten;
using NodaTime;

namespace VppLedger.Storage;

/// <summary>
/// One attempt of one command: its session, its time, the streams it writes and what it decided so far, and every
/// fact it read with the version that must still hold when it commits. Handlers read other streams' documents only
/// through the <c>Read...</c> helpers below (users, devices, members, the assignments of a group or pool, the devices
/// of users, the seats of an owner, the pools of a token); <see cref="QueueReadChecks"/> then has the commit check
/// them (<see cref="ReadGuards"/>), so two commands that read each other's facts conflict and one is decided again.
/// </summary>
internal sealed partial class WriteContext(IDocumentSession session, Instant now, VppLedgerOptions options, ILedgerCommand command, string? startCursor = null)
{
    /// <summary>
    /// For a command written in several transactions (a large operation): where the previous page stopped, in the
    /// handler's own format (<see cref="PageCursor"/>); null for the first page.
    /// </summary>
    public string? StartCursor { get; } = startCursor;

    /// <summary>Set by a handler that stopped at a page boundary: the next page starts there. Null: nothing left.</summary>
    public string? ResumeCursor { get; set; }

    /// <summary>Holders or members one page of a large operation covers (<see cref="VppLedgerOptions.LargeOperationPageSize"/>); unbounded in a preview.</summary>
    public int PageSize => IsPreview ? int.MaxValue : Options.LargeOperationPageSize;

    /// <summary>
    /// True for a preview (<see cref="CommandRunner.PreviewAsync"/>): the command is decided in one session that is never
    /// saved, so a fan-out never stops at a transaction boundary.
    /// </summary>
    public bool IsPreview { get; init; }

    /// <summary>The states of the pools this command fetched, with its own events applied.</summary>
    public IEnumerable<Pools.PoolState> PoolStates => _streams.Values.OfType<WriteStream<Pools.PoolState>>().Select(s => s.State);

    private readonly Dictionary<string, object> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<PoolId, PoolWorkspace> _pools = [];
    private readonly Dictionary<string, object> _prefetchedStreams = new(StringComparer.Ordinal);
    private readonly Dictionary<(Type Type, string Id), object?> _prefetchedDocs = [];

    public IDocumentSession Session { get; } = session;

    public Instant Now { get; } = now;

    public VppLedgerOptions Options { get; } = options;

    public LedgerPolicy Policy => Options.Policy;

    public ILedgerCommand Command { get; } = command;

    public List<LedgerChange> Changes { get; } = [];

    public List<CommandWarning> Warnings { get; } = [];

    /// <summary>The Apple requests this command decided (the outbox), stored with its events by <see cref="QueueOutboxAsync"/>.</summary>
    public List<AppleRequestDoc> Outbox { get; } = [];

    /// <summary>Queues the outbox rows in one statement; call once, just before <c>SaveChangesAsync</c>.</summary>
    public Task QueueOutboxAsync(CancellationToken cancellationToken) =>
        DocumentUpserts.QueueAsync(Session, Session.TenantId, Outbox, d => d.Id, cancellationToken);

    /// <summary>Loads a stream for writing once per command; its version is the optimistic lock.</summary>
    public async Task<WriteStream<TState>> FetchAsync<TDoc, TState>(
        string streamId,
        Func<TDoc, TState> read,
        TState initial,
        Func<TState, ILedgerEvent, TState> evolve,
        CancellationToken cancellationToken)
        where TDoc : class
        where TState : class
    {
        if (_streams.TryGetValue(streamId, out var known))
        {
            return (WriteStream<TState>)known;
        }

        var stream = _prefetchedStreams.Remove(streamId, out var prefetched)
            ? (JasperFx.Events.IEventStream<TDoc>)prefetched
            : await Session.Events.FetchForWriting<TDoc>(streamId, cancellationToken).ConfigureAwait(false);
        var state = stream.Aggregate is { } doc ? read(doc) : initial;
        var write = new WriteStream<TState>(this, streamId, state, stream.CurrentVersion ?? 0, stream.AppendOne, evolve);
        Covered(streamId, write.ReadVersion);
        _streams[streamId] = write;
        return write;
    }

    /// <summary>The pool with the seats this command has read or changed; one per pool per command.</summary>
    public async Task<PoolWorkspace> PoolAsync(PoolId pool, CancellationToken cancellationToken)
    {
        if (!_pools.TryGetValue(pool, out var workspace))
        {
            var stream = await FetchAsync<PoolDoc, Pools.PoolState>(
                Streams.Pool(pool),
                d => d.State,
                Pools.PoolState.Initial(pool),
                (s, e) => Pools.PoolDecider.Evolve(s, (Pools.IPoolEvent)e),
                cancellationToken).ConfigureAwait(false);
            var token = await TokenAsync(pool.Token, cancellationToken).ConfigureAwait(false);
            workspace = new PoolWorkspace(this, stream, token);
            _pools[pool] = workspace;
        }

        return workspace;
    }

    /// <summary>The token stream of a pool: the pools read whether it lets licenses be granted (every pool decision).</summary>
    public Task<WriteStream<Tokens.TokenState>> TokenAsync(TokenId token, CancellationToken cancellationToken) =>
        FetchAsync<TokenDoc, Tokens.TokenState>(
            Streams.Token(token),
            d => d.State,
            Tokens.TokenState.Initial,
            (s, e) => Tokens.TokenDecider.Evolve(s, (Tokens.ITokenEvent)e),
            cancellationToken);

    /// <summary>
    /// Reads the idempotency record of <paramref name="recordId"/> and, in the same round trip, what
    /// <paramref name="plan"/> says the command will read first (kept until the handler asks for it).
    /// </summary>
    public async Task<CommandRecord?> LoadRecordAsync(string recordId, ReadPlan? plan, CancellationToken cancellationToken)
    {
        if (plan is null)
        {
            return await Session.LoadAsync<CommandRecord>(recordId, cancellationToken).ConfigureAwait(false);
        }

        var batch = Session.CreateBatchQuery();
        var record = batch.Load<CommandRecord>(recordId);
        var keep = plan.Queue(batch, this);
        await batch.Execute(cancellationToken).ConfigureAwait(false);
        await keep().ConfigureAwait(false);
        return await record.ConfigureAwait(false);
    }

    /// <summary>A stream fetched for writing ahead of the handler (<see cref="ReadPlan"/>); <see cref="FetchAsync{TDoc, TState}"/> takes it.</summary>
    internal void Prefetched(string streamId, object eventStream) => _prefetchedStreams[streamId] = eventStream;

    /// <summary>Documents read ahead of the handler by id (<see cref="ReadPlan"/>): every id asked, found or not.</summary>
    internal void Prefetched<TDoc>(IEnumerable<string> ids, IEnumerable<TDoc> found, Func<TDoc, string> idOf)
        where TDoc : class
    {
        foreach (var id in ids)
        {
            _prefetchedDocs[(typeof(TDoc), id)] = null;
        }

        foreach (var doc in found)
        {
            _prefetchedDocs[(typeof(TDoc), idOf(doc))] = doc;
        }
    }

    /// <summary>Documents by id: those read ahead (<see cref="ReadPlan"/>) once, the others from the database.</summary>
    public async Task<IReadOnlyList<TDoc>> LoadManyAsync<TDoc>(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
        where TDoc : class
    {
        var found = new List<TDoc>();
        var missing = new List<string>();
        foreach (var id in ids)
        {
            if (_prefetchedDocs.Remove((typeof(TDoc), id), out var doc))
            {
                if (doc is not null)
                {
                    found.Add((TDoc)doc);
                }
            }
            else
            {
                missing.Add(id);
            }
        }

        if (missing.Count > 0)
        {
            found.AddRange(await Session.LoadByKeysAsync<TDoc>(missing, cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    internal void Record(string stream, long version, ILedgerEvent e) =>
        Changes.Add(new LedgerChange(stream, version, EventNames.NameOf(e.GetType()), e));
}

/// <summary>What the read checks need of a stream this command fetched for writing.</summary>
internal interface IWriteStream
{
    /// <summary>The version the command read.</summary>
    long ReadVersion { get; }

    /// <summary>Whether the command appended to it (then Marten checks <see cref="ReadVersion"/> itself).</summary>
    bool Appended { get; }

    /// <summary>The state as read, before this command's events.</summary>
    object ReadState { get; }

    /// <summary>The state with this command's events.</summary>
    object CurrentState { get; }
}

/// <summary>A stream being written by one command: the state so far (with this command's own events applied) and its version.</summary>
internal sealed class WriteStream<TState>(
    WriteContext context,
    string id,
    TState state,
    long version,
    Action<object> append,
    Func<TState, ILedgerEvent, TState> evolve)
    : IWriteStream
    where TState : class
{
    public string Id { get; } = id;

    public TState State { get; private set; } = state;

    /// <summary>The version after this command's events so far (0 for a new stream).</summary>
    public long Version { get; private set; } = version;

    /// <inheritdoc/>
    public long ReadVersion { get; } = version;

    /// <inheritdoc/>
    public bool Appended => Version != ReadVersion;

    /// <inheritdoc/>
    public object ReadState { get; } = state;

    /// <inheritdoc/>
    public object CurrentState => State;

    /// <summary>Appends an accepted decision's events; returns the rejection of a refused one (nothing appended).</summary>
    public Rejection? AppendDecided<TEvent>(Decision<TEvent> decision)
        where TEvent : ILedgerEvent
    {
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        Append(decision.Events);
        return null;
    }

    /// <summary>Appends events in order and evolves the state, so later decisions in the same command see them.</summary>
    public void Append<TEvent>(IReadOnlyList<TEvent> events)
        where TEvent : ILedgerEvent
    {
        foreach (var e in events)
        {
            append(e);
            Version++;
            State = evolve(State, e);
            context.Record(Id, Version, e);
        }
    }
}
