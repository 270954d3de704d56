using NodaTime;

namespace VppLedger.Licensing;

/// <summary>A device signed in with the Apple ID that holds a user license.</summary>
/// <param name="Device">The device.</param>
/// <param name="SignedInAt">When it signed in with that Apple ID; earlier devices are covered first.</param>
internal sealed record SignedInDevice(DeviceId Device, Instant SignedInAt);

/// <summary>Whether one device is covered by the user license of the Apple ID it signed in with.</summary>
/// <param name="Device">The device.</param>
/// <param name="Covered">True for the first <see cref="UserLicenseCoverage.MaxDevicesPerUserLicense"/> devices.</param>
/// <param name="Rule">The rule that decides it: L3.</param>
public sealed record DeviceCoverage(DeviceId Device, bool Covered, string Rule);

/// <summary>Rule L3: one user license covers up to 5 devices signed in with the same Apple ID.</summary>
internal static class UserLicenseCoverage
{
    /// <summary>Devices one user license covers.</summary>
    public const int MaxDevicesPerUserLicense = 5; // rule L3

    /// <summary>
    /// Which devices of one Apple ID the license covers: ordered by sign-in time, then device id (ordinal), so the
    /// answer is stable; the first <see cref="MaxDevicesPerUserLicense"/> are covered, later ones are not.
    /// A device listed twice counts once, at its earliest sign-in.
    /// </summary>
    public static IReadOnlyList<DeviceCoverage> Cover(IEnumerable<SignedInDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        return [.. devices
            .GroupBy(d => d.Device)
            .Select(g => g.MinBy(d => d.SignedInAt)!)
            .OrderBy(d => d.SignedInAt)
            .ThenBy(d => d.Device.Value, StringComparer.Ordinal)
            .Select((d, index) => new DeviceCoverage(d.Device, index < MaxDevicesPerUserLicense, "L3"))];
    }
}
