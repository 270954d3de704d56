using NodaTime;

namespace VppLedger.Directory;

/// <summary>The pure decider of a device stream, <c>device:{deviceId}</c>.</summary>
internal static class DeviceDecider
{
    /// <summary>Record a device or its new facts. The same facts twice decide nothing.</summary>
    /// <param name="command">The facts.</param>
    /// <param name="state">The device's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<IDeviceEvent> Decide(RecordDevice command, DeviceState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (command.Profile is null || command.SerialNumber == default)
        {
            throw new ArgumentException("A device is recorded with its serial number and its profile.", nameof(command));
        }

        if (!state.Recorded || state.RemovedFromManagement)
        {
            return Decision<IDeviceEvent>.Accept(new DeviceRecorded(
                now, command.Device, command.SerialNumber, command.Profile, command.User, command.SignedInAppleIdKind));
        }

        var same = state.SerialNumber == command.SerialNumber
            && state.Profile == command.Profile
            && state.User == command.User
            && state.SignedInAppleIdKind == command.SignedInAppleIdKind;
        return same
            ? Decision<IDeviceEvent>.Nothing
            : Decision<IDeviceEvent>.Accept(new DeviceFactsChanged(
                now, command.SerialNumber, command.Profile, command.User, command.SignedInAppleIdKind));
    }

    /// <summary>Record that the device left management (rule R5: nothing is reclaimed). Already so: nothing.</summary>
    /// <param name="command">The fact.</param>
    /// <param name="state">The device's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<IDeviceEvent> Decide(RecordDeviceRemovedFromManagement command, DeviceState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Recorded)
        {
            return DirectoryRejections.DeviceNotFound(command.Device);
        }

        return state.RemovedFromManagement
            ? Decision<IDeviceEvent>.Nothing
            : Decision<IDeviceEvent>.Accept(new DeviceRemovedFromManagement(now));
    }

    /// <summary>Folds one event into the state. Never validates, never throws.</summary>
    /// <param name="state">The state before.</param>
    /// <param name="event">The event.</param>
    public static DeviceState Evolve(DeviceState state, IDeviceEvent @event) => @event switch
    {
        DeviceRecorded e => state with
        {
            Id = e.Device,
            RemovedFromManagement = false,
            SerialNumber = e.SerialNumber,
            Profile = e.Profile,
            User = e.User,
            SignedInAppleIdKind = e.SignedInAppleIdKind,
        },
        DeviceFactsChanged e => state with
        {
            SerialNumber = e.SerialNumber,
            Profile = e.Profile,
            User = e.User,
            SignedInAppleIdKind = e.SignedInAppleIdKind,
        },
        DeviceRemovedFromManagement => state with { RemovedFromManagement = true },
        _ => state,
    };

    /// <summary>Folds events in order, from <see cref="DeviceState.Initial"/>.</summary>
    /// <param name="events">The stream's events, oldest first.</param>
    public static DeviceState Fold(IEnumerable<IDeviceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Aggregate(DeviceState.Initial, Evolve);
    }
}
