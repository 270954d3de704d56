using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Pools;

namespace VppLedger.Storage;

// The reads of a command that the commit checks (ReadGuards). Each helper records what it covers BEFORE it reads the
// documents: a document can then only be newer than the version recorded, and a newer one fails the check (a
// conflict decided again), never passes it.
internal sealed partial class WriteContext
{
    private readonly Dictionary<string, long> _versionsRead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _stampsRead = new(StringComparer.Ordinal);
    private readonly List<(string[] OwnerStreams, string[] Owners, LicenseType? Type, string[] Known)> _ownerSeats = [];

    internal string Schema => Options.SchemaName;

    /// <summary>Users by stream id (<see cref="Streams.User"/>), each covered by its stream's version.</summary>
    public Task<IReadOnlyList<UserDoc>> ReadUsersAsync(IReadOnlyCollection<string> streamIds, CancellationToken cancellationToken) =>
        ReadStreamDocsAsync<UserDoc>(streamIds, cancellationToken);

    /// <summary>Devices by stream id (<see cref="Streams.Device"/>), each covered by its stream's version.</summary>
    public Task<IReadOnlyList<DeviceDoc>> ReadDevicesAsync(IReadOnlyCollection<string> streamIds, CancellationToken cancellationToken) =>
        ReadStreamDocsAsync<DeviceDoc>(streamIds, cancellationToken);

    /// <summary>Member rows of one group by id (<see cref="Streams.Member"/>), covered by the group stream's version.</summary>
    public async Task<IReadOnlyList<MemberDoc>> ReadMembersAsync(GroupId group, IReadOnlyCollection<string> memberIds, CancellationToken cancellationToken)
    {
        await CoverStreamsAsync([Streams.Group(group)], cancellationToken).ConfigureAwait(false);
        return memberIds.Count == 0 ? [] : await Session.LoadByKeysAsync<MemberDoc>(memberIds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A page of a group's member rows in targeting order after a position, covered by the group stream's version.</summary>
    public async Task<IReadOnlyList<MemberDoc>> ReadMemberPageAsync(GroupId group, long after, int take, CancellationToken cancellationToken)
    {
        var groupKey = Streams.Group(group);
        await CoverStreamsAsync([groupKey], cancellationToken).ConfigureAwait(false);
        return await Session.Query<MemberDoc>()
            .Where(m => m.GroupKey == groupKey && m.Position > after)
            .OrderBy(m => m.Position)
            .Take(take)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The active assignments of a group, covered by the stamp every assignment command of the group bumps.</summary>
    public async Task<IReadOnlyList<AssignmentDoc>> ReadAssignmentsOfGroupAsync(GroupId group, CancellationToken cancellationToken)
    {
        await CoverStampsAsync([AssignmentsOf(Streams.Group(group))], cancellationToken).ConfigureAwait(false);
        var key = group.Value;
        return await Session.Query<AssignmentDoc>().Where(a => a.GroupKey == key && a.State.Active).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The active assignments of a pool, covered by the stamp every assignment command of the pool bumps.</summary>
    public async Task<IReadOnlyList<AssignmentDoc>> ReadAssignmentsOfPoolAsync(PoolId pool, CancellationToken cancellationToken)
    {
        var poolKey = Streams.Pool(pool);
        await CoverStampsAsync([AssignmentsOf(poolKey)], cancellationToken).ConfigureAwait(false);
        return await Session.Query<AssignmentDoc>().Where(a => a.PoolKey == poolKey && a.State.Active).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The active assignments of a token's apps, covered by the stamp every assignment command of the token bumps.</summary>
    public async Task<IReadOnlyList<AssignmentDoc>> ReadAssignmentsOfTokenAsync(TokenId token, CancellationToken cancellationToken)
    {
        await CoverStampsAsync([AssignmentsOf(Streams.Token(token))], cancellationToken).ConfigureAwait(false);
        var tokenKey = token.Value;
        return await Session.Query<AssignmentDoc>().Where(a => a.TokenKey == tokenKey && a.State.Active).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The devices that belong to any of these users (host user ids), covered by a stamp per user that every change of such a device bumps.</summary>
    public async Task<IReadOnlyList<DeviceDoc>> ReadDevicesOfUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return [];
        }

        await CoverStampsAsync([.. userIds.Select(u => DevicesOf(Streams.User(new UserId(u))))], cancellationToken).ConfigureAwait(false);
        var owners = userIds.ToList();
        return await Session.Query<DeviceDoc>().Where(d => d.UserKey != null && owners.Contains(d.UserKey)).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The seats (granted or queued, in every pool) of some owners (user or device: its stream and its host id), of
    /// one license type or of any. The commit locks the owners' streams and fails if a seat appeared meanwhile; the
    /// seats read are covered by the pools the command then appends to.
    /// </summary>
    public async Task<IReadOnlyList<SeatDoc>> ReadSeatsOfOwnersAsync(IReadOnlyList<(string Stream, string Id)> owners, LicenseType? type, CancellationToken cancellationToken)
    {
        var ids = owners.Select(o => o.Id).Distinct(StringComparer.Ordinal).ToList();
        var query = Session.Query<SeatDoc>().Where(s => ids.Contains(s.OwnerId));
        var seats = await (type is { } only ? query.Where(s => s.Type == only) : query).ToListAsync(cancellationToken).ConfigureAwait(false);
        _ownerSeats.Add(([.. owners.Select(o => o.Stream)], [.. ids], type, [.. seats.Select(s => s.Id)]));
        return seats;
    }

    /// <summary>The pools of a token, covered by the stamp that the first event of a new pool of the token bumps.</summary>
    public async Task<IReadOnlyList<PoolDoc>> ReadPoolsOfTokenAsync(TokenId token, CancellationToken cancellationToken)
    {
        await CoverStampsAsync([PoolsOf(Streams.Token(token))], cancellationToken).ConfigureAwait(false);
        var tokenKey = token.Value;
        return await Session.Query<PoolDoc>().Where(p => p.TokenKey == tokenKey).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The committed version of a stream now (0 when it does not exist).</summary>
    public async Task<long> CommittedVersionAsync(string streamId, CancellationToken cancellationToken) =>
        (await VersionsAsync([streamId], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(streamId);

    /// <summary>
    /// Has the commit check every fact read: one statement asserting the versions of the streams read and not
    /// appended to, the stamps of the sets read, and bumping the stamps of the sets this command changed; and one per
    /// owner whose seats were read. Call once, just before <c>SaveChangesAsync</c>. A command that appends no event
    /// checks nothing.
    /// </summary>
    public void QueueReadChecks()
    {
        if (Changes.Count == 0)
        {
            // Nothing written: the outcome can be placed at the moment of its reads, whatever committed since.
            return;
        }

        var streams = _versionsRead.Where(r => !(_streams.TryGetValue(r.Key, out var s) && ((IWriteStream)s).Appended)).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        var bumps = StampsChanged().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(); // one upsert may not touch a row twice (21000)
        var stamps = _stampsRead.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        if (streams.Count > 0 || stamps.Count > 0 || bumps.Length > 0)
        {
            Session.QueueSqlCommand(
                ReadGuards.CheckReadsStatement(Schema),
                Session.TenantId,
                streams.Select(r => r.Key).ToArray(),
                streams.Select(r => r.Value).ToArray(),
                stamps.Select(r => r.Key).ToArray(),
                stamps.Select(r => r.Value).ToArray(),
                bumps);
        }

        foreach (var (ownerStreams, owners, type, known) in _ownerSeats)
        {
            Session.QueueSqlCommand(ReadGuards.NoNewSeatsStatement(Schema), Session.TenantId, ownerStreams, owners, type?.ToString() ?? string.Empty, known);
        }
    }

    private static string AssignmentsOf(string key) => "assignments-of|" + key;

    private static string DevicesOf(string userStream) => "devices-of|" + userStream;

    private static string PoolsOf(string tokenStream) => "pools-of|" + tokenStream;

    // The sets this command's appends change: a new or changed assignment changes the assignments of its group and its
    // pool; a device changes the devices of the user it belonged to and belongs to; a pool's first event adds a pool to its token.
    private IEnumerable<string> StampsChanged()
    {
        foreach (var stream in _streams.Values.Cast<IWriteStream>().Where(s => s.Appended))
        {
            switch (stream.CurrentState)
            {
                case AssignmentState a:
                    yield return AssignmentsOf(Streams.Group(a.Group));
                    yield return AssignmentsOf(Streams.Pool(a.Pool));
                    yield return AssignmentsOf(Streams.Token(a.Pool.Token));
                    break;
                case DeviceState d:
                    var before = ((DeviceState)stream.ReadState).User;
                    if (before is { } was)
                    {
                        yield return DevicesOf(Streams.User(was));
                    }

                    if (d.User is { } now && now != before)
                    {
                        yield return DevicesOf(Streams.User(now));
                    }

                    break;
                case PoolState p when stream.ReadVersion == 0:
                    yield return PoolsOf(Streams.Token(p.Pool.Token));
                    break;
            }
        }
    }

    /// <summary>Records the version a stream was read at; a second read at another version means a commit came in between.</summary>
    private void Covered(string streamId, long version)
    {
        if (_versionsRead.TryGetValue(streamId, out var earlier))
        {
            if (earlier != version)
            {
                throw new StaleReadException($"{streamId} was read at version {earlier} and again at {version} in one decision.");
            }

            return;
        }

        _versionsRead[streamId] = version;
    }

    private async Task<IReadOnlyList<TDoc>> ReadStreamDocsAsync<TDoc>(IReadOnlyCollection<string> streamIds, CancellationToken cancellationToken)
        where TDoc : class
    {
        if (streamIds.Count == 0)
        {
            return [];
        }

        // A document read ahead (ReadPlan) serves only if its stream's version was read ahead before it; the others are
        // read after their versions, here.
        var unread = streamIds.Where(s => !_versionsRead.ContainsKey(s)).ToList();
        foreach (var id in unread)
        {
            _prefetchedDocs.Remove((typeof(TDoc), id));
        }

        await CoverStreamsAsync(streamIds, cancellationToken).ConfigureAwait(false);
        return await LoadManyAsync<TDoc>(streamIds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A stream's version read ahead of the handler (<see cref="ReadPlan"/>), before its document.</summary>
    internal void PrefetchedVersion(string streamId, long version) => Covered(streamId, version);

    private async Task CoverStreamsAsync(IReadOnlyCollection<string> streamIds, CancellationToken cancellationToken)
    {
        var unread = streamIds.Where(s => !_versionsRead.ContainsKey(s)).Distinct(StringComparer.Ordinal).ToArray();
        if (unread.Length == 0)
        {
            return;
        }

        var versions = await VersionsAsync(unread, cancellationToken).ConfigureAwait(false);
        foreach (var stream in unread)
        {
            Covered(stream, versions.GetValueOrDefault(stream));
        }
    }

    private async Task<Dictionary<string, long>> VersionsAsync(string[] streamIds, CancellationToken cancellationToken)
    {
        var rows = await Session.QueryAsync<string>(KeyedLookups.VersionsSql(Schema), cancellationToken, streamIds, Session.TenantId).ConfigureAwait(false);
        return KeyedLookups.ParseKeyedValues(rows);
    }

    private async Task CoverStampsAsync(string[] keys, CancellationToken cancellationToken)
    {
        var unread = keys.Where(k => !_stampsRead.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToArray();
        if (unread.Length == 0)
        {
            return;
        }

        var rows = await Session.QueryAsync<string>(KeyedLookups.StampsSql(Schema), cancellationToken, unread, Session.TenantId).ConfigureAwait(false);
        var stamps = KeyedLookups.ParseKeyedValues(rows);
        foreach (var key in unread)
        {
            _stampsRead[key] = stamps.GetValueOrDefault(key);
        }
    }
}
