using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Licensing.Workflows;

namespace VppLedger.Storage;

/// <summary>Reading a group's members and the holders they yield for an assignment (the rules are LicenseHolders').</summary>
internal sealed partial class LedgerHandlers
{
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
    /// The holders a page of members yields for an assignment (decided by <see cref="MemberTargets"/>), in
    /// targeting order. Users and devices are read in one query each; a member refused for a reason of its own is
    /// reported as a warning and skipped.
    /// </summary>
    private async Task<List<Holder>> HoldersOfAsync(AssignmentState assignment, ProductKind product, IReadOnlyList<GroupMember> members, bool deviceAssignable, bool warn = true)
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
            var user = member.Kind == GroupKind.User ? users.GetValueOrDefault(Streams.User(new UserId(member.Id))) : null;
            var device = member.Kind == GroupKind.Device ? devices.GetValueOrDefault(Streams.Device(new DeviceId(member.Id))) : null;
            var owned = member.Kind == GroupKind.User ? devicesOfUsers.GetValueOrDefault(member.Id) : null;
            foreach (var result in MemberTargets.Of(assignment.Pool, product, assignment.LicenseType, member, user, device, owned, _leftUsers.Contains(member.Id), deviceAssignable))
            {
                if (result.IsRejected)
                {
                    if (warn)
                    {
                        context.Warnings.Add(result.Rejection!.AsWarning());
                    }

                    continue;
                }

                holders.AddRange(result.Holders.Where(h => seen.Add(h.Key)));
            }
        }

        return holders;
    }
}
