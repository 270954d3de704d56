namespace VppLedger.Directory;

/// <summary>Marks the commands on one device. Every one needs the "directory" permission (rule X1).</summary>
public interface IDeviceCommand : ILedgerCommand
{
    /// <summary>The device the command is about.</summary>
    DeviceId Device { get; }
}

/// <summary>Record a device or its new facts. Recording a device that left management records it again.</summary>
/// <param name="Device">The host's id of the device.</param>
/// <param name="SerialNumber">Its serial number.</param>
/// <param name="Profile">Platform, ownership, enrollment, supervision, kiosk, App Store access.</param>
/// <param name="User">The user it belongs to, if any.</param>
/// <param name="SignedInAppleIdKind">Which Apple ID kind is signed in on it, if any (rule L3).</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.Directory)]
public sealed record RecordDevice(
    DeviceId Device,
    SerialNumber SerialNumber,
    DeviceProfile Profile,
    UserId? User,
    AppleIdKind? SignedInAppleIdKind,
    CommandId Id,
    Actor Actor) : IDeviceCommand;

/// <summary>Record that a device was retired or removed from management (rule R5: its licenses stay).</summary>
/// <param name="Device">The device.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.Directory)]
public sealed record RecordDeviceRemovedFromManagement(DeviceId Device, CommandId Id, Actor Actor) : IDeviceCommand;
