using NodaTime;
using VppLedger.Licensing;

namespace VppLedger.Assignments;

/// <summary>The pure decider of an assignment stream (<c>assignment:{tokenId}:{adamId}:{groupId}</c>).</summary>
internal static class AssignmentDecider
{
    /// <summary>
    /// Decides what <paramref name="command"/> changes in the assignment: rules
    /// A1, A2, L6, L8. A rejected command and a command already applied decide no events (rule I4). What the change
    /// means for the members' licenses is <see cref="AssignmentEffects.OnMembers"/> of the states before and after.
    /// </summary>
    /// <param name="command">The command; it must name <paramref name="state"/>'s pool and group.</param>
    /// <param name="state">The assignment's state, folded with <see cref="Evolve"/>.</param>
    /// <param name="facts">The pool's product and the group's kind, as the ledger recorded them.</param>
    /// <param name="now">The business time stamped on every event decided.</param>
    /// <exception cref="ArgumentException">The command is for another assignment, or of an unknown type.</exception>
    public static Decision<IAssignmentEvent> Decide(IAssignmentCommand command, AssignmentState state, AssignmentFacts facts, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(facts);
        if (command.Pool != state.Pool || command.Group != state.Group)
        {
            throw new ArgumentException($"Command for assignment {command.Pool}/{command.Group} was given the state of {state.Pool}/{state.Group}.", nameof(command));
        }

        return command switch
        {
            CreateAssignment c => DecideCreate(c, state, facts, now),
            ChangeAssignment c => DecideChange(c, state, facts, now),
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

    private static Decision<IAssignmentEvent> DecideCreate(CreateAssignment c, AssignmentState state, AssignmentFacts facts, Instant now)
    {
        if (Unknown(c.Pool, c.Group, facts) is { } unknown)
        {
            return unknown;
        }

        var target = facts.Target!.Value;
        if (Refusal(c.Pool, c.Group, target, c.Intent, c.LicenseType, facts) is { } refused)
        {
            return refused;
        }

        if (state.Active)
        {
            return state.Target == target && state.Intent == c.Intent && state.LicenseType == c.LicenseType
                ? Decision<IAssignmentEvent>.Nothing
                : AssignmentRejections.AssignmentAlreadyExists(c.Pool, c.Group);
        }

        return Decision<IAssignmentEvent>.Accept(new AssignmentCreated(c.Pool, c.Group, target, c.Intent, c.LicenseType, now));
    }

    private static Decision<IAssignmentEvent> DecideChange(ChangeAssignment c, AssignmentState state, AssignmentFacts facts, Instant now)
    {
        if (facts.PoolOrphaned)
        {
            return Pools.PoolRejections.PoolOrphanedTokenDeleted(c.Pool); // rule T10
        }

        if (!state.Active)
        {
            return AssignmentRejections.AssignmentNotFound(c.Pool, c.Group);
        }

        if (Refusal(c.Pool, c.Group, state.Target, c.Intent, c.LicenseType, facts) is { } refused)
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

    // The ledger must know the pool's product and the group's kind before it can check an assignment against them.
    private static Rejection? Unknown(PoolId pool, GroupId group, AssignmentFacts facts)
    {
        if (facts.PoolOrphaned)
        {
            return Pools.PoolRejections.PoolOrphanedTokenDeleted(pool); // rule T10: a deleted token's apps left the MDM
        }

        if (!facts.PoolSynced)
        {
            return Pools.PoolRejections.PoolNotSynced(pool); // rule S2
        }

        return facts.GroupKind is null ? Directory.DirectoryRejections.GroupNotFound(group) : null;
    }

    private static Rejection? Refusal(
        PoolId pool, GroupId group, AssignmentTarget target, AssignmentIntent intent, LicenseType licenseType, AssignmentFacts facts)
    {
        if (target == AssignmentTarget.DeviceGroup && intent == AssignmentIntent.Available)
        {
            return AssignmentRejections.AvailableIntentNotForDeviceGroups(group); // rule A2
        }

        if (target == AssignmentTarget.DeviceGroup && licenseType == LicenseType.User)
        {
            return AssignmentRejections.UserLicensingNotForDeviceGroups(group); // rules L5, L7: it would grant nobody
        }

        return licenseType == LicenseType.Device
            ? LicensingRejections.RefuseDeviceLicense(pool.AdamId, facts.Product, facts.DeviceAssignable) // rule L6: a book, or an asset Apple says is not device-assignable
            : null;
    }
}
