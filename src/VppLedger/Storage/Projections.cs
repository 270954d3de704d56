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
        return new DeviceDoc(id, after, after.User?.Value, signedInSince);
    }
}

internal sealed class GroupDocProjection : SingleStreamProjection<GroupDoc, string>
{
    public override GroupDoc? Evolve(GroupDoc? snapshot, string id, IEvent e) =>
        e.Data is IGroupEvent g ? new GroupDoc(id, GroupDecider.Evolve(snapshot?.State ?? GroupState.Initial, g)) : snapshot;
}

/// <summary>Keeps the indexed seat rows of every pool and the member rows of every group, from the same events.</summary>
internal sealed class SeatsAndMembersProjection : IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        // The last change of each row wins, one store or delete per row: a page of a rebuild can queue, grant,
        // reclaim and queue one holder again, and a session does not keep a row's stores and deletes in the order
        // they were asked for (found by the model test on the one-pass rebuild: queued seats lost).
        var seats = new Dictionary<(string Tenant, string Id), SeatDoc?>();
        var members = new Dictionary<(string Tenant, string Id), MemberDoc?>();
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case LicenseGranted g:
                    seats[(e.TenantId, Streams.Seat(g.Pool, g.Holder.Key))] = Seat(g.Pool, g.Holder, SeatStatus.Granted, 0, e);
                    break;
                case HolderQueued q:
                    seats[(e.TenantId, Streams.Seat(q.Pool, q.Holder.Key))] = Seat(q.Pool, q.Holder, SeatStatus.Queued, q.Position, e);
                    break;
                case LicenseReclaimed r:
                    seats[(e.TenantId, Streams.Seat(r.Pool, r.Holder.Key))] = null;
                    break;
                case HolderLeftQueue l:
                    seats[(e.TenantId, Streams.Seat(l.Pool, l.Holder.Key))] = null;
                    break;
                case GroupMembersAdded added:
                    foreach (var m in added.Members)
                    {
                        members[(e.TenantId, e.StreamKey + "|" + m.Member)] = new MemberDoc(e.StreamKey + "|" + m.Member, e.StreamKey!, m.Member.Kind, m.Member.Id, m.Position);
                    }

                    break;
                case GroupMembersRemoved removed:
                    foreach (var m in removed.Members)
                    {
                        members[(e.TenantId, e.StreamKey + "|" + m)] = null;
                    }

                    break;
            }
        }

        foreach (var ((tenant, id), seat) in seats)
        {
            if (seat is null)
            {
                operations.ForTenant(tenant).Delete<SeatDoc>(id);
            }
            else
            {
                operations.ForTenant(tenant).Store(seat);
            }
        }

        foreach (var ((tenant, id), member) in members)
        {
            if (member is null)
            {
                operations.ForTenant(tenant).Delete<MemberDoc>(id);
            }
            else
            {
                operations.ForTenant(tenant).Store(member);
            }
        }

        return Task.CompletedTask;
    }

    private static SeatDoc Seat(PoolId pool, Holder holder, SeatStatus status, long position, IEvent e) =>
        new(Streams.Seat(pool, holder.Key), Streams.Pool(pool), pool.Token.Value, holder.Key, holder.OwnerId, holder.Type, status, position, ((ILedgerEvent)e.Data).OccurredAt);
}
