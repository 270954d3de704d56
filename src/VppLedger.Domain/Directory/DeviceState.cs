namespace VppLedger.Directory;

/// <summary>What the directory knows of one device, folded by <see cref="DeviceDecider.Evolve"/>. Immutable.</summary>
internal sealed record DeviceState
{
    /// <summary>The state of a stream with no event.</summary>
    public static DeviceState Initial { get; } = new();

    /// <summary>The device's id; null until recorded.</summary>
    public DeviceId? Id { get; init; }

    /// <summary>True once recorded.</summary>
    public bool Recorded => Id is not null;

    /// <summary>True after it was removed from management, until recorded again (rule R5).</summary>
    public bool RemovedFromManagement { get; init; }

    /// <summary>Its serial number (personal data; masked by its ToString).</summary>
    public SerialNumber? SerialNumber { get; init; }

    /// <summary>Its profile; null until recorded.</summary>
    public DeviceProfile? Profile { get; init; }

    /// <summary>The user it belongs to, if any.</summary>
    public UserId? User { get; init; }

    /// <summary>Which Apple ID kind is signed in on it, if any (rule L3).</summary>
    public AppleIdKind? SignedInAppleIdKind { get; init; }
}
