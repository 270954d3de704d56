namespace VppLedger.Directory;

/// <summary>What a group holds: users or devices (rule A1: an assignment targets a user group or a device group).</summary>
public enum GroupKind
{
    /// <summary>A group of users.</summary>
    User = 0,

    /// <summary>A group of devices.</summary>
    Device = 1,
}

/// <summary>A member of a group: a user or a device, by the host's id (never an Apple ID or a serial number).</summary>
/// <param name="Kind">User or device; must match the group's kind.</param>
/// <param name="Id">The host's user id or device id.</param>
public readonly record struct GroupMember(GroupKind Kind, string Id)
{
    /// <summary>User or device; throws <see cref="ArgumentException"/> when not a defined <see cref="GroupKind"/>.</summary>
    public GroupKind Kind { get; } = Enum.IsDefined(Kind)
        ? Kind
        : throw new ArgumentException($"Group member kind {(int)Kind} is not a GroupKind; use User or Device.", nameof(Kind));

    /// <summary>
    /// The host's user id or device id, checked as <see cref="UserId"/> and <see cref="DeviceId"/> are: 1 to
    /// <see cref="InputRules.MaxIdLength"/> characters without ':', white space or control characters; else <see cref="ArgumentException"/>.
    /// </summary>
    public string Id { get; } = IdentifierText.Check(Id, "Group member id");

    /// <summary>A user member.</summary>
    /// <param name="user">The user.</param>
    public static GroupMember ForUser(UserId user) => new(GroupKind.User, user.Value);

    /// <summary>A device member.</summary>
    /// <param name="device">The device.</param>
    public static GroupMember ForDevice(DeviceId device) => new(GroupKind.Device, device.Value);

    /// <summary>The user, for a user member.</summary>
    public UserId? User => Kind == GroupKind.User ? new UserId(Id) : null;

    /// <summary>The device, for a device member.</summary>
    public DeviceId? Device => Kind == GroupKind.Device ? new DeviceId(Id) : null;

    /// <summary><c>u.{userId}</c> or <c>d.{deviceId}</c>.</summary>
    public override string ToString() => (Kind == GroupKind.User ? "u." : "d.") + Id;
}

/// <summary>A member with its position in the group: the targeting order of rule A6 is the order of addition.</summary>
/// <param name="Member">The member.</param>
/// <param name="Position">Its position, from 0, increasing in order of addition and never reused.</param>
public readonly record struct PositionedGroupMember(GroupMember Member, long Position);
