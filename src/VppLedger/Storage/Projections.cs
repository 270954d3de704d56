using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

// Marten's hook calls the deciders' pure Evolve: storage never decides or folds a rule itself.

internal sealed class TokenDocProjection : SingleStreamProjection<TokenDoc, string>
{
    // Only the streams with such an event: Marten then loads no TokenDoc for the other streams a command appends to.
    public TokenDocProjection() => IncludeType<ITokenEvent>();

    public override TokenDoc? Evolve(TokenDoc? snapshot, string id, IEvent e)
    {
        if (e.Data is not ITokenEvent t)
        {
            return snapshot;
        }

        var state = TokenDecider.Evolve(snapshot?.State ?? TokenState.Initial, t);
        return new TokenDoc(id, state, state.Location.Value, state.Deleted);
    }
}

internal sealed class PoolDocProjection : SingleStreamProjection<PoolDoc, string>
{
    // Only the streams with such an event: Marten then loads no PoolDoc for the other streams a command appends to.
    public PoolDocProjection() => IncludeType<IPoolEvent>();

    public override PoolDoc? Evolve(PoolDoc? snapshot, string id, IEvent e) =>
        e.Data is IPoolEvent p ? ToDoc(id, PoolDecider.Evolve(snapshot?.State ?? PoolState.Initial(p.Pool), p)) : snapshot;

    public static PoolDoc ToDoc(string id, PoolState state) =>
        new(id, state, state.Pool.Token.Value, state.Pool.AdamId.Value, state.QueuedCount > 0, state.OverAllocated);
}

internal sealed class AssignmentDocProjection : SingleStreamProjection<AssignmentDoc, string>
{
    // Only the streams with such an event: Marten then loads no AssignmentDoc for the other streams a command appends to.
    public AssignmentDocProjection() => IncludeType<IAssignmentEvent>();

    public override AssignmentDoc? Evolve(AssignmentDoc? snapshot, string id, IEvent e)
    {
        if (e.Data is not IAssignmentEvent a)
        {
            return snapshot;
        }

        var state = AssignmentDecider.Evolve(snapshot?.State ?? AssignmentState.Initial(a.Pool, a.Group), a);
        return new AssignmentDoc(id, state, Streams.Pool(a.Pool), a.Pool.Token.Value, a.Pool.AdamId.Value, a.Group.Value);
    }
}

internal sealed class UserDocProjection : SingleStreamProjection<UserDoc, string>
{
    // Only the streams with such an event: Marten then loads no UserDoc for the other streams a command appends to.
    public UserDocProjection() => IncludeType<IUserEvent>();

    public override UserDoc? Evolve(UserDoc? snapshot, string id, IEvent e) =>
        e.Data is IUserEvent u ? new UserDoc(id, UserDecider.Evolve(snapshot?.State ?? UserState.Initial, u)) : snapshot;
}

internal sealed class DeviceDocProjection : SingleStreamProjection<DeviceDoc, string>
{
    // Only the streams with such an event: Marten then loads no DeviceDoc for the other streams a command appends to.
    public DeviceDocProjection() => IncludeType<IDeviceEvent>();

    public override DeviceDoc? Evolve(DeviceDoc? snapshot, string id, IEvent e)
    {
        if (e.Data is not IDeviceEvent d)
        {
            return snapshot;
        }

        var before = snapshot?.State ?? DeviceState.Initial;
        var after = DeviceDecider.Evolve(before, d);
        var signedInSince = after.SignedInAppleIdKind is null
            ? null
            : after.SignedInAppleIdKind == before.SignedInAppleIdKind && after.User == before.User ? snapshot?.SignedInSince : d.OccurredAt;
        return new DeviceDoc(id, after, after.User?.Value, signedInSince, after.SerialNumber?.Value);
    }
}

internal sealed class GroupDocProjection : SingleStreamProjection<GroupDoc, string>
{
    // Only the streams with such an event: Marten then loads no GroupDoc for the other streams a command appends to.
    public GroupDocProjection() => IncludeType<IGroupEvent>();

    public override GroupDoc? Evolve(GroupDoc? snapshot, string id, IEvent e) =>
        e.Data is IGroupEvent g ? new GroupDoc(id, GroupDecider.Evolve(snapshot?.State ?? GroupState.Initial, g)) : snapshot;
}

/// <summary>
/// Keeps the indexed seat rows of every pool (with where each stands at Apple, and the releases Apple has still to
/// confirm) and the member rows of every group, from the same events.
/// </summary>
internal sealed class SeatsAndMembersProjection : IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) =>
        ApplyAsync(operations, events, null, cancellation);

    /// <summary>Applies a batch; the rows stored go to <paramref name="copy"/> when given (a rebuild's page), else to the session.</summary>
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, DocumentCopy? copy, CancellationToken cancellation)
    {
        // The batch (inline: one command; rebuild: one page of the log, of many tenants) is folded into the last
        // state of each row first, then written as one delete or one store per row, every delete queued before every
        // store. Marten's session forgets the pending store of a row id when a delete of that id is queued after it,
        // whatever the tenant (one session serves every tenant of a rebuild page): a store queued later is never lost.
        var seats = new Rows<SeatDoc>();
        var releases = new Rows<ReleaseDoc>();
        var members = new Rows<MemberDoc>();
        foreach (var e in events)
        {
            var ops = operations.ForTenant(e.TenantId);
            switch (e.Data)
            {
                case LicenseGranted g:
                    seats.Set(e, Seat(g.Pool, g.Holder, SeatStatus.Granted, 0, e));
                    break;
                case HolderQueued q:
                    seats.Set(e, Seat(q.Pool, q.Holder, SeatStatus.Queued, q.Position, e));
                    break;
                case LicenseReclaimed r:
                    seats.Remove(e, Streams.Seat(r.Pool, r.Holder.Key));
                    break;
                case HolderLeftQueue l:
                    seats.Remove(e, Streams.Seat(l.Pool, l.Holder.Key));
                    break;
                case AppleAssociationFailed f:
                    seats.Remove(e, Streams.Seat(f.Pool, f.Holder.Key));
                    break;
                case AppleAssociationConfirmed c:
                    if (await seats.LoadAsync(ops, e, Streams.Seat(c.Pool, c.Holder.Key), cancellation).ConfigureAwait(false) is { } seat)
                    {
                        seats.Set(e, seat with { Apple = AppleSeatState.Confirmed });
                    }

                    break;
                case AppleAssociationRequestedAgain again:
                    if (await seats.LoadAsync(ops, e, Streams.Seat(again.Pool, again.Holder.Key), cancellation).ConfigureAwait(false) is { } held)
                    {
                        seats.Set(e, held with { Apple = AppleSeatState.Requested, RequestedAt = again.OccurredAt });
                    }

                    break;
                case AppleDisassociationRequested d:
                    await CountReleaseAsync(ops, releases, e, d.Pool, d.Holder, +1, cancellation).ConfigureAwait(false);
                    break;
                case AppleDisassociationConfirmed d:
                    await CountReleaseAsync(ops, releases, e, d.Pool, d.Holder, -1, cancellation).ConfigureAwait(false);
                    break;
                case AppleDisassociationFailed d:
                    await CountReleaseAsync(ops, releases, e, d.Pool, d.Holder, -1, cancellation).ConfigureAwait(false);
                    break;
                case GroupMembersAdded added:
                    foreach (var m in added.Members)
                    {
                        members.Set(e, new MemberDoc(e.StreamKey + "|" + m.Member, e.StreamKey!, m.Member.Kind, m.Member.Id, m.Position));
                    }

                    break;
                case GroupMembersRemoved removed:
                    foreach (var m in removed.Members)
                    {
                        members.Remove(e, e.StreamKey + "|" + m);
                    }

                    break;
            }
        }

        seats.QueueDeletes(operations);
        releases.QueueDeletes(operations);
        members.QueueDeletes(operations);
        await seats.QueueStoresAsync(operations, cancellation, copy).ConfigureAwait(false);
        await releases.QueueStoresAsync(operations, cancellation, copy).ConfigureAwait(false);
        await members.QueueStoresAsync(operations, cancellation, copy).ConfigureAwait(false);
    }

    private static async Task CountReleaseAsync(IDocumentOperations ops, Rows<ReleaseDoc> releases, IEvent e, PoolId pool, Holder holder, int delta, CancellationToken cancellation)
    {
        var id = Streams.Seat(pool, holder.Key);
        var row = await releases.LoadAsync(ops, e, id, cancellation).ConfigureAwait(false);
        var count = Math.Max(0, (row?.PendingCount ?? 0) + delta);
        if (count == 0)
        {
            releases.Remove(e, id);
        }
        else
        {
            releases.Set(e, new ReleaseDoc(id, Streams.Pool(pool), holder.Key, count));
        }
    }

    private static SeatDoc Seat(PoolId pool, Holder holder, SeatStatus status, long position, IEvent e) =>
        new(Streams.Seat(pool, holder.Key), Streams.Pool(pool), pool.Token.Value, holder.Key, holder.OwnerId, holder.Type, status, position, ((ILedgerEvent)e.Data).OccurredAt);
}

/// <summary>The last state of each row (per tenant and id) a batch of events leaves: null when the row is deleted.</summary>
internal sealed class Rows<TDoc>
    where TDoc : class
{
    private readonly Dictionary<(string Tenant, string Id), TDoc?> _last = [];

    public void Set(IEvent e, TDoc doc) => _last[(e.TenantId, IdOf(doc))] = doc;

    public void Remove(IEvent e, string id) => _last[(e.TenantId, id)] = null;

    /// <summary>The row as the batch left it so far, else as stored (rows written earlier in the batch are not in the database yet).</summary>
    public async Task<TDoc?> LoadAsync(IDocumentOperations ops, IEvent e, string id, CancellationToken cancellation) =>
        _last.TryGetValue((e.TenantId, id), out var known) ? known : await ops.LoadAsync<TDoc>(id, cancellation).ConfigureAwait(false);

    public void QueueDeletes(IDocumentOperations operations)
    {
        foreach (var ((tenant, id), doc) in _last)
        {
            if (doc is null)
            {
                operations.ForTenant(tenant).Delete<TDoc>(id);
            }
        }
    }

    /// <summary>Stores the rows the batch left, per tenant in one statement (<see cref="DocumentUpserts"/>), or into <paramref name="copy"/>.</summary>
    public async Task QueueStoresAsync(IDocumentOperations operations, CancellationToken cancellation, DocumentCopy? copy = null)
    {
        foreach (var tenant in _last.Where(r => r.Value is not null).GroupBy(r => r.Key.Tenant, StringComparer.Ordinal))
        {
            await DocumentUpserts.QueueAsync(operations.ForTenant(tenant.Key), tenant.Key, [.. tenant.Select(r => r.Value!)], IdOf, cancellation, copy).ConfigureAwait(false);
        }
    }

    private static string IdOf(TDoc doc) => doc switch
    {
        SeatDoc d => d.Id,
        ReleaseDoc d => d.Id,
        MemberDoc d => d.Id,
        AppleSeatDoc d => d.Id,
        AppleUserDoc d => d.Id,
        AppleNotificationDoc d => d.Id,
        FindingDoc d => d.Id,
        _ => throw new InvalidOperationException($"{typeof(TDoc).Name} is not a row of a batch projection."),
    };
}

internal sealed class AppleSideDocProjection : SingleStreamProjection<AppleSideDoc, string>
{
    // Only the streams with such an event: Marten then loads no AppleSideDoc for the other streams a command appends to.
    public AppleSideDocProjection() => IncludeType<AppleSide.IAppleSideEvent>();

    public override AppleSideDoc? Evolve(AppleSideDoc? snapshot, string id, IEvent e) =>
        e.Data is AppleSide.IAppleSideEvent a
            ? new AppleSideDoc(id, AppleSide.AppleSideDecider.Evolve(snapshot?.State ?? AppleSide.AppleSideState.Initial, a), a.Token.Value)
            : snapshot;
}

/// <summary>
/// The rows of Apple's side of each token: the seats Apple holds, its user states, the notification ids recorded, the
/// open findings. Like <see cref="SeatsAndMembersProjection"/>, a batch is folded into the last state of each row and
/// written deletes first; a whole walk's completion also deletes, before the stores, the stored rows of the token
/// that the walk did not list.
/// </summary>
internal sealed class AppleSideRowsProjection : IProjection
{
    public const string Name = "vpp_apple_side_rows";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var seats = new Rows<AppleSeatDoc>();
        var users = new Rows<AppleUserDoc>();
        var notifications = new Rows<AppleNotificationDoc>();
        var findings = new Rows<FindingDoc>();
        var walkOf = new Dictionary<(string Tenant, string Token), Dictionary<string, string>>(); // this batch's rows: id -> the walk that last listed it
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case AppleSide.AppleAssignmentsPageRecorded page:
                    foreach (var a in page.Assignments)
                    {
                        var pool = Streams.Pool(new PoolId(page.Token, a.AdamId, a.Pricing));
                        var row = new AppleSeatDoc(AppleSeatId(page.Token, pool, a.HolderRef), page.Token.Value, pool, a.HolderRef, page.WalkId);
                        seats.Set(e, row);
                        var key = (e.TenantId, page.Token.Value);
                        if (!walkOf.TryGetValue(key, out var rows))
                        {
                            walkOf[key] = rows = new Dictionary<string, string>(StringComparer.Ordinal);
                        }

                        rows[row.Id] = page.WalkId;
                    }

                    break;
                case AppleSide.AppleAssignmentsSnapshotCompleted { SinceVersionId: null } done:
                    // A whole walk lists every seat Apple holds: the rows it did not list go, stored ones and this batch's.
                    var token = done.Token.Value;
                    var walk = done.WalkId;
                    operations.ForTenant(e.TenantId).DeleteWhere<AppleSeatDoc>(r => r.TokenKey == token && r.WalkId != walk);
                    if (walkOf.TryGetValue((e.TenantId, token), out var listed))
                    {
                        foreach (var id in listed.Where(r => r.Value != walk).Select(r => r.Key).ToList())
                        {
                            seats.Remove(e, id);
                            listed.Remove(id);
                        }
                    }

                    break;
                case AppleSide.AppleUserStatesRecorded recorded:
                    foreach (var u in recorded.Users)
                    {
                        users.Set(e, new AppleUserDoc(recorded.Token.Value + "|" + u.ClientUserId, recorded.Token.Value, u.ClientUserId, u.State));
                    }

                    break;
                case AppleSide.AppleNotificationRecorded n:
                    notifications.Set(e, new AppleNotificationDoc(NotificationId(n.Token, n.NotificationId), n.Token.Value, n.NotificationId));
                    break;
                case AppleSide.ReconciliationFindingRecorded f:
                    findings.Set(e, new FindingDoc(f.Token.Value + "|" + f.Key, f.Token.Value, new AppleSide.ReconciliationFinding(f.Key, f.Class, f.Pool, f.HolderRef, f.Holder, f.Detail, f.Rule, f.OccurredAt)));
                    break;
                case AppleSide.ReconciliationFindingCleared c:
                    findings.Remove(e, c.Token.Value + "|" + c.Key);
                    break;
            }
        }

        seats.QueueDeletes(operations);
        findings.QueueDeletes(operations);
        await seats.QueueStoresAsync(operations, cancellation).ConfigureAwait(false);
        await users.QueueStoresAsync(operations, cancellation).ConfigureAwait(false);
        await notifications.QueueStoresAsync(operations, cancellation).ConfigureAwait(false);
        await findings.QueueStoresAsync(operations, cancellation).ConfigureAwait(false);
    }

    public static string AppleSeatId(TokenId token, string poolKey, string holderRef) => $"{token.Value}|{poolKey}|{holderRef}";

    public static string NotificationId(TokenId token, string notificationId) => token.Value + "|" + notificationId;
}
