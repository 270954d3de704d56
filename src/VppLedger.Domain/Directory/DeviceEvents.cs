using NodaTime;

namespace VppLedger.Directory;

/// <summary>Marks the events of a device stream, <c>device:{deviceId}</c>. Serial numbers are data inside events, never in stream ids.</summary>
public interface IDeviceEvent : ILedgerEvent;

/// <summary>The host reported a device, first or again after it left management.</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="Device">The host's id of the device.</param>
/// <param name="SerialNumber">Its serial number (personal data).</param>
/// <param name="Profile">Platform, ownership, enrollment, supervision, kiosk, App Store access.</param>
/// <param name="User">The user it belongs to, if any.</param>
/// <param name="SignedInAppleIdKind">Which Apple ID kind is signed in on it, if any (rule L3: user license coverage).</param>
public sealed record DeviceRecorded(
    Instant OccurredAt,
    DeviceId Device,
    SerialNumber SerialNumber,
    DeviceProfile Profile,
    UserId? User,
    AppleIdKind? SignedInAppleIdKind) : IDeviceEvent;

/// <summary>The host reported other facts for a known device; the event holds all of them as they are now.</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="SerialNumber">Its serial number (personal data).</param>
/// <param name="Profile">Platform, ownership, enrollment, supervision, kiosk, App Store access.</param>
/// <param name="User">The user it belongs to, if any.</param>
/// <param name="SignedInAppleIdKind">Which Apple ID kind is signed in on it, if any (rule L3).</param>
public sealed record DeviceFactsChanged(
    Instant OccurredAt,
    SerialNumber SerialNumber,
    DeviceProfile Profile,
    UserId? User,
    AppleIdKind? SignedInAppleIdKind) : IDeviceEvent;

/// <summary>The device was retired or removed from management. It keeps its licenses: nothing is reclaimed (rule R5).</summary>
/// <param name="OccurredAt">When.</param>
public sealed record DeviceRemovedFromManagement(Instant OccurredAt) : IDeviceEvent;
