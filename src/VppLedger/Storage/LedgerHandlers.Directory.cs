using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
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
        return stream.AppendDecided(UserDecider.Decide(c, stream.State, context.Now));
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

        foreach (var d in c.Devices)
        {
            var one = new RecordDevice(d.Device, d.SerialNumber, d.Profile, d.User, d.SignedInAppleIdKind, c.Id, c.Actor);
            if ((await DeviceAsync(d.Device, s => DeviceDecider.Decide(one, s, context.Now)).ConfigureAwait(false)).Rejection is { } refused)
            {
                return refused;
            }
        }

        return Handled.Done;
    }

    /// <summary>Rule R4: a user who leaves the organization has every user license reclaimed, and leaves every queue.</summary>
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

        var owner = c.User.Value;
        var seats = await context.ReadSeatsOfOwnerAsync(Streams.User(c.User), owner, LicenseType.User, cancellationToken).ConfigureAwait(false);
        foreach (var pool in seats.GroupBy(s => s.PoolKey))
        {
            var poolId = PoolOf(pool.Key);
            var workspace = await context.PoolAsync(poolId, cancellationToken).ConfigureAwait(false);
            if (workspace.State.Orphaned)
            {
                continue; // rule R7: nothing to reclaim under a deleted token
            }

            var reclaimed = await workspace.DecideAsync(
                new ReclaimLicenses(poolId, [.. pool.Select(s => Holder.FromKey(s.HolderKey))], ReclaimReason.LeftOrganization, c.Id, c.Actor),
                cancellationToken).ConfigureAwait(false);
            if (reclaimed.IsRejected)
            {
                return reclaimed.Rejection;
            }
        }

        return Handled.Done;
    }

    private async Task<Handled> DeviceAsync(DeviceId device, Func<DeviceState, Decision<IDeviceEvent>> decide)
    {
        var stream = await context.FetchAsync<DeviceDoc, DeviceState>(
            Streams.Device(device), d => d.State, DeviceState.Initial, (s, e) => DeviceDecider.Evolve(s, (IDeviceEvent)e), cancellationToken).ConfigureAwait(false);
        return stream.AppendDecided(decide(stream.State));
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

    /// <summary>Rule R4: members no longer in any group targeted with the app have its license reclaimed (and leave its queue).</summary>
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
            var reclaimed = await ReclaimFromMembersAsync(assignment, removed, ReclaimReason.NoLongerTargeted, c, stillTargetedCheck: true).ConfigureAwait(false);
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
