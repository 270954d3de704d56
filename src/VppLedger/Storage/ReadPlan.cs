using Marten.Services.BatchQuerying;
using VppLedger.Assignments;
using VppLedger.Pools;

namespace VppLedger.Storage;

/// <summary>
/// What a command will certainly read first, known from the command alone: fetched in the same round trip as its
/// idempotency record (issue 11), instead of one round trip each. Only a prefetch: every stream still goes through
/// <see cref="WriteContext.FetchAsync{TDoc, TState}"/> and is covered (ReadGuards) exactly as if read there, and a
/// stream the handler does not ask for is neither used nor checked. The batch reads each stream's version before its
/// document, as <c>FetchForWriting</c> does, so a commit between the two can only leave the version older than the
/// document (a conflict at commit, decided again), never newer.
/// </summary>
internal sealed class ReadPlan
{
    private readonly List<Func<IBatchedQuery, WriteContext, Func<Task>>> _reads = [];

    /// <summary>
    /// The storage the plan's own SQL reads (<see cref="KeyedLookups"/>): a raw query does not create a missing table as
    /// Marten's loads do, so the caller makes sure these exist first (a ledger whose schema was never applied).
    /// </summary>
    public HashSet<Type> Storage { get; } = [];

    /// <summary>The plan of a command's first transaction, or null when it reads nothing known in advance.</summary>
    public static ReadPlan? For(ILedgerCommand command) => command switch
    {
        GrantLicenses c => new ReadPlan().Pool(c.Pool).Seats(c.Pool, c.Holders).HolderDocs(c.Holders),
        ApplyAppleCounts => null, // may start a page of a large operation: read as it goes
        IPoolCommand c => new ReadPlan().Pool(c.Pool).Seats(c.Pool, PoolDecider.HoldersNamedIn(c)),
        IAssignmentCommand c => new ReadPlan().Stream<AssignmentDoc>(Streams.Assignment(c.Pool, c.Group)).Pool(c.Pool).Stream<GroupDoc>(Streams.Group(c.Group)),
        _ => null,
    };

    /// <summary>Queues the reads on <paramref name="batch"/>; the returned action hands what was read to the context.</summary>
    public Func<Task> Queue(IBatchedQuery batch, WriteContext context)
    {
        var keep = _reads.Select(r => r(batch, context)).ToList();
        return async () =>
        {
            foreach (var k in keep)
            {
                await k().ConfigureAwait(false);
            }
        };
    }

    /// <summary>A pool and its token: every pool decision reads both.</summary>
    private ReadPlan Pool(PoolId pool) => Stream<TokenDoc>(Streams.Token(pool.Token)).Stream<PoolDoc>(Streams.Pool(pool));

    private ReadPlan Stream<TDoc>(string streamId)
        where TDoc : class
    {
        _reads.Add((batch, context) =>
        {
            var fetched = batch.Events.FetchForWriting<TDoc>(streamId);
            return async () => context.Prefetched(streamId, await fetched.ConfigureAwait(false));
        });
        return this;
    }

    /// <summary>The seats of the holders a pool decision names (after the pool's version and state).</summary>
    private ReadPlan Seats(PoolId pool, IEnumerable<Holder> holders) =>
        Docs<SeatDoc>([.. holders.Select(h => Streams.Seat(pool, h.Key)).Distinct(StringComparer.Ordinal)], d => d.Id);

    /// <summary>
    /// The holders' user and device documents (a direct grant's holder rules, R4 and R5), each after its stream's
    /// version: the grant's commit checks those versions, so a leave or a removal committed meanwhile decides it again.
    /// </summary>
    private ReadPlan HolderDocs(IReadOnlyList<Holder> holders)
    {
        string[] users = [.. holders.Where(h => h.Type == LicenseType.User).Select(h => Streams.User(h.User!.Value)).Distinct(StringComparer.Ordinal)];
        string[] devices = [.. holders.Where(h => h.Type == LicenseType.Device).Select(h => Streams.Device(h.Device!.Value)).Distinct(StringComparer.Ordinal)];
        return Versions([.. users, .. devices]).Docs<UserDoc>(users, d => d.Id).Docs<DeviceDoc>(devices, d => d.Id);
    }

    // One statement for every holder's version (a bulk grant names up to 1,000 holders: one FetchStreamState each was
    // a thousand statements in the batch, most of a large grant's reading).
    private ReadPlan Versions(string[] streamIds)
    {
        if (streamIds.Length > 0)
        {
            Storage.Add(typeof(JasperFx.Events.IEvent));
            _reads.Add((batch, context) =>
            {
                var rows = batch.Query<string>(KeyedLookups.VersionsSql(context.Schema), streamIds, context.Session.TenantId);
                return async () =>
                {
                    var versions = KeyedLookups.ParseKeyedValues(await rows.ConfigureAwait(false));
                    foreach (var id in streamIds)
                    {
                        context.PrefetchedVersion(id, versions.GetValueOrDefault(id));
                    }
                };
            });
        }

        return this;
    }

    private ReadPlan Docs<TDoc>(string[] ids, Func<TDoc, string> idOf)
        where TDoc : class
    {
        if (ids.Length > 0)
        {
            Storage.Add(typeof(TDoc));
            _reads.Add((batch, context) =>
            {
                var found = batch.Query<TDoc>(KeyedLookups.DocumentsSql<TDoc>(context.Schema), ids, context.Session.TenantId);
                return async () => context.Prefetched(ids, await found.ConfigureAwait(false), idOf);
            });
        }

        return this;
    }
}
