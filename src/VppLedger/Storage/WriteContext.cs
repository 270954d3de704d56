using Marten;
using JasperFx.Events;
using NodaTime;

namespace VppLedger.Storage;

/// <summary>One attempt of one command: its session, its time, and the streams it writes.</summary>
internal sealed class WriteContext(IDocumentSession session, Instant now, VppLedgerOptions options)
{
    private readonly Dictionary<string, object> _streams = new(StringComparer.Ordinal);

    public IDocumentSession Session { get; } = session;

    public Instant Now { get; } = now;

    public VppLedgerOptions Options { get; } = options;

    public LedgerPolicy Policy => Options.Policy;

    public List<LedgerChange> Changes { get; } = [];

    /// <summary>Loads a stream for writing once per command; its version is the optimistic lock.</summary>
    public async Task<WriteStream<TState>> FetchAsync<TState>(string streamId, TState initial, Func<TState, ILedgerEvent, TState> evolve, CancellationToken cancellationToken)
        where TState : class
    {
        if (_streams.TryGetValue(streamId, out var known))
        {
            return (WriteStream<TState>)known;
        }

        var stream = await Session.Events.FetchForWriting<TState>(streamId, cancellationToken).ConfigureAwait(false);
        var write = new WriteStream<TState>(this, stream, stream.Aggregate ?? initial, evolve);
        _streams[streamId] = write;
        return write;
    }

    internal void Record(string stream, long version, ILedgerEvent e) =>
        Changes.Add(new LedgerChange(stream, version, EventNames.NameOf(e.GetType()), e));
}

/// <summary>A stream being written by one command: the state so far (with this command's own events applied) and its version.</summary>
internal sealed class WriteStream<TState>(WriteContext context, IEventStream<TState> stream, TState state, Func<TState, ILedgerEvent, TState> evolve)
    where TState : class
{
    public string Id => stream.Key!;

    public TState State { get; private set; } = state;

    /// <summary>The version after this command's events so far (0 for a new stream).</summary>
    public long Version { get; private set; } = stream.CurrentVersion ?? 0;

    /// <summary>Appends events in order and evolves the state, so later decisions in the same command see them.</summary>
    public void Append<TEvent>(IReadOnlyList<TEvent> events)
        where TEvent : ILedgerEvent
    {
        foreach (var e in events)
        {
            stream.AppendOne(e);
            Version++;
            State = evolve(State, e);
            context.Record(Id, Version, e);
        }
    }
}
