using System.Globalization;

namespace VppLedger;

/// <summary>Rejections every part of the ledger shares. Codes are stable and listed in docs/errors.md.</summary>
public static class LedgerRejections
{
    /// <summary>The actor lacks a permission the command needs (rule X1). One code, one message, wherever it is checked.</summary>
    /// <param name="actor">Who asked.</param>
    /// <param name="needed">The permission the command needs.</param>
    /// <param name="action">What they asked, in a few words ("upload a token").</param>
    public static Rejection PermissionDenied(Actor actor, Permissions needed, string action)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return new("PermissionDenied", "X1", string.Create(
            CultureInfo.InvariantCulture,
            $"{actor.Name} may not {action}: it needs the {Words(needed)} permission and holds {Words(actor.Permissions)}. Ask an administrator to grant it to the role."));
    }

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
