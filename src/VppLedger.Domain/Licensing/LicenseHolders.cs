using VppLedger.Directory;

namespace VppLedger.Licensing;

/// <summary>One member of a targeted group, with the directory facts that decide its holders.</summary>
internal sealed record TargetedMember
{
    private TargetedMember(UserId? user, IReadOnlyList<AppleIdKind> appleIdKinds, DeviceId? device, DeviceProfile? profile)
    {
        User = user;
        AppleIdKinds = appleIdKinds;
        Device = device;
        Profile = profile;
    }

    /// <summary>The user: the member of a user group, or a device's user when known.</summary>
    public UserId? User { get; }

    /// <summary>The kinds of Apple ID the user has (rule L4); empty when none is known.</summary>
    public IReadOnlyList<AppleIdKind> AppleIdKinds { get; }

    /// <summary>The device: the member of a device group, or the user's device when known.</summary>
    public DeviceId? Device { get; }

    /// <summary>The device's facts (enrollment, App Store), when a device is known.</summary>
    public DeviceProfile? Profile { get; }

    /// <summary>A user-group member, with the device it is targeted on when the host knows it.</summary>
    public static TargetedMember ForUser(UserId user, IReadOnlyList<AppleIdKind> appleIdKinds, DeviceId? device = null, DeviceProfile? profile = null) =>
        new(user, appleIdKinds ?? throw new ArgumentNullException(nameof(appleIdKinds)), device, profile);

    /// <summary>A device-group member, with the device's user and Apple IDs when the host knows them.</summary>
    public static TargetedMember ForDevice(DeviceId device, DeviceProfile profile, UserId? user = null, IReadOnlyList<AppleIdKind>? appleIdKinds = null) =>
        new(user, appleIdKinds ?? [], device, profile ?? throw new ArgumentNullException(nameof(profile)));

    /// <summary>A name for messages: the host's ids, never an Apple ID or a serial number.</summary>
    public string Name => User is { } user ? $"user {user}" : $"device {Device}";
}

/// <summary>The holders a member yields, or why it yields none.</summary>
/// <param name="Holders">The holders to grant, in a stable order; empty when refused.</param>
/// <param name="Rejection">Why the member yields no holder, or null.</param>
internal sealed record MemberHolders(IReadOnlyList<Holder> Holders, Rejection? Rejection)
{
    /// <summary>True when the member yields no holder, for <see cref="Rejection"/>.</summary>
    public bool IsRejected => Rejection is not null;

    /// <summary>A refusal (not an exception: one member's refusal does not stop the others).</summary>
    public static MemberHolders Refused(Rejection refusal) => new([], refusal ?? throw new ArgumentNullException(nameof(refusal)));
}

/// <summary>Which holders a targeted member yields for a license type (rules L2-L7).</summary>
internal static class LicenseHolders
{
    /// <summary>
    /// The holders of <paramref name="member"/> for <paramref name="licenseType"/> in <paramref name="pool"/>:
    /// a device license goes to the device (L2), never on User Enrollment (L5), never for a book (L6); a user
    /// license goes to each Apple ID the user has (L4: personal and managed are two holders), managed only on
    /// User Enrollment (L5), and is refused where the App Store is blocked (L7).
    /// </summary>
    public static MemberHolders For(PoolId pool, ProductKind product, LicenseType licenseType, TargetedMember member, bool deviceAssignable = true)
    {
        ArgumentNullException.ThrowIfNull(member);
        var userEnrollment = member.Profile?.Enrollment == EnrollmentKind.UserEnrollment;
        if (licenseType == LicenseType.Device)
        {
            if (LicensingRejections.RefuseDeviceLicense(pool.AdamId, product, deviceAssignable) is { } noDevices)
            {
                return MemberHolders.Refused(noDevices); // rule L6: a book, or an asset Apple says is not device-assignable
            }

            if (member.Device is not { } device)
            {
                return MemberHolders.Refused(LicensingRejections.DeviceLicenseNeedsDevice(member.Name));
            }

            return userEnrollment
                ? MemberHolders.Refused(LicensingRejections.DeviceLicensingNotOnUserEnrollment(device))
                : new MemberHolders([Holder.ForDevice(device)], null);
        }

        if (member.Profile?.AppStoreBlocked == true)
        {
            return MemberHolders.Refused(LicensingRejections.UserLicensingNeedsAppStore(member.Device));
        }

        if (member.User is not { } user)
        {
            return MemberHolders.Refused(LicensingRejections.UserLicenseNeedsAppleId(member.Name));
        }

        var kinds = member.AppleIdKinds
            .Where(kind => !userEnrollment || kind == AppleIdKind.Managed)
            .Distinct()
            .Order()
            .ToList();
        if (kinds.Count == 0)
        {
            return MemberHolders.Refused(userEnrollment
                ? LicensingRejections.UserEnrollmentNeedsManagedAppleId(user)
                : LicensingRejections.UserLicenseNeedsAppleId(member.Name));
        }

        return new MemberHolders([.. kinds.Select(kind => Holder.ForUser(user, kind))], null);
    }

    /// <summary>
    /// Whether <paramref name="holder"/> may take a license of <paramref name="pool"/> by a direct grant, by the same
    /// rules a targeted member passes: recorded in the directory (A1), still in the organization (R4), a device still
    /// managed (R5), and one of the holders <see cref="For"/> yields for it (L4, L5, L6, L7).
    /// </summary>
    /// <param name="pool">The pool.</param>
    /// <param name="product">The pool's product.</param>
    /// <param name="holder">The holder asked for.</param>
    /// <param name="user">The user's recorded state, for a user license; null when never recorded.</param>
    /// <param name="device">The device's recorded state, for a device license; null when never recorded.</param>
    /// <param name="deviceAssignable">False when Apple's assets snapshot says the pool's asset takes no device license (rule L6).</param>
    /// <returns>Null when the holder may take the license; otherwise why not.</returns>
    public static Rejection? CheckDirectGrant(PoolId pool, ProductKind product, Holder holder, UserState? user, DeviceState? device, bool deviceAssignable = true)
    {
        ArgumentNullException.ThrowIfNull(holder);
        MemberHolders yields;
        if (holder.Type == LicenseType.Device)
        {
            if (device is not { Recorded: true, Profile: not null })
            {
                return LicensingRejections.HolderNotRecorded(holder);
            }

            if (device.RemovedFromManagement)
            {
                return LicensingRejections.DeviceNotManaged(device.Id!.Value);
            }

            yields = For(pool, product, LicenseType.Device, TargetedMember.ForDevice(device.Id!.Value, device.Profile, device.User), deviceAssignable);
        }
        else
        {
            if (user is not { Recorded: true })
            {
                return LicensingRejections.HolderNotRecorded(holder);
            }

            if (user.LeftOrganization)
            {
                return LicensingRejections.HolderLeftOrganization(user.Id!.Value);
            }

            yields = For(pool, product, LicenseType.User, TargetedMember.ForUser(user.Id!.Value, [.. user.Holders().Select(h => h.AppleIdKind!.Value)]));
        }

        return yields.Rejection ?? (yields.Holders.Contains(holder) ? null : LicensingRejections.HolderNotRecorded(holder));
    }
}
