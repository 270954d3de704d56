namespace VppLedger.Assignments;

/// <summary>Marks every command decided on one assignment stream. Each needs <see cref="Permissions.MobileApps"/> (rule X1).</summary>
public interface IAssignmentCommand : ILedgerCommand
{
    /// <summary>The pool whose app is assigned.</summary>
    PoolId Pool { get; }

    /// <summary>The targeted group.</summary>
    GroupId Group { get; }
}

/// <summary>
/// Assign a pool's app to a group (rule A1). The command carries only the host's choice: the group's kind (user or
/// device group) and the pool's product (app or book) are what the ledger recorded, so they cannot contradict it.
/// </summary>
/// <param name="Pool">The pool whose app is assigned; it must have been synced (Apple's counts applied).</param>
/// <param name="Group">The targeted group; it must have been created.</param>
/// <param name="Intent">Available (user groups only, rule A2), Required or Uninstall.</param>
/// <param name="LicenseType">User or device licenses; books take user licenses only (rule L6), device groups device licenses only (rule L7).</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record CreateAssignment(
    PoolId Pool,
    GroupId Group,
    AssignmentIntent Intent,
    LicenseType LicenseType,
    CommandId Id,
    Actor Actor) : IAssignmentCommand;

/// <summary>Change the intent or license type of an assignment (rules A1, A4, L8).</summary>
/// <param name="Pool">The pool whose app is assigned.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Intent">The new intent.</param>
/// <param name="LicenseType">The new license type; user to device only (rule L8).</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record ChangeAssignment(
    PoolId Pool,
    GroupId Group,
    AssignmentIntent Intent,
    LicenseType LicenseType,
    CommandId Id,
    Actor Actor) : IAssignmentCommand;

/// <summary>Remove an assignment (rule R2); what happens to the licenses follows <see cref="LedgerPolicy.RemovingAssignmentReclaims"/>.</summary>
/// <param name="Pool">The pool whose app is assigned.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record RemoveAssignment(PoolId Pool, GroupId Group, CommandId Id, Actor Actor) : IAssignmentCommand;

/// <summary>What the ledger knows that an assignment decision reads: the pool's product and the group's kind.</summary>
/// <param name="PoolSynced">True once Apple's counts were applied to the pool, so its product is known (rule S2).</param>
/// <param name="Product">App or book (rule L6); meaningful when <paramref name="PoolSynced"/>.</param>
/// <param name="GroupKind">The group's kind, or null when the group was never created.</param>
/// <param name="PoolOrphaned">True when the pool's token was deleted (rule T10: its apps left the MDM).</param>
/// <param name="DeviceAssignable">False when Apple's assets snapshot says the asset takes no device license (rule L6).</param>
internal sealed record AssignmentFacts(bool PoolSynced, ProductKind Product, Directory.GroupKind? GroupKind, bool PoolOrphaned = false, bool DeviceAssignable = true)
{
    /// <summary>The target the group's kind makes (rule A1), or null when the group was never created.</summary>
    public AssignmentTarget? Target => GroupKind switch
    {
        Directory.GroupKind.User => AssignmentTarget.UserGroup,
        Directory.GroupKind.Device => AssignmentTarget.DeviceGroup,
        _ => null,
    };
}
