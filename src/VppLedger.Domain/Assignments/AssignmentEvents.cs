using NodaTime;

namespace VppLedger.Assignments;

/// <summary>What an assignment targets (rule A1). Named apart from the directory's own group kinds.</summary>
public enum AssignmentTarget
{
    /// <summary>A group of users.</summary>
    UserGroup = 0,

    /// <summary>A group of devices; Available intent is not supported there (rule A2).</summary>
    DeviceGroup = 1,
}

/// <summary>What the assignment asks for (rules A1, A3, A4).</summary>
public enum AssignmentIntent
{
    /// <summary>The end user installs the app from the Company Portal (rule A3); user groups only (rule A2).</summary>
    Available = 0,

    /// <summary>The app installs automatically (rule A3).</summary>
    Required = 1,

    /// <summary>The license is reclaimed and the app uninstalled (rule A4).</summary>
    Uninstall = 2,
}

/// <summary>Marks every event of an assignment stream (<c>assignment:{tokenId}:{adamId}:{groupId}</c>).</summary>
public interface IAssignmentEvent : ILedgerEvent
{
    /// <summary>The pool whose app is assigned.</summary>
    PoolId Pool { get; }

    /// <summary>The targeted group.</summary>
    GroupId Group { get; }
}

/// <summary>An app of a pool was assigned to a group (rule A1).</summary>
/// <param name="Pool">The pool whose app is assigned.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Target">User group or device group.</param>
/// <param name="Intent">Available, Required or Uninstall.</param>
/// <param name="LicenseType">User or device licenses.</param>
/// <param name="OccurredAt">When it was assigned.</param>
public sealed record AssignmentCreated(
    PoolId Pool,
    GroupId Group,
    AssignmentTarget Target,
    AssignmentIntent Intent,
    LicenseType LicenseType,
    Instant OccurredAt) : IAssignmentEvent;

/// <summary>The intent or license type of an assignment changed (rules A1, A4, L8).</summary>
/// <param name="Pool">The pool whose app is assigned.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Intent">The new intent.</param>
/// <param name="LicenseType">The new license type.</param>
/// <param name="OccurredAt">When it changed.</param>
public sealed record AssignmentChanged(
    PoolId Pool,
    GroupId Group,
    AssignmentIntent Intent,
    LicenseType LicenseType,
    Instant OccurredAt) : IAssignmentEvent;

/// <summary>The assignment was removed (rule R2).</summary>
/// <param name="Pool">The pool whose app was assigned.</param>
/// <param name="Group">The group it targeted.</param>
/// <param name="OccurredAt">When it was removed.</param>
public sealed record AssignmentRemoved(PoolId Pool, GroupId Group, Instant OccurredAt) : IAssignmentEvent;

/// <summary>
/// The assignment ended because its token was deleted (rule T10): it no longer lists and no longer targets anyone.
/// Its licenses are not reclaimed: they stay orphaned at Apple with the token's pools (rules T10, R7).
/// </summary>
/// <param name="Pool">The pool whose app was assigned.</param>
/// <param name="Group">The group it targeted.</param>
/// <param name="OccurredAt">When the token was deleted.</param>
public sealed record AssignmentEndedWithToken(PoolId Pool, GroupId Group, Instant OccurredAt) : IAssignmentEvent;
