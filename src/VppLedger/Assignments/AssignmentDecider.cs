using NodaTime;
using VppLedger.Licensing;

namespace VppLedger.Assignments;

/// <summary>The pure decider of an assignment stream (<c>assignment:{tokenId}:{adamId}:{groupId}</c>).</summary>
public static class AssignmentDecider
{
    /// <summary>
    /// Decides what <paramref name="command"/> changes in the assignment: permission first (rule X1), then rules
    /// A1, A2, L6, L8. A rejected command and a command already applied decide no events (rule I4). What the change
    /// means for the members' licenses is <see cref="AssignmentEffects.OnMembers"/> of the states before and after.
    /// </summary>
    /// <param name="command">The command; it must name <paramref name="state"/>'s pool and group.</param>
    /// <param name="state">The assignment's state, folded with <see cref="Evolve"/>.</param>
    /// <param name="now">The business time stamped on every event decided.</param>
    /// <exception cref="ArgumentException">The command is for another assignment, or of an unknown type.</exception>
    public static Decision<IAssignmentEvent> Decide(IAssignmentCommand command, AssignmentState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (command.Pool != state.Pool || command.Group != state.Group)
        {
            throw new ArgumentException($"Command for assignment {command.Pool}/{command.Group} was given the state of {state.Pool}/{state.Group}.", nameof(command));
        }

        if (!command.Actor.Has(Permissions.MobileApps))
        {
            return AssignmentRejections.PermissionDenied(command.Actor, command.Pool, command.Group);
        }

        return command switch
        {
            CreateAssignment c => DecideCreate(c, state, now),
            ChangeAssignment c => DecideChange(c, state, now),
            RemoveAssignment c => state.Active
                ? Decision<IAssignmentEvent>.Accept(new AssignmentRemoved(c.Pool, c.Group, now))
                : Decision<IAssignmentEvent>.Nothing,
            _ => throw new ArgumentException($"Unknown assignment command {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>
    /// The token of the assignment's pool was deleted (rules T10, R7): an active assignment ends with it, and nothing
    /// is reclaimed. An assignment already ended or removed decides nothing. A step of the token's deletion, not a
    /// command of its own.
    /// </summary>
    /// <param name="state">The assignment's state.</param>
    /// <param name="now">The business time of the deletion.</param>
    public static Decision<IAssignmentEvent> EndWithToken(AssignmentState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Active
            ? Decision<IAssignmentEvent>.Accept(new AssignmentEndedWithToken(state.Pool, state.Group, now))
            : Decision<IAssignmentEvent>.Nothing;
    }

    /// <summary>Folds one event into the assignment's state. Never validates, never throws.</summary>
    public static AssignmentState Evolve(AssignmentState state, IAssignmentEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            AssignmentCreated e => state with { Active = true, Target = e.Target, Intent = e.Intent, LicenseType = e.LicenseType },
            AssignmentChanged e => state with { Intent = e.Intent, LicenseType = e.LicenseType },
            AssignmentRemoved => state with { Active = false },
            AssignmentEndedWithToken => state with { Active = false },
            _ => state,
        };
    }

    private static Decision<IAssignmentEvent> DecideCreate(CreateAssignment c, AssignmentState state, Instant now)
    {
        if (Refusal(c.Pool, c.Group, c.Target, c.Intent, c.LicenseType, c.Product) is { } refused)
        {
            return refused;
        }

        if (state.Active)
        {
            return state.Target == c.Target && state.Intent == c.Intent && state.LicenseType == c.LicenseType
                ? Decision<IAssignmentEvent>.Nothing
                : AssignmentRejections.AssignmentAlreadyExists(c.Pool, c.Group);
        }

        return Decision<IAssignmentEvent>.Accept(new AssignmentCreated(c.Pool, c.Group, c.Target, c.Intent, c.LicenseType, now));
    }

    private static Decision<IAssignmentEvent> DecideChange(ChangeAssignment c, AssignmentState state, Instant now)
    {
        if (!state.Active)
        {
            return AssignmentRejections.AssignmentNotFound(c.Pool, c.Group);
        }

        if (Refusal(c.Pool, c.Group, state.Target, c.Intent, c.LicenseType, c.Product) is { } refused)
        {
            return refused;
        }

        if (state.LicenseType == LicenseType.Device && c.LicenseType == LicenseType.User)
        {
            return LicensingRejections.DeviceToUserMigrationNotSupported(c.Pool.AdamId); // rule L8
        }

        return state.Intent == c.Intent && state.LicenseType == c.LicenseType
            ? Decision<IAssignmentEvent>.Nothing
            : Decision<IAssignmentEvent>.Accept(new AssignmentChanged(c.Pool, c.Group, c.Intent, c.LicenseType, now));
    }

    private static Rejection? Refusal(
        PoolId pool, GroupId group, AssignmentTarget target, AssignmentIntent intent, LicenseType licenseType, ProductKind product)
    {
        if (target == AssignmentTarget.DeviceGroup && intent == AssignmentIntent.Available)
        {
            return AssignmentRejections.AvailableIntentNotForDeviceGroups(group); // rule A2
        }

        if (product == ProductKind.Book && licenseType == LicenseType.Device)
        {
            return LicensingRejections.BooksTakeUserLicensesOnly(pool.AdamId); // rule L6
        }

        return null;
    }
}
