namespace VppLedger;

/// <summary>The two license types Apple offers (rule L1).</summary>
public enum LicenseType
{
    /// <summary>Bound to a user's Apple ID; covers up to 5 devices of that Apple ID (rule L3).</summary>
    User = 0,

    /// <summary>Bound to one device; no Apple ID needed (rule L2).</summary>
    Device = 1,
}

/// <summary>What was bought: an app or a book (books take user licenses only, rule L6).</summary>
public enum ProductKind
{
    /// <summary>A store app or a custom app (rule L9).</summary>
    App = 0,

    /// <summary>A book.</summary>
    Book = 1,
}

/// <summary>
/// What a license is assigned to: a user's Apple ID of one kind (user license) or a device (device license).
/// Built from the host's ids, never from Apple IDs or serial numbers, so it is safe in keys and logs.
/// A user with a personal and a managed Apple ID is two holders (rule L4).
/// </summary>
public sealed record Holder
{
    private Holder(LicenseType type, string ownerId, AppleIdKind? appleIdKind)
    {
        Type = type;
        OwnerId = ownerId;
        AppleIdKind = appleIdKind;

        // Built once: deciders, seats and the audit read it several times per holder (a grant of 1,000 holders
        // allocated about 0.5 MB of keys when it was built on every read).
        Key = type == LicenseType.Device
            ? "d." + ownerId
            : "u." + ownerId + (appleIdKind == VppLedger.AppleIdKind.Managed ? ".managed" : ".personal");
    }

    /// <summary>The license type this holder takes.</summary>
    public LicenseType Type { get; }

    /// <summary>The host's user id (user license) or device id (device license).</summary>
    public string OwnerId { get; }

    /// <summary>Which of the user's Apple IDs holds the license; null for a device.</summary>
    public AppleIdKind? AppleIdKind { get; }

    /// <summary>A stable text key, unique per holder within a pool: <c>u.{userId}.personal</c>, <c>u.{userId}.managed</c> or <c>d.{deviceId}</c>.</summary>
    public string Key { get; }

    /// <summary>A user license held by one of the user's Apple IDs; throws <see cref="ArgumentException"/> for a default user id or an undefined kind.</summary>
    public static Holder ForUser(UserId user, AppleIdKind kind)
    {
        if (user == default)
        {
            throw new ArgumentException("Holder user is a default UserId; build it with new UserId(\"...\").", nameof(user));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"Holder Apple ID kind {(int)kind} is not an AppleIdKind; use Personal or Managed.", nameof(kind));
        }

        return new(LicenseType.User, user.Value, kind);
    }

    /// <summary>A device license held by a device; throws <see cref="ArgumentException"/> for a default device id.</summary>
    public static Holder ForDevice(DeviceId device) => device == default
        ? throw new ArgumentException("Holder device is a default DeviceId; build it with new DeviceId(\"...\").", nameof(device))
        : new(LicenseType.Device, device.Value, null);

    /// <summary>Rebuilds a holder from its <see cref="Key"/>; throws <see cref="FormatException"/> for any other text.</summary>
    public static Holder FromKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith("d.", StringComparison.Ordinal))
        {
            return ForDevice(new DeviceId(key[2..]));
        }

        if (key.StartsWith("u.", StringComparison.Ordinal))
        {
            var dot = key.LastIndexOf('.');
            var kind = key[(dot + 1)..] switch
            {
                "personal" => VppLedger.AppleIdKind.Personal,
                "managed" => VppLedger.AppleIdKind.Managed,
                _ => throw new FormatException($"Holder key '{key}' does not end in .personal or .managed."),
            };
            return ForUser(new UserId(key[2..dot]), kind);
        }

        throw new FormatException($"Holder key '{key}' starts with neither 'u.' nor 'd.'.");
    }

    /// <summary>The user, for a user license holder.</summary>
    public UserId? User => Type == LicenseType.User ? new UserId(OwnerId) : null;

    /// <summary>The device, for a device license holder.</summary>
    public DeviceId? Device => Type == LicenseType.Device ? new DeviceId(OwnerId) : null;

    /// <inheritdoc />
    public override string ToString() => Key;
}
