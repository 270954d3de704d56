using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>Assignment commands and their fan-out over a group's members.</summary>
internal sealed partial class LedgerHandlers
{
    private async Task<Handled> AssignmentAsync(IAssignmentCommand c)
    {
        var stream = await context.FetchAsync<AssignmentDoc, AssignmentState>(
            Streams.Assignment(c.Pool, c.Group),
            d => d.State,
            AssignmentState.Initial(c.Pool, c.Group),
            (s, e) => AssignmentDecider.Evolve(s, (IAssignmentEvent)e),
            cancellationToken).ConfigureAwait(false);
        var before = stream.State;
        if (c is CreateAssignment create && (IsSameAssignment(before, create) || context.StartAfter is not null))
        {
            // A retry of a create that committed its assignment and part of a large fan-out: carry on (I4).
            before = before with { Active = false };
        }
        else
        {
            var decision = AssignmentDecider.Decide(c, before, context.Now);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }

            stream.Append(decision.Events);
            if (decision.Events.Count == 0)
            {
                return Handled.Done;
            }
        }

        var effect = AssignmentEffects.OnMembers(before, stream.State, context.Policy);
        return effect.Action switch
        {
            MemberLicenseAction.Grant => await FanOutAsync(stream.State, members => GrantToMembersAsync(stream.State, members, c), batched: c is CreateAssignment).ConfigureAwait(false),
            MemberLicenseAction.Reclaim => await FanOutAsync(before, members => ReclaimFromMembersAsync(before, members, effect.Reason!.Value, c, stillTargetedCheck: c is RemoveAssignment)).ConfigureAwait(false),
            MemberLicenseAction.MigrateToDevice => await FanOutAsync(stream.State, members => MigrateMembersAsync(stream.State, members, c)).ConfigureAwait(false),
            _ => Handled.Done,
        };
    }

    private static bool IsSameAssignment(AssignmentState state, CreateAssignment c) =>
        state.Active && state.Target == c.Target && state.Intent == c.Intent && state.LicenseType == c.LicenseType;

    /// <summary>
    /// Streams the group's members in targeting order, a page at a time. A batched fan-out (a new assignment) stops
    /// after <see cref="VppLedgerOptions.FanOutMembersPerTransaction"/> members and the runner commits and resumes after the last one,
    /// so a 100,000-member group costs bounded memory and a crash loses at most one uncommitted batch.
    /// </summary>
    private async Task<Handled> FanOutAsync(AssignmentState assignment, Func<IReadOnlyList<GroupMember>, Task<Rejection?>> apply, bool batched = false)
    {
        var perTransaction = context.Options.FanOutMembersPerTransaction;
        var after = context.StartAfter ?? -1L;
        var done = 0;
        await foreach (var (members, last) in MemberPagesAsync(assignment.Group, after, batched ? Math.Min(MemberPageSize, perTransaction) : MemberPageSize).ConfigureAwait(false))
        {
            if (batched && done >= perTransaction)
            {
                context.ResumeAfter = after;
                return Handled.Done;
            }

            if (await apply(members).ConfigureAwait(false) is { } rejection)
            {
                return rejection;
            }

            after = last;
            done += members.Count;
        }

        return Handled.Done;
    }

    /// <summary>Members read per page when an assignment fans out; bounds the memory of reading.</summary>
    internal const int MemberPageSize = 1000;

    private async Task<Rejection?> GrantToMembersAsync(AssignmentState assignment, IReadOnlyList<GroupMember> members, ILedgerCommand c)
    {
        var token = await TokenStreamAsync(assignment.Pool.Token).ConfigureAwait(false);
        if (TokenRules.CheckCanSyncOrGrant(token.State, context.Now) is { } blocked)
        {
            return blocked; // rules T2, T3, T10: no grant through an expired, external or deleted token
        }

        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        var holders = await HoldersOfAsync(assignment, workspace.State.Product, members).ConfigureAwait(false);
        if (holders.Count == 0)
        {
            return null;
        }

        var decision = await workspace.DecideAsync(new GrantLicenses(assignment.Pool, holders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    private async Task<Rejection?> ReclaimFromMembersAsync(AssignmentState assignment, IReadOnlyList<GroupMember> members, ReclaimReason reason, ILedgerCommand c, bool stillTargetedCheck)
    {
        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        if (workspace.State.Orphaned)
        {
            return null; // rule R7
        }

        var holders = await HoldersOfAsync(assignment, workspace.State.Product, members, warn: false).ConfigureAwait(false);
        if (stillTargetedCheck)
        {
            var stillTargeted = await HoldersStillTargetedAsync(assignment, workspace.State.Product, members).ConfigureAwait(false);
            holders = [.. holders.Where(h => !stillTargeted(h))];
        }

        var seats = await workspace.SeatsAsync(holders, cancellationToken).ConfigureAwait(false);
        holders = [.. holders.Where(h => seats[h.Key].Status != SeatStatus.None)];
        if (holders.Count == 0)
        {
            return null;
        }

        var decision = await workspace.DecideAsync(new ReclaimLicenses(assignment.Pool, holders, reason, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    /// <summary>Rule L8: each member's user license becomes device licenses on the user's devices, in one decision per member.</summary>
    private async Task<Rejection?> MigrateMembersAsync(AssignmentState assignment, IReadOnlyList<GroupMember> members, ILedgerCommand c)
    {
        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        foreach (var member in members)
        {
            var userHolders = await HoldersOfAsync(assignment with { LicenseType = LicenseType.User }, workspace.State.Product, [member], warn: false).ConfigureAwait(false);
            var deviceHolders = await HoldersOfAsync(assignment, workspace.State.Product, [member]).ConfigureAwait(false);
            var seats = await workspace.SeatsAsync(userHolders, cancellationToken).ConfigureAwait(false);
            var from = userHolders.FirstOrDefault(h => seats[h.Key].Status == SeatStatus.Granted);
            if (from is null || deviceHolders.Count == 0)
            {
                if (deviceHolders.Count > 0)
                {
                    var granted = await workspace.DecideAsync(new GrantLicenses(assignment.Pool, deviceHolders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
                    if (granted.IsRejected)
                    {
                        return granted.Rejection;
                    }
                }

                continue;
            }

            var decision = await workspace.DecideAsync(new MigrateToDeviceLicenses(assignment.Pool, from, deviceHolders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }

            var others = userHolders.Where(h => h != from && seats[h.Key].Status != SeatStatus.None).ToList();
            if (others.Count > 0)
            {
                var reclaimed = await workspace.DecideAsync(new ReclaimLicenses(assignment.Pool, others, ReclaimReason.MigratedToDeviceLicense, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
                if (reclaimed.IsRejected)
                {
                    return reclaimed.Rejection;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a holder is still targeted with the pool's app by another active assignment (R4 reclaims only when none
    /// is left). Costs O(members leaving): only the leaving members, their devices and their devices' users are looked
    /// up in the other assigned groups, never the other groups' whole membership.
    /// </summary>
    private async Task<Func<Holder, bool>> HoldersStillTargetedAsync(AssignmentState leaving, ProductKind product, IReadOnlyList<GroupMember> members)
    {
        var groupKey = leaving.Group.Value;
        var others = (await context.ReadAssignmentsOfPoolAsync(leaving.Pool, cancellationToken).ConfigureAwait(false))
            .Where(a => a.GroupKey != groupKey)
            .Select(d => d.State)
            .Where(s => s.WantsLicenses)
            .ToList();
        if (others.Count == 0)
        {
            return _ => false;
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

        var targeted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var other in others)
        {
            var found = await context.ReadMembersAsync(other.Group, [.. related.Select(m => Streams.Member(other.Group, m))], cancellationToken).ConfigureAwait(false);
            var stillIn = found.Select(d => new GroupMember(d.Kind, d.MemberId)).ToList();
            foreach (var holder in await HoldersOfAsync(other, product, stillIn, warn: false).ConfigureAwait(false))
            {
                targeted.Add(holder.Key);
            }
        }

        return h => targeted.Contains(h.Key);
    }

    /// <summary>The group's members in targeting order, a page at a time, after a position.</summary>
    private async IAsyncEnumerable<(IReadOnlyList<GroupMember> Members, long Last)> MemberPagesAsync(GroupId group, long after = -1, int pageSize = MemberPageSize)
    {
        while (true)
        {
            var page = await context.ReadMemberPageAsync(group, after, pageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                yield break;
            }

            after = page[^1].Position;
            yield return ([.. page.Select(m => new GroupMember(m.Kind, m.MemberId))], after);
        }
    }

    /// <summary>
    /// The holders a page of members yields for an assignment (L2-L7 decided by <see cref="LicenseHolders"/>), in
    /// targeting order. Users and devices are read in one query each; a member refused for a reason of its own is
    /// reported as a warning and skipped.
    /// </summary>
    private async Task<List<Holder>> HoldersOfAsync(AssignmentState assignment, ProductKind product, IReadOnlyList<GroupMember> members, bool warn = true)
    {
        var userIds = members.Where(m => m.Kind == GroupKind.User).Select(m => Streams.User(new UserId(m.Id))).ToList();
        var deviceIds = members.Where(m => m.Kind == GroupKind.Device).Select(m => Streams.Device(new DeviceId(m.Id))).ToList();
        var users = (await context.ReadUsersAsync(userIds, cancellationToken).ConfigureAwait(false))
            .ToDictionary(u => u.Id, u => u.State, StringComparer.Ordinal);
        var devices = (await context.ReadDevicesAsync(deviceIds, cancellationToken).ConfigureAwait(false))
            .ToDictionary(d => d.Id, d => d.State, StringComparer.Ordinal);

        // A device license for a user group goes to each of the user's devices.
        var devicesOfUsers = new Dictionary<string, List<DeviceState>>(StringComparer.Ordinal);
        if (assignment.LicenseType == LicenseType.Device && users.Count > 0)
        {
            var owners = users.Values.Where(u => u.Id is not null).Select(u => u.Id!.Value.Value).ToList();
            var owned = await context.ReadDevicesOfUsersAsync(owners, cancellationToken).ConfigureAwait(false);
            foreach (var d in owned.OrderBy(d => d.Id, StringComparer.Ordinal))
            {
                if (!devicesOfUsers.TryGetValue(d.UserKey!, out var list))
                {
                    devicesOfUsers[d.UserKey!] = list = [];
                }

                list.Add(d.State);
            }
        }

        var holders = new List<Holder>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            foreach (var target in TargetsOf(member, users, devices, devicesOfUsers))
            {
                var result = target.Member is null
                    ? MemberHolders.Refused(target.Missing!)
                    : LicenseHolders.For(assignment.Pool, product, assignment.LicenseType, target.Member);
                if (result.IsRefused)
                {
                    if (warn)
                    {
                        context.Warnings.Add(result.Refusal!);
                    }

                    continue;
                }

                holders.AddRange(result.Holders.Where(h => seen.Add(h.Key)));
            }
        }

        return holders;
    }

    private static IEnumerable<(TargetedMember? Member, Rejection? Missing)> TargetsOf(
        GroupMember member,
        Dictionary<string, UserState> users,
        Dictionary<string, DeviceState> devices,
        Dictionary<string, List<DeviceState>> devicesOfUsers)
    {
        if (member.Kind == GroupKind.User)
        {
            if (!users.TryGetValue(Streams.User(new UserId(member.Id)), out var user) || !user.Recorded)
            {
                yield return (null, NotRecorded("User", member.Id));
                yield break;
            }

            if (user.LeftOrganization)
            {
                yield break; // rule R4: nobody who left gets a license
            }

            var kinds = user.Holders().Select(h => h.AppleIdKind!.Value).ToList();
            if (devicesOfUsers.TryGetValue(member.Id, out var owned))
            {
                foreach (var device in owned.Where(d => !d.RemovedFromManagement && d.Profile is not null))
                {
                    yield return (TargetedMember.ForDevice(device.Id!.Value, device.Profile!, user.Id, kinds), null);
                }

                yield break;
            }

            yield return (TargetedMember.ForUser(user.Id!.Value, kinds), null);
            yield break;
        }

        if (!devices.TryGetValue(Streams.Device(new DeviceId(member.Id)), out var state) || !state.Recorded || state.Profile is null)
        {
            yield return (null, NotRecorded("Device", member.Id));
            yield break;
        }

        if (state.RemovedFromManagement)
        {
            yield break; // rule R5 keeps what it holds; a device out of management gets nothing new
        }

        yield return (TargetedMember.ForDevice(state.Id!.Value, state.Profile, state.User, []), null);
    }

    private static Rejection NotRecorded(string what, string id) => new(
        "MemberNotRecorded",
        "A1",
        $"{what} '{id}' is a group member but was never recorded in the directory, so it got no license. Record it (RecordUser or RecordDevice), then add it to the group again.");
}
