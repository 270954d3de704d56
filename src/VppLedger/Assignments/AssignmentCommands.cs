namespace VppLedger.Assignments;

/// <summary>Marks every command decided on one assignment stream. Each needs <see cref="Permissions.MobileApps"/> (rule X1).</summary>
public interface IAssignmentCommand : ILedgerCommand
{
    /// <summary>The pool whose app is assigned.</summary>
    PoolId Pool { get; }

    /// <summary>The targeted group.</summary>
    GroupId Group { get; }
}

/// <summary>Assign a pool's app to a group (rule A1).</summary>
/// <param name="Pool">The pool whose app is assigned.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Target">User group or device group.</param>
/// <param name="Intent">Available (user groups only, rule A2), Required or Uninstall.</param>
/// <param name="LicenseType">User or device licenses; books take user licenses only (rule L6).</param>
/// <param name="Product">App or book, from the pool's state (rule L6).</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record CreateAssignment(
    PoolId Pool,
    GroupId Group,
    AssignmentTarget Target,
    AssignmentIntent Intent,
    LicenseType LicenseType,
    ProductKind Product,
    CommandId Id,
    Actor Actor) : IAssignmentCommand;

/// <summary>Change the intent or license type of an assignment (rules A1, A4, L8).</summary>
/// <param name="Pool">The pool whose app is assigned.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Intent">The new intent.</param>
/// <param name="LicenseType">The new license type; user to device only (rule L8).</param>
/// <param name="Product">App or book, from the pool's state (rule L6).</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record ChangeAssignment(
    PoolId Pool,
    GroupId Group,
    AssignmentIntent Intent,
    LicenseType LicenseType,
    ProductKind Product,
    CommandId Id,
    Actor Actor) : IAssignmentCommand;

/// <summary>Remove an assignment (rule R2); what happens to the licenses follows <see cref="LedgerPolicy.RemovingAssignmentReclaims"/>.</summary>
/// <param name="Pool">The pool whose app is assigned.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record RemoveAssignment(PoolId Pool, GroupId Group, CommandId Id, Actor Actor) : IAssignmentCommand;
