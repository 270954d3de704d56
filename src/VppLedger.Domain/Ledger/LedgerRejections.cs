using System.Globalization;

namespace VppLedger;

/// <summary>Rejections every part of the ledger shares. Codes are stable and listed in docs/errors.md.</summary>
internal static class LedgerRejections
{
    /// <summary>The actor lacks a permission the command needs (rule X1). One code, one message, wherever it is checked.</summary>
    /// <param name="actor">Who asked.</param>
    /// <param name="needed">The permission the command needs.</param>
    /// <param name="action">What they asked, in a few words ("upload a token").</param>
    public static Rejection PermissionDenied(Actor actor, Permissions needed, string action)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return new(RejectionCodes.PermissionDenied, "X1", string.Create(
            CultureInfo.InvariantCulture,
            $"{actor.Name} may not {action}: it needs the {Words(needed)} permission and holds {Words(actor.Permissions)}. Ask an administrator to grant it to the role."));
    }

    /// <summary>Other writers kept changing what the command read, more times than the retries allow (rule I3).</summary>
    /// <param name="command">The command's type name.</param>
    /// <param name="attempts">How many times it was decided.</param>
    public static Rejection ConcurrencyConflict(string command, int attempts) => new(
        RejectionCodes.ConcurrencyConflict,
        "I3",
        string.Create(CultureInfo.InvariantCulture, $"Other writers changed the same streams {attempts} times while {command} was decided; nothing was written. Retry the command with the same command id."));

    /// <summary>The tenant is being moved to another database; its writes are stopped until the move ends (rule I3: nothing was written).</summary>
    /// <param name="tenant">The tenant.</param>
    public static Rejection TenantMoving(string tenant) => new(
        RejectionCodes.TenantMoving,
        "I3",
        $"Tenant '{tenant}' is being moved to another database, or its projections rebuilt; nothing was written. Retry the command with the same command id in a few seconds: it runs once the move (on the tenant's new database) or the rebuild ends.");

    /// <summary>A command id already used for a different command (rule I4).</summary>
    /// <param name="id">The command id.</param>
    /// <param name="earlierCommand">The type name of the command that used it first.</param>
    public static Rejection IdempotencyKeyReused(CommandId id, string earlierCommand) => new(
        RejectionCodes.IdempotencyKeyReused,
        "I4",
        $"Command id '{id}' was already used for a different {earlierCommand} command. Use a new command id for a new command.");

    // The permissions as the MDM's roles name them (rule X1: "managed apps", "mobile apps").
    private static string Words(Permissions permissions)
    {
        var names = new List<string>(4);
        if (permissions.HasFlag(Permissions.ManagedApps))
        {
            names.Add("\"managed apps\" (ManagedApps)");
        }

        if (permissions.HasFlag(Permissions.MobileApps))
        {
            names.Add("\"mobile apps\" (MobileApps)");
        }

        if (permissions.HasFlag(Permissions.Directory))
        {
            names.Add("\"directory\" (Directory)");
        }

        if (permissions.HasFlag(Permissions.ImportHistory))
        {
            names.Add("\"import history\" (ImportHistory)");
        }

        return names.Count == 0 ? "none" : string.Join(" and ", names);
    }
}
