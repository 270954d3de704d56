using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Licensing.Workflows;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>Directory commands and what membership changes cause in pools.</summary>
internal sealed partial class LedgerHandlers
{
    private Task<WriteStream<UserState>> UserStreamAsync(UserId user) =>
        context.FetchAsync<UserDoc, UserState>(Streams.User(user), d => d.State, UserState.Initial, (s, e) => UserDecider.Evolve(s, (IUserEvent)e), cancellationToken);

    private async Task<Handled> UserAsync(RecordUser c)
    {
        var stream = await UserStreamAsync(c.User).ConfigureAwait(false);
        var before = stream.State;
        if (stream.AppendDecided(UserDecider.Decide(c, before, context.Now)) is { } refused)
        {
            return refused;
        }

        var dropped = SeatReclaims.DroppedAppleIds(before, stream.State);
        return dropped.Count == 0 ? Handled.Done : await ReleaseDroppedAsync(c.User, dropped, c).ConfigureAwait(false);
    }

    /// <summary>The seats held under Apple IDs the user no longer has go back in every pool (the choice is <see cref="SeatReclaims.DroppedAppleIds"/>).</summary>
    private async Task<Handled> ReleaseDroppedAsync(UserId user, IReadOnlyList<Holder> dropped, ILedgerCommand c)
    {
        var keys = dropped.Select(h => h.Key).ToHashSet(StringComparer.Ordinal);
        var seats = await context.ReadSeatsOfOwnersAsync([(Streams.User(user), user.Value)], LicenseType.User, cancellationToken).ConfigureAwait(false);
        foreach (var pool in seats.Where(s => keys.Contains(s.HolderKey)).GroupBy(s => s.PoolKey).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var workspace = await context.PoolAsync(PoolOf(pool.Key), cancellationToken).ConfigureAwait(false);
            if (workspace.State.Orphaned)
            {
                continue; // nothing under a deleted token can be reclaimed any more
            }

            var holders = pool.Select(s => Holder.FromKey(s.HolderKey)).ToList();
            if (await ApplyAsync(workspace, SeatReclaims.Release(workspace.Pool, holders, ReclaimReason.NoLongerTargeted, c.Id, c.Actor)).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }
        }

        return Handled.Done;
    }

    // Each entry decided as its own RecordUser or RecordDevice; the first refusal refuses the command (nothing is written).
    private async Task<Handled> DirectoryAsync(RecordDirectory c)
    {
        var count = checked(c.Users.Count + c.Devices.Count);
        if (count > RecordDirectory.MaxEntriesPerCommand)
        {
            return DirectoryRejections.TooManyDirectoryEntriesInOneCommand(count);
        }

        foreach (var u in c.Users)
        {
            if ((await UserAsync(new RecordUser(u.User, u.PersonalAppleId, u.ManagedAppleId, c.Id, c.Actor)).ConfigureAwait(false)).Rejection is { } refused)
            {
                return refused;
            }
        }

        // One read for the whole batch: which of the devices' users are in any group at all (most, in a first load, are not).
        var owners = c.Devices.Where(d => d.User is not null).Select(d => d.User!.Value.Value).Distinct(StringComparer.Ordinal).ToList();
        var grouped = owners.Count == 0
            ? []
            : (await _session.Query<MemberDoc>().Where(m => m.Kind == GroupKind.User && owners.Contains(m.MemberId)).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Select(m => m.MemberId).ToHashSet(StringComparer.Ordinal);
        foreach (var d in c.Devices)
        {
            var one = new RecordDevice(d.Device, d.SerialNumber, d.Profile, d.User, d.SignedInAppleIdKind, c.Id, c.Actor);
            if ((await RecordDeviceAsync(one, grouped.Contains).ConfigureAwait(false)).Rejection is { } refused)
            {
                return refused;
            }
        }

        return Handled.Done;
    }

    /// <summary>A user who leaves the organization gives back every seat it and its devices hold that nothing else justifies, and leaves every queue.</summary>
    private async Task<Handled> UserLeftAsync(RecordUserLeftOrganization c)
    {
        var stream = await UserStreamAsync(c.User).ConfigureAwait(false);
        var decision = UserDecider.Decide(c, stream.State, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        stream.Append(decision.Events);
        if (decision.Events.Count == 0)
        {
            return Handled.Done;
        }

        // The pools where the user or one of its devices holds a seat; in each, every seat goes back that no live
        // assignment still justifies now that the user is gone.
        _leftUsers.Add(c.User.Value);
        var owner = c.User.Value;
        var owners = (await context.ReadDevicesOfUsersAsync([owner], cancellationToken).ConfigureAwait(false))
            .Select(d => (Streams.Device(d.State.Id!.Value), d.State.Id!.Value.Value))
            .Append((Streams.User(c.User), owner))
            .ToList();
        var pools = (await context.ReadSeatsOfOwnersAsync(owners, null, cancellationToken).ConfigureAwait(false))
            .Select(s => s.PoolKey)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            if (await ReleaseMembersAsync(PoolOf(pool), null, [GroupMember.ForUser(c.User)], new SeatRelease(ReclaimReason.LeftOrganization), c).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }
        }

        return Handled.Done;
    }

    private Task<WriteStream<DeviceState>> DeviceStreamAsync(DeviceId device) =>
        context.FetchAsync<DeviceDoc, DeviceState>(
            Streams.Device(device), d => d.State, DeviceState.Initial, (s, e) => DeviceDecider.Evolve(s, (IDeviceEvent)e), cancellationToken);

    private async Task<Handled> DeviceAsync(DeviceId device, Func<DeviceState, Decision<IDeviceEvent>> decide)
    {
        var stream = await DeviceStreamAsync(device).ConfigureAwait(false);
        return stream.AppendDecided(decide(stream.State));
    }

    /// <summary>
    /// A device recorded with its user: every assignment with device licensing of a group the user is in reaches the
    /// device too, as it would have at assignment time (the holders are <see cref="LicenseHolders"/>').
    /// </summary>
    private async Task<Handled> RecordDeviceAsync(RecordDevice c, Func<string, bool>? inAnyGroup = null)
    {
        var stream = await DeviceStreamAsync(c.Device).ConfigureAwait(false);
        var decision = DeviceDecider.Decide(c, stream.State, context.Now);
        if (decision.IsRejected || decision.Events.Count == 0)
        {
            return decision.Rejection;
        }

        stream.Append(decision.Events);
        var device = stream.State;
        if (device.User is not { } owner || device.Profile is null || device.RemovedFromManagement || inAnyGroup?.Invoke(owner.Value) == false)
        {
            return Handled.Done;
        }

        var user = (await UserStreamAsync(owner).ConfigureAwait(false)).State;
        if (!user.Recorded || user.LeftOrganization)
        {
            return Handled.Done;
        }

        var userKey = owner.Value;
        var groups = await _session.Query<MemberDoc>().Where(m => m.Kind == GroupKind.User && m.MemberId == userKey).ToListAsync(cancellationToken).ConfigureAwait(false);
        var member = TargetedMember.ForDevice(c.Device, device.Profile, owner, [.. user.Holders().Select(h => h.AppleIdKind!.Value)]);
        foreach (var group in groups.Select(g => new GroupId(g.GroupKey["group:".Length..])).Distinct())
        {
            foreach (var assignment in (await AssignmentsOfGroupAsync(group).ConfigureAwait(false)).Where(a => a.LicenseType == LicenseType.Device))
            {
                var pool = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
                var holders = LicenseHolders.For(assignment.Pool, pool.State.Product, LicenseType.Device, member, pool.State.DeviceAssignable);
                if (holders.IsRejected)
                {
                    context.Warnings.Add(holders.Rejection!.AsWarning());
                    continue;
                }

                if (await GrantHoldersAsync(assignment.Pool, holders.Holders, c).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }
            }
        }

        return Handled.Done;
    }

    private Task<WriteStream<GroupState>> GroupStreamAsync(GroupId group) =>
        context.FetchAsync<GroupDoc, GroupState>(Streams.Group(group), d => d.State, GroupState.Initial, (s, e) => GroupDecider.Evolve(s, (IGroupEvent)e), cancellationToken);

    private async Task<Handled> GroupAsync(GroupId group, Func<GroupState, Task<Decision<IGroupEvent>>> decide)
    {
        var stream = await GroupStreamAsync(group).ConfigureAwait(false);
        return stream.AppendDecided(await decide(stream.State).ConfigureAwait(false));
    }

    private async Task<IReadOnlySet<GroupMember>> CurrentMembersAsync(GroupId group, IReadOnlyList<GroupMember> members)
    {
        var ids = members.Select(m => Streams.Member(group, m)).Distinct(StringComparer.Ordinal).ToList();
        var docs = await context.ReadMembersAsync(group, ids, cancellationToken).ConfigureAwait(false);
        return docs.Select(d => new GroupMember(d.Kind, d.MemberId)).ToHashSet();
    }

    /// <summary>New members of a targeted group get licenses in every pool an assignment of the group reaches (A6: in targeting order).</summary>
    private async Task<Handled> AddMembersAsync(AddGroupMembers c)
    {
        var current = await CurrentMembersAsync(c.Group, c.Members).ConfigureAwait(false);
        var stream = await GroupStreamAsync(c.Group).ConfigureAwait(false);
        var decision = GroupDecider.Decide(c, stream.State, current, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        stream.Append(decision.Events);
        var added = decision.Events.OfType<GroupMembersAdded>().SelectMany(e => e.Members).OrderBy(m => m.Position).Select(m => m.Member).ToList();
        if (added.Count == 0)
        {
            return Handled.Done;
        }

        foreach (var assignment in await AssignmentsOfGroupAsync(c.Group).ConfigureAwait(false))
        {
            var granted = await GrantToMembersAsync(assignment, added, c).ConfigureAwait(false);
            if (granted is not null)
            {
                return granted;
            }
        }

        return Handled.Done;
    }

    /// <summary>Members no longer in any group targeted with the app give back the seats they hold (and leave its queue).</summary>
    private async Task<Handled> RemoveMembersAsync(RemoveGroupMembers c)
    {
        var current = await CurrentMembersAsync(c.Group, c.Members).ConfigureAwait(false);
        var stream = await GroupStreamAsync(c.Group).ConfigureAwait(false);
        var decision = GroupDecider.Decide(c, stream.State, current, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        stream.Append(decision.Events);
        var removed = decision.Events.OfType<GroupMembersRemoved>().SelectMany(e => e.Members).ToList();
        if (removed.Count == 0)
        {
            return Handled.Done;
        }

        foreach (var assignment in await AssignmentsOfGroupAsync(c.Group).ConfigureAwait(false))
        {
            var reclaimed = await ReleaseMembersAsync(assignment.Pool, assignment.Group, removed, new SeatRelease(ReclaimReason.NoLongerTargeted), c).ConfigureAwait(false);
            if (reclaimed is not null)
            {
                return reclaimed;
            }
        }

        return Handled.Done;
    }

    private async Task<IReadOnlyList<AssignmentState>> AssignmentsOfGroupAsync(GroupId group)
    {
        var docs = await context.ReadAssignmentsOfGroupAsync(group, cancellationToken).ConfigureAwait(false);
        return [.. docs.Select(d => d.State).Where(s => s.WantsLicenses).OrderBy(s => Streams.Pool(s.Pool), StringComparer.Ordinal)];
    }
}
