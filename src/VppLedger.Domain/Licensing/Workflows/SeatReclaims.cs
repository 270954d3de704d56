using VppLedger.Directory;
using VppLedger.Pools;

namespace VppLedger.Licensing.Workflows;

/// <summary>One seat a holder actually holds in a pool: granted, or waiting in the queue (rule A6).</summary>
/// <param name="Holder">Who holds it.</param>
/// <param name="Status">Granted or queued.</param>
internal sealed record HeldSeat(Holder Holder, SeatStatus Status);

/// <summary>Which seats go back when a member stops being targeted. Pure: no clock, no I/O.</summary>
internal static class SeatReclaims
{
    /// <summary>
    /// The holders to release when members stop being targeted, chosen from the seats they actually hold (never from
    /// today's directory facts recomputed, so a dropped Apple ID or a user's device keeps no seat by accident):
    /// every held seat of <paramref name="licenseType"/> (or of both types when null), except a holder another live
    /// assignment still targets (rule R4), a device removed from management (rule R5), and, when
    /// <paramref name="queuedOnly"/>, every granted seat (only the queue is withdrawn).
    /// </summary>
    /// <param name="held">The seats the members hold in the pool: their user licenses and their devices' licenses.</param>
    /// <param name="licenseType">The license type the change acts on (rule A4: an Uninstall acts on its own), or null for both.</param>
    /// <param name="stillTargeted">Holder keys another live assignment of the pool still targets.</param>
    /// <param name="devicesRemovedFromManagement">Device ids removed from management: they keep their licenses (rule R5).</param>
    /// <param name="queuedOnly">True to withdraw queue entries only and leave granted seats.</param>
    public static IReadOnlyList<Holder> ToRelease(
        IEnumerable<HeldSeat> held,
        LicenseType? licenseType,
        IReadOnlySet<string> stillTargeted,
        IReadOnlySet<string> devicesRemovedFromManagement,
        bool queuedOnly = false)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(stillTargeted);
        ArgumentNullException.ThrowIfNull(devicesRemovedFromManagement);
        return [.. held
            .Where(s => s.Status != SeatStatus.None)
            .Where(s => licenseType is null || s.Holder.Type == licenseType)
            .Where(s => !queuedOnly || s.Status == SeatStatus.Queued)
            .Where(s => !stillTargeted.Contains(s.Holder.Key))
            .Where(s => !(s.Holder.Type == LicenseType.Device && devicesRemovedFromManagement.Contains(s.Holder.OwnerId))) // rule R5
            .Select(s => s.Holder)
            .DistinctBy(h => h.Key)
            .OrderBy(h => h.Key, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The pool commands that release <paramref name="holders"/> for <paramref name="reason"/>: one reclaim, whose
    /// freed seats serve the queue head in the same decision (rule A6); none when there is nothing to release.
    /// </summary>
    public static IReadOnlyList<IPoolCommand> Release(PoolId pool, IReadOnlyList<Holder> holders, ReclaimReason reason, CommandId id, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(holders);
        return holders.Count == 0 ? [] : [new ReclaimLicenses(pool, holders, reason, id, actor)];
    }

    /// <summary>
    /// The user holders a change of Apple IDs leaves with no Apple ID behind them (rules L3, L4): a seat held under an
    /// Apple ID the user no longer has is targeted by nothing, so it goes back (rule R4). Empty when nothing was dropped.
    /// </summary>
    /// <param name="before">The user before the change.</param>
    /// <param name="after">The user after it.</param>
    public static IReadOnlyList<Holder> DroppedAppleIds(UserState before, UserState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Id is not { } user || !before.Recorded || before.LeftOrganization)
        {
            return [];
        }

        var dropped = new List<Holder>(2);
        if (before.PersonalAppleId is not null && after.PersonalAppleId is null)
        {
            dropped.Add(Holder.ForUser(user, AppleIdKind.Personal));
        }

        if (before.ManagedAppleId is not null && after.ManagedAppleId is null)
        {
            dropped.Add(Holder.ForUser(user, AppleIdKind.Managed));
        }

        return dropped;
    }
}
