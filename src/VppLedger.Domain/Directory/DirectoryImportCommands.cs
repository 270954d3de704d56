namespace VppLedger.Directory;

/// <summary>One user of a <see cref="RecordDirectory"/> command: what <see cref="RecordUser"/> would carry.</summary>
/// <param name="User">The host's id of the user.</param>
/// <param name="PersonalAppleId">The personal Apple ID, if known; must be of kind Personal.</param>
/// <param name="ManagedAppleId">The managed Apple ID, if known; must be of kind Managed.</param>
public sealed record DirectoryUser(UserId User, AppleId? PersonalAppleId, AppleId? ManagedAppleId);

/// <summary>One device of a <see cref="RecordDirectory"/> command: what <see cref="RecordDevice"/> would carry.</summary>
/// <param name="Device">The host's id of the device.</param>
/// <param name="SerialNumber">Its serial number.</param>
/// <param name="Profile">Platform, ownership, enrollment, supervision, kiosk, App Store access.</param>
/// <param name="User">The user it belongs to, if any.</param>
/// <param name="SignedInAppleIdKind">Which Apple ID kind is signed in on it, if any (rule L3).</param>
public sealed record DirectoryDevice(DeviceId Device, SerialNumber SerialNumber, DeviceProfile Profile, UserId? User, AppleIdKind? SignedInAppleIdKind);

/// <summary>
/// Record many users and devices in one command, for a directory import or a full sync: each entry is decided
/// exactly as its own <see cref="RecordUser"/> or <see cref="RecordDevice"/> would be (users first, in order), and
/// every event commits in one transaction (I3). One refused entry refuses the whole command and nothing is written.
/// Why it exists: a tenant's audit chain commits one transaction at a time, so recording 500,000 users and devices
/// one command each is bound by the disk's flush rate, whatever the concurrency.
/// </summary>
/// <param name="Users">Users to record; together with <paramref name="Devices"/> at most <see cref="MaxEntriesPerCommand"/>.</param>
/// <param name="Devices">Devices to record.</param>
/// <param name="Id">The idempotency key of the whole batch.</param>
/// <param name="Actor">Who asked; needs the "directory" permission (rule X1).</param>
[RequiresPermission(Permissions.Directory)]
public sealed record RecordDirectory(IReadOnlyList<DirectoryUser> Users, IReadOnlyList<DirectoryDevice> Devices, CommandId Id, Actor Actor) : ILedgerCommand
{
    /// <summary>Most users plus devices in one command: bounds the size of one transaction (I3), as for group members.</summary>
    public const int MaxEntriesPerCommand = 5000;
}
