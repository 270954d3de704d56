using VppLedger.Pools;

namespace VppLedger.Licensing.Workflows;

/// <summary>What moving one member of an assignment from user to device licensing asks of a pool (rule L8). Pure.</summary>
internal static class LicenseMigration
{
    /// <summary>
    /// The pool commands for one member: the first granted user license passes to the member's devices in one
    /// decision (rule L8: before the queue sees it); every other user seat the member holds, granted or queued, is
    /// released, so a device-licensed assignment neither keeps nor later receives a user license (rules L8, A6); a
    /// member with no user license held gets its device licenses granted (or queued, rule A6).
    /// </summary>
    /// <param name="pool">The pool.</param>
    /// <param name="userSeats">The user seats the member actually holds in the pool (every Apple ID kind, rule L4).</param>
    /// <param name="deviceHolders">The member's devices that can take a device license (rules L2, L5).</param>
    /// <param name="id">The command that caused it.</param>
    /// <param name="actor">Under whose permission it runs.</param>
    public static IReadOnlyList<IPoolCommand> ForMember(
        PoolId pool, IReadOnlyList<HeldSeat> userSeats, IReadOnlyList<Holder> deviceHolders, CommandId id, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(userSeats);
        ArgumentNullException.ThrowIfNull(deviceHolders);
        var held = userSeats.Where(s => s.Holder.Type == LicenseType.User && s.Status != SeatStatus.None).ToList();
        var from = deviceHolders.Count == 0 ? null : held.FirstOrDefault(s => s.Status == SeatStatus.Granted)?.Holder;
        var commands = new List<IPoolCommand>();
        if (from is not null)
        {
            commands.Add(new MigrateToDeviceLicenses(pool, from, deviceHolders, id, actor));
        }

        var rest = held.Select(s => s.Holder).Where(h => h != from).ToList();
        if (rest.Count > 0)
        {
            commands.Add(new ReclaimLicenses(pool, rest, ReclaimReason.MigratedToDeviceLicense, id, actor));
        }

        if (from is null && deviceHolders.Count > 0)
        {
            commands.Add(new GrantLicenses(pool, deviceHolders, id, actor));
        }

        return commands;
    }
}
