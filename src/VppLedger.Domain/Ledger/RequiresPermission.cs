namespace VppLedger;

/// <summary>
/// The one permission a host command needs (rule X1), declared on the command's type. The ledger checks it once,
/// before anything is read; everything the command causes (grants, reclaims, queue moves in pools) runs under it.
/// No decider checks a permission.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
internal sealed class RequiresPermissionAttribute(Permissions permission) : Attribute
{
    /// <summary>The permission the command needs.</summary>
    public Permissions Permission { get; } = permission;

    /// <summary>
    /// The permission <paramref name="commandType"/> declares, or <see cref="Permissions.All"/> when it declares
    /// none (an internal step that no host sends: refused to every actor but one holding every permission).
    /// </summary>
    public static Permissions For(Type commandType)
    {
        ArgumentNullException.ThrowIfNull(commandType);
        return Declared.GetOrAdd(commandType, static t =>
            t.GetCustomAttributes(typeof(RequiresPermissionAttribute), inherit: false) is [RequiresPermissionAttribute declared]
                ? declared.Permission
                : Permissions.All);
    }

    // Types never change at run time, so the reflection is paid once per command type.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Permissions> Declared = new();
}
