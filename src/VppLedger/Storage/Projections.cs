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
    public override PoolDoc? Evolve(PoolDoc? snapshot, string id, IEvent e) =>
        e.Data is IPoolEvent p ? ToDoc(id, PoolDecider.Evolve(snapshot?.State ?? PoolState.Initial(p.Pool), p)) : snapshot;

    public static PoolDoc ToDoc(string id, PoolState state) =>
        new(id, state, state.Pool.Token.Value, state.Pool.AdamId.Value, state.QueuedCount > 0, state.OverAllocated);
}

internal sealed class AssignmentDocProjection : SingleStreamProjection<AssignmentDoc, string>
{
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
    public override UserDoc? Evolve(UserDoc? snapshot, string id, IEvent e) =>
        e.Data is IUserEvent u ? new UserDoc(id, UserDecider.Evolve(snapshot?.State ?? UserState.Initial, u)) : snapshot;
}

internal sealed class DeviceDocProjection : SingleStreamProjection<DeviceDoc, string>
{
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
    public override GroupDoc? Evolve(GroupDoc? snapshot, string id, IEvent e) =>
        e.Data is IGroupEvent g ? new GroupDoc(id, GroupDecider.Evolve(snapshot?.State ?? GroupState.Initial, g)) : snapshot;
}

/// <summary>
/// Keeps the indexed seat rows of every pool (with where each stands at Apple, and the releases Apple has still to
/// confirm) and the member rows of every group, from the same events.
/// </summary>
internal sealed class SeatsAndMembersProjection : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        // Rows written earlier in this batch are not in the database yet (inline: one transaction; rebuild: one page),
        // so Apple's answers read the latest row from here first.
        var seats = new Dictionary<(string?, string), SeatDoc?>();
        var releases = new Dictionary<(string?, string), ReleaseDoc?>();
        foreach (var e in events)
        {
            var ops = operations.ForTenant(e.TenantId);
            switch (e.Data)
            {
                case LicenseGranted g:
                    StoreSeat(ops, seats, e, Seat(g.Pool, g.Holder, SeatStatus.Granted, 0, e));
                    break;
                case HolderQueued q:
                    StoreSeat(ops, seats, e, Seat(q.Pool, q.Holder, SeatStatus.Queued, q.Position, e));
                    break;
                case LicenseReclaimed r:
                    DeleteSeat(ops, seats, e, Streams.Seat(r.Pool, r.Holder.Key));
                    break;
                case HolderLeftQueue l:
                    DeleteSeat(ops, seats, e, Streams.Seat(l.Pool, l.Holder.Key));
                    break;
                case AppleAssociationFailed f:
                    DeleteSeat(ops, seats, e, Streams.Seat(f.Pool, f.Holder.Key));
                    break;
                case AppleAssociationConfirmed c:
                    var id = Streams.Seat(c.Pool, c.Holder.Key);
                    if (await LoadAsync(ops, seats, e, id, cancellation).ConfigureAwait(false) is { } seat)
                    {
                        StoreSeat(ops, seats, e, seat with { Apple = AppleSeatState.Confirmed });
                    }

                    break;
                case AppleAssociationRequestedAgain again:
                    var seatId = Streams.Seat(again.Pool, again.Holder.Key);
                    if (await LoadAsync(ops, seats, e, seatId, cancellation).ConfigureAwait(false) is { } held)
                    {
                        StoreSeat(ops, seats, e, held with { Apple = AppleSeatState.Requested, RequestedAt = again.OccurredAt });
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
                        ops.Store(new MemberDoc(e.StreamKey + "|" + m.Member, e.StreamKey!, m.Member.Kind, m.Member.Id, m.Position));
                    }

                    break;
                case GroupMembersRemoved removed:
                    foreach (var m in removed.Members)
                    {
                        ops.Delete<MemberDoc>(e.StreamKey + "|" + m);
                    }

                    break;
            }
        }
    }

    private static void StoreSeat(IDocumentOperations ops, Dictionary<(string?, string), SeatDoc?> seats, IEvent e, SeatDoc seat)
    {
        ops.Store(seat);
        seats[(e.TenantId, seat.Id)] = seat;
    }

    private static void DeleteSeat(IDocumentOperations ops, Dictionary<(string?, string), SeatDoc?> seats, IEvent e, string id)
    {
        ops.Delete<SeatDoc>(id);
        seats[(e.TenantId, id)] = null;
    }

    private static async Task<SeatDoc?> LoadAsync(IDocumentOperations ops, Dictionary<(string?, string), SeatDoc?> seats, IEvent e, string id, CancellationToken cancellation) =>
        seats.TryGetValue((e.TenantId, id), out var known) ? known : await ops.LoadAsync<SeatDoc>(id, cancellation).ConfigureAwait(false);

    private static async Task CountReleaseAsync(
        IDocumentOperations ops, Dictionary<(string?, string), ReleaseDoc?> releases, IEvent e, PoolId pool, Holder holder, int delta, CancellationToken cancellation)
    {
        var id = Streams.Seat(pool, holder.Key);
        var row = releases.TryGetValue((e.TenantId, id), out var known) ? known : await ops.LoadAsync<ReleaseDoc>(id, cancellation).ConfigureAwait(false);
        var count = Math.Max(0, (row?.PendingCount ?? 0) + delta);
        if (count == 0)
        {
            ops.Delete<ReleaseDoc>(id);
            releases[(e.TenantId, id)] = null;
        }
        else
        {
            var updated = new ReleaseDoc(id, Streams.Pool(pool), holder.Key, count);
            ops.Store(updated);
            releases[(e.TenantId, id)] = updated;
        }
    }

    private static SeatDoc Seat(PoolId pool, Holder holder, SeatStatus status, long position, IEvent e) =>
        new(Streams.Seat(pool, holder.Key), Streams.Pool(pool), pool.Token.Value, holder.Key, holder.OwnerId, holder.Type, status, position, ((ILedgerEvent)e.Data).OccurredAt);
}

internal sealed class AppleSideDocProjection : SingleStreamProjection<AppleSideDoc, string>
{
    public override AppleSideDoc? Evolve(AppleSideDoc? snapshot, string id, IEvent e) =>
        e.Data is AppleSide.IAppleSideEvent a
            ? new AppleSideDoc(id, AppleSide.AppleSideDecider.Evolve(snapshot?.State ?? AppleSide.AppleSideState.Initial, a), a.Token.Value)
            : snapshot;
}

/// <summary>The rows of Apple's side of each token: the seats Apple holds, its user states, the notification ids recorded, the open findings.</summary>
internal sealed class AppleSideRowsProjection : IProjection
{
    public const string Name = "vpp_apple_side_rows";

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
        {
            var ops = operations.ForTenant(e.TenantId);
            switch (e.Data)
            {
                case AppleSide.AppleAssignmentsPageRecorded page:
                    foreach (var a in page.Assignments)
                    {
                        var pool = Streams.Pool(new PoolId(page.Token, a.AdamId, a.Pricing));
                        ops.Store(new AppleSeatDoc(AppleSeatId(page.Token, pool, a.HolderRef), page.Token.Value, pool, a.HolderRef, page.WalkId));
                    }

                    break;
                case AppleSide.AppleAssignmentsSnapshotCompleted { SinceVersionId: null } done:
                    var token = done.Token.Value;
                    var walk = done.WalkId;
                    ops.DeleteWhere<AppleSeatDoc>(r => r.TokenKey == token && r.WalkId != walk); // a whole walk lists every seat Apple holds
                    break;
                case AppleSide.AppleUserStatesRecorded users:
                    foreach (var u in users.Users)
                    {
                        ops.Store(new AppleUserDoc(users.Token.Value + "|" + u.ClientUserId, users.Token.Value, u.ClientUserId, u.State));
                    }

                    break;
                case AppleSide.AppleNotificationRecorded n:
                    ops.Store(new AppleNotificationDoc(NotificationId(n.Token, n.NotificationId), n.Token.Value, n.NotificationId));
                    break;
                case AppleSide.ReconciliationFindingRecorded f:
                    ops.Store(new FindingDoc(f.Token.Value + "|" + f.Key, f.Token.Value, new AppleSide.ReconciliationFinding(f.Key, f.Class, f.Pool, f.HolderRef, f.Holder, f.Detail, f.Rule, f.OccurredAt)));
                    break;
                case AppleSide.ReconciliationFindingCleared c:
                    ops.Delete<FindingDoc>(c.Token.Value + "|" + c.Key);
                    break;
            }
        }

        return Task.CompletedTask;
    }

    public static string AppleSeatId(TokenId token, string poolKey, string holderRef) => $"{token.Value}|{poolKey}|{holderRef}";

    public static string NotificationId(TokenId token, string notificationId) => token.Value + "|" + notificationId;
}
