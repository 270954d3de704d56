using System.Reflection;
using System.Runtime.CompilerServices;
using VppLedger.Directory;
using VppLedger.Pools;

namespace VppLedger.Tests.Architecture;

/// <summary>
/// Rule X1, checked on the shape of the code: each public command declares its one permission on its type, the
/// runner checks it once, and no decider checks a permission (so a command's consequences run under its own).
/// </summary>
public sealed class every_command_declares_one_permission
{
    private static readonly Assembly Ledger = typeof(PoolDecider).Assembly;

    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    [Trait("Rule", "X1")]
    public void every_public_command_type_declares_exactly_one_permission()
    {
        var commands = Ledger.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILedgerCommand).IsAssignableFrom(t))
            .ToList();
        Assert.Contains(typeof(AddGroupMembers), commands);

        var offences = commands
            .Select(t => (Type: t, Declared: t.GetCustomAttributes<RequiresPermissionAttribute>(inherit: false).ToList()))
            .Where(c => c.Declared.Count != 1 || !IsOnePermission(c.Declared[0].Permission))
            .Select(c => $"{c.Type.Name} declares {(c.Declared.Count == 0 ? "no permission" : string.Join(", ", c.Declared.Select(d => d.Permission)))}")
            .ToList();

        Assert.True(offences.Count == 0, "Commands without exactly one permission:\n" + string.Join('\n', offences));
    }

    [Fact]
    [Trait("Rule", "X1")]
    public void no_decider_checks_a_permission()
    {
        var deciders = Ledger.GetTypes()
            .Where(t => (t.DeclaringType ?? t).Name.EndsWith("Decider", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(typeof(PoolDecider), deciders);

        var offences = deciders
            .SelectMany(t => t.GetMethods(Everything).Cast<MethodBase>().Concat(t.GetConstructors(Everything)))
            .SelectMany(m => Calls(m).Where(IsPermissionCheck).Select(c => $"{m.DeclaringType!.Name}.{m.Name} calls {c.DeclaringType!.Name}.{c.Name}"))
            .Distinct()
            .ToList();

        Assert.True(offences.Count == 0, "Deciders that check permissions:\n" + string.Join('\n', offences));
    }

    [Fact]
    [Trait("Rule", "X1")]
    public void the_scanner_finds_a_permission_check_in_a_method_body()
    {
        // Guards the guard: this method checks a permission inside its body, and the scanner must see it.
        Assert.Contains(Calls(typeof(every_command_declares_one_permission).GetMethod(nameof(ChecksAPermission), Everything)!), IsPermissionCheck);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool ChecksAPermission(Actor actor) => actor.Has(Permissions.Directory);

    private static bool IsOnePermission(Permissions permission) =>
        permission != Permissions.None && ((int)permission & ((int)permission - 1)) == 0;

    private static bool IsPermissionCheck(MethodBase called) =>
        (called.DeclaringType == typeof(Actor) && called.Name == nameof(Actor.Has))
        || called.Name == nameof(LedgerRejections.PermissionDenied);

    private static IEnumerable<MethodBase> Calls(MethodBase method) => IlMembers.Referenced(method).OfType<MethodBase>();
}
