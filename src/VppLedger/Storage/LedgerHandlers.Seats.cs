using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing.Workflows;
using VppLedger.Pools;

namespace VppLedger.Storage;

/// <summary>What a release of members' seats covers: the reason, one license type or both, the queue only or all.</summary>
internal readonly record struct SeatRelease(ReclaimReason Reason, LicenseType? LicenseType = null, bool QueuedOnly = false);

/// <summary>
/// Reclaims and migrations from the seats members actually hold (the rows of the pool's seats by owner), never from
/// today's directory facts recomputed: the choice is <see cref="SeatReclaims"/>' and <see cref="LicenseMigration"/>'.
/// </summary>
internal sealed partial class LedgerHandlers
{
    /// <summary>Users the current command records as gone: none of their holders is targeted any more.</summary>
    private readonly HashSet<string> _leftUsers = new(StringComparer.Ordinal);

    /// <summary>Releases the seats <paramref name="members"/> hold in the pool, except those another live assignment still justifies.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="excluded">The group whose assignment stops targeting them, or null when none does (a user leaving).</param>
    /// <param name="members">The members that stop being targeted.</param>
    /// <param name="release">Why, and which seats.</param>
    /// <param name="c">The command that caused it, under whose permission it runs.</param>
    private async Task<Rejection?> ReleaseMembersAsync(PoolId pool, GroupId? excluded, IReadOnlyList<GroupMember> members, SeatRelease release, ILedgerCommand c)
    {
        var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
        if (workspace.State.Orphaned)
        {
            return null; // nothing under a deleted token can be reclaimed any more
        }

        var (held, retired) = await HeldSeatsAsync(workspace, members).ConfigureAwait(false);
        if (held.Count == 0)
        {
            return null;
        }

        var stillTargeted = await StillTargetedAsync(pool, excluded, workspace.State.Product, members).ConfigureAwait(false);
        var holders = SeatReclaims.ToRelease(held, release.LicenseType, stillTargeted, retired, release.QueuedOnly);
        return await ApplyAsync(workspace, SeatReclaims.Release(pool, holders, release.Reason, c.Id, c.Actor)).ConfigureAwait(false);
    }

    /// <summary>Each member's user seats pass to its devices, or go back (the plan is <see cref="LicenseMigration.ForMember"/>).</summary>
    private async Task<Rejection?> MigrateMembersAsync(AssignmentState assignment, IReadOnlyList<GroupMember> members, ILedgerCommand c)
    {
        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        foreach (var member in members)
        {
            var (held, _) = await HeldSeatsAsync(workspace, [member]).ConfigureAwait(false);
            var userSeats = held.Where(s => s.Holder.Type == LicenseType.User).ToList();
            var deviceHolders = await HoldersOfAsync(assignment, workspace.State.Product, [member], deviceAssignable: true).ConfigureAwait(false); // the pool's decider refuses a migration L6 forbids
            if (await ApplyAsync(workspace, LicenseMigration.ForMember(assignment.Pool, userSeats, deviceHolders, c.Id, c.Actor)).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }
        }

        return null;
    }

    private async Task<Rejection?> ApplyAsync(PoolWorkspace workspace, IReadOnlyList<IPoolCommand> commands)
    {
        foreach (var command in commands)
        {
            var decision = await workspace.DecideAsync(command, cancellationToken).ConfigureAwait(false);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }
        }

        return null;
    }

    /// <summary>
    /// The seats the members hold in the pool: user seats of the user members (every Apple ID kind), device seats of
    /// the device members and of the user members' devices; and which of those devices left management.
    /// </summary>
    private async Task<(IReadOnlyList<HeldSeat> Held, IReadOnlySet<string> Retired)> HeldSeatsAsync(PoolWorkspace workspace, IReadOnlyList<GroupMember> members)
    {
        var users = members.Where(m => m.Kind == GroupKind.User).Select(m => m.Id).Distinct(StringComparer.Ordinal).ToList();
        var deviceIds = members.Where(m => m.Kind == GroupKind.Device).Select(m => Streams.Device(new DeviceId(m.Id))).ToList();
        var deviceDocs = new List<DeviceDoc>();
        if (users.Count > 0)
        {
            deviceDocs.AddRange(await context.ReadDevicesOfUsersAsync(users, cancellationToken).ConfigureAwait(false));
        }

        if (deviceIds.Count > 0)
        {
            deviceDocs.AddRange(await context.ReadDevicesAsync(deviceIds, cancellationToken).ConfigureAwait(false));
        }

        var devices = members.Where(m => m.Kind == GroupKind.Device).Select(m => m.Id)
            .Concat(deviceDocs.Where(d => d.State.Id is not null).Select(d => d.State.Id!.Value.Value))
            .ToHashSet(StringComparer.Ordinal);
        var retired = deviceDocs.Where(d => d.State.RemovedFromManagement && d.State.Id is not null).Select(d => d.State.Id!.Value.Value).ToHashSet(StringComparer.Ordinal);
        var owners = users.Concat(devices).Distinct(StringComparer.Ordinal).ToList();
        var poolKey = Streams.Pool(workspace.Pool);
        var rows = await _session.Query<SeatDoc>().Where(s => s.PoolKey == poolKey && owners.Contains(s.OwnerId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var holders = rows
            .Where(r => r.Type == LicenseType.User ? users.Contains(r.OwnerId) : devices.Contains(r.OwnerId))
            .Select(r => Holder.FromKey(r.HolderKey))
            .ToList();
        var seats = await workspace.SeatsAsync(holders, cancellationToken).ConfigureAwait(false);
        return ([.. holders.Select(h => new HeldSeat(h, seats[h.Key].Status))], retired);
    }

    /// <summary>
    /// The holder keys another live assignment of the pool still targets among the members, their devices and their
    /// devices' users. Costs O(members leaving): only those are looked up in the other assigned groups, never the
    /// other groups' whole membership.
    /// </summary>
    private async Task<IReadOnlySet<string>> StillTargetedAsync(PoolId pool, GroupId? excluded, ProductKind product, IReadOnlyList<GroupMember> members)
    {
        var groupKey = excluded?.Value;
        var others = (await context.ReadAssignmentsOfPoolAsync(pool, cancellationToken).ConfigureAwait(false))
            .Where(d => d.GroupKey != groupKey)
            .Select(d => d.State)
            .Where(s => s.WantsLicenses)
            .ToList();
        var targeted = new HashSet<string>(StringComparer.Ordinal);
        if (others.Count == 0)
        {
            return targeted;
        }

        var related = new HashSet<GroupMember>(members);
        var users = members.Where(m => m.Kind == GroupKind.User).Select(m => m.Id).ToList();
        if (users.Count > 0)
        {
            var owned = await context.ReadDevicesOfUsersAsync(users, cancellationToken).ConfigureAwait(false);
            related.UnionWith(owned.Select(d => GroupMember.ForDevice(d.State.Id!.Value)));
        }

        var deviceIds = members.Where(m => m.Kind == GroupKind.Device).Select(m => Streams.Device(new DeviceId(m.Id))).ToList();
        if (deviceIds.Count > 0)
        {
            var devices = await context.ReadDevicesAsync(deviceIds, cancellationToken).ConfigureAwait(false);
            related.UnionWith(devices.Where(d => d.State.User is not null).Select(d => GroupMember.ForUser(d.State.User!.Value)));
        }

        foreach (var other in others)
        {
            var found = await context.ReadMembersAsync(other.Group, [.. related.Select(m => Streams.Member(other.Group, m))], cancellationToken).ConfigureAwait(false);
            var stillIn = found.Select(d => new GroupMember(d.Kind, d.MemberId)).ToList();
            foreach (var holder in await HoldersOfAsync(other, product, stillIn, deviceAssignable: true, warn: false).ConfigureAwait(false))
            {
                targeted.Add(holder.Key);
            }
        }

        return targeted;
    }
}
