namespace VppLedger.Directory;

/// <summary>Marks the commands on one user. Every one needs the "directory" permission (rule X1).</summary>
public interface IUserCommand : ILedgerCommand
{
    /// <summary>The user the command is about.</summary>
    UserId User { get; }
}

/// <summary>Record a user, or update their Apple IDs (rule L4). Recording a user who left records them again.</summary>
/// <param name="User">The host's id of the user.</param>
/// <param name="PersonalAppleId">The personal Apple ID, if known; must be of kind Personal.</param>
/// <param name="ManagedAppleId">The managed Apple ID, if known; must be of kind Managed.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.Directory)]
public sealed record RecordUser(UserId User, AppleId? PersonalAppleId, AppleId? ManagedAppleId, CommandId Id, Actor Actor) : IUserCommand;

/// <summary>Record that a user left the organization (rule R4).</summary>
/// <param name="User">The user.</param>
/// <param name="Id">The idempotency key.</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.Directory)]
public sealed record RecordUserLeftOrganization(UserId User, CommandId Id, Actor Actor) : IUserCommand;
