using VppLedger.Directory;

namespace VppLedger.Licensing.Workflows;

/// <summary>Which holders a group member yields for an assignment, from the directory facts about it. Pure.</summary>
internal static class MemberTargets
{
    /// <summary>
    /// The holders <paramref name="member"/> yields for <paramref name="licenseType"/>, each as <see cref="LicenseHolders.For"/>
    /// decides (L2-L7), or the refusals of those it cannot take: a member never recorded yields nothing (A1), a user
    /// who left yields nothing (R4), a device out of management takes nothing new (R5); a device license for a user
    /// goes to each of the user's managed devices.
    /// </summary>
    /// <param name="pool">The pool.</param>
    /// <param name="product">The pool's product.</param>
    /// <param name="licenseType">The assignment's license type.</param>
    /// <param name="member">The member.</param>
    /// <param name="user">The member user's recorded state (user members), or null.</param>
    /// <param name="device">The member device's recorded state (device members), or null.</param>
    /// <param name="devicesOfUser">The user's devices, for a device license of a user member; null when not read.</param>
    /// <param name="userLeft">True when the command being decided records this user as gone.</param>
    /// <param name="deviceAssignable">False when Apple's assets snapshot says the pool's asset takes no device license (rule L6).</param>
    public static IReadOnlyList<MemberHolders> Of(
        PoolId pool,
        ProductKind product,
        LicenseType licenseType,
        GroupMember member,
        UserState? user,
        DeviceState? device,
        IReadOnlyList<DeviceState>? devicesOfUser,
        bool userLeft = false,
        bool deviceAssignable = true)
    {
        if (member.Kind == GroupKind.User)
        {
            if (user is not { Recorded: true })
            {
                return [MemberHolders.Refused(LicensingRejections.MemberNotRecorded("User", member.Id))];
            }

            if (user.LeftOrganization || userLeft)
            {
                return []; // rule R4: nobody who left gets a license
            }

            var kinds = user.Holders().Select(h => h.AppleIdKind!.Value).ToList();
            if (licenseType == LicenseType.Device && devicesOfUser is { Count: > 0 })
            {
                return [.. devicesOfUser
                    .Where(d => !d.RemovedFromManagement && d.Profile is not null)
                    .Select(d => LicenseHolders.For(pool, product, licenseType, TargetedMember.ForDevice(d.Id!.Value, d.Profile!, user.Id, kinds), deviceAssignable))];
            }

            return [LicenseHolders.For(pool, product, licenseType, TargetedMember.ForUser(user.Id!.Value, kinds), deviceAssignable)];
        }

        if (device is not { Recorded: true, Profile: not null })
        {
            return [MemberHolders.Refused(LicensingRejections.MemberNotRecorded("Device", member.Id))];
        }

        return device.RemovedFromManagement
            ? [] // rule R5: it keeps what it holds, and takes nothing new
            : [LicenseHolders.For(pool, product, licenseType, TargetedMember.ForDevice(device.Id!.Value, device.Profile, device.User, []), deviceAssignable)];
    }
}
