using NodaTime;

namespace VppLedger.Directory;

/// <summary>The pure decider of a user stream, <c>user:{userId}</c>.</summary>
internal static class UserDecider
{
    /// <summary>Record a user or their new Apple IDs (rule L4). The same facts twice decide nothing.</summary>
    /// <param name="command">The facts.</param>
    /// <param name="state">The user's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<IUserEvent> Decide(RecordUser command, UserState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (command.PersonalAppleId is { Kind: not AppleIdKind.Personal })
        {
            return DirectoryRejections.AppleIdKindMismatch(AppleIdKind.Personal);
        }

        if (command.ManagedAppleId is { Kind: not AppleIdKind.Managed })
        {
            return DirectoryRejections.AppleIdKindMismatch(AppleIdKind.Managed);
        }

        if (!state.Recorded || state.LeftOrganization)
        {
            return Decision<IUserEvent>.Accept(new UserRecorded(now, command.User, command.PersonalAppleId, command.ManagedAppleId));
        }

        return state.PersonalAppleId == command.PersonalAppleId && state.ManagedAppleId == command.ManagedAppleId
            ? Decision<IUserEvent>.Nothing
            : Decision<IUserEvent>.Accept(new UserAppleIdsChanged(now, command.PersonalAppleId, command.ManagedAppleId));
    }

    /// <summary>Record that the user left (rule R4). Already left: nothing.</summary>
    /// <param name="command">The fact.</param>
    /// <param name="state">The user's state.</param>
    /// <param name="now">The current time.</param>
    public static Decision<IUserEvent> Decide(RecordUserLeftOrganization command, UserState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Recorded)
        {
            return DirectoryRejections.UserNotFound(command.User);
        }

        return state.LeftOrganization
            ? Decision<IUserEvent>.Nothing
            : Decision<IUserEvent>.Accept(new UserLeftOrganization(now));
    }

    /// <summary>Folds one event into the state. Never validates, never throws.</summary>
    /// <param name="state">The state before.</param>
    /// <param name="event">The event.</param>
    public static UserState Evolve(UserState state, IUserEvent @event) => @event switch
    {
        UserRecorded e => state with
        {
            Id = e.User,
            LeftOrganization = false,
            PersonalAppleId = e.PersonalAppleId,
            ManagedAppleId = e.ManagedAppleId,
        },
        UserAppleIdsChanged e => state with { PersonalAppleId = e.PersonalAppleId, ManagedAppleId = e.ManagedAppleId },
        UserLeftOrganization => state with { LeftOrganization = true },
        _ => state,
    };

    /// <summary>Folds events in order, from <see cref="UserState.Initial"/>.</summary>
    /// <param name="events">The stream's events, oldest first.</param>
    public static UserState Fold(IEnumerable<IUserEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Aggregate(UserState.Initial, Evolve);
    }
}
