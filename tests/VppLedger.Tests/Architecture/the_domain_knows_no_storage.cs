using System.Reflection;
using VppLedger.Pools;

namespace VppLedger.Tests.Architecture;

/// <summary>Domain folders never reference Marten or Npgsql (ARCHITECTURE.md), down to the IL of method bodies.</summary>
public sealed class the_domain_knows_no_storage
{
    private static readonly string[] DomainNamespaces =
        ["VppLedger", "VppLedger.Tokens", "VppLedger.Pools", "VppLedger.Assignments", "VppLedger.Directory", "VppLedger.Licensing", "VppLedger.Audit"];

    // The root namespace also holds the host-facing entry points, which are storage by design
    // (ARCHITECTURE.md: StoreOptions.AddVppLedger() is the one Marten type in the public API).
    private static readonly Type[] StorageEntryPoints =
        [typeof(VppLedgerStoreOptionsExtensions), typeof(VppLedgerServiceCollectionExtensions), typeof(VppLedgerDatabase), typeof(VppLedgerOptions), typeof(LicenseLedger)];

    private static readonly string[] StoragePrefixes = ["Marten", "Npgsql", "Weasel", "JasperFx"];

    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    [Trait("Category", "Architecture")]
    public void no_domain_type_references_marten_or_npgsql()
    {
        var domainTypes = typeof(PoolDecider).Assembly.GetTypes()
            .Where(t => DomainNamespaces.Contains(t.Namespace) && !StorageEntryPoints.Contains(t.DeclaringType ?? t))
            .ToList();
        Assert.Contains(typeof(PoolDecider), domainTypes);

        var offences = domainTypes.SelectMany(Offences).Distinct().ToList();

        Assert.True(offences.Count == 0, "Domain types reference storage:\n" + string.Join('\n', offences));
    }

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_scanner_finds_a_marten_reference_that_only_a_method_body_makes()
    {
        // Guards the guard: this test class itself uses Marten inside one body, and nowhere else.
        var offences = Offences(typeof(the_domain_knows_no_storage)).ToList();
        Assert.Contains(offences, o => o.Contains(nameof(UsesMarten), StringComparison.Ordinal) && o.Contains("Marten.StoreOptions", StringComparison.Ordinal));
    }

    private static string UsesMarten() => new Marten.StoreOptions().DatabaseSchemaName;

    private static IEnumerable<string> Offences(Type type)
    {
        var references = new List<(string Where, Type? Type)>
        {
            ("base type", type.BaseType),
        };
        references.AddRange(type.GetInterfaces().Select(i => ("interface", (Type?)i)));
        references.AddRange(type.GetFields(Everything).Select(f => ($"field {f.Name}", (Type?)f.FieldType)));
        references.AddRange(type.GetProperties(Everything).Select(p => ($"property {p.Name}", (Type?)p.PropertyType)));
        references.AddRange(type.GetCustomAttributesData().Select(a => ("attribute", (Type?)a.AttributeType)));

        var methods = type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything));
        foreach (var method in methods)
        {
            references.Add(($"method {method.Name} returns", (method as MethodInfo)?.ReturnType));
            references.AddRange(method.GetParameters().Select(p => ($"method {method.Name} parameter {p.Name}", (Type?)p.ParameterType)));
            references.AddRange(BodyReferences(method).Select(t => ($"method {method.Name} body", (Type?)t)));
        }

        return references
            .Where(r => r.Type is not null && IsStorage(r.Type))
            .Select(r => $"{type.FullName}: {r.Where} uses {r.Type!.FullName}");
    }

    private static bool IsStorage(Type type)
    {
        if (type.HasElementType)
        {
            return IsStorage(type.GetElementType()!);
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition && type.GetGenericArguments().Any(IsStorage))
        {
            return true;
        }

        var assembly = type.Assembly.GetName().Name ?? string.Empty;
        return StoragePrefixes.Any(p => assembly.StartsWith(p, StringComparison.Ordinal));
    }

    /// <summary>The types a method body's IL names through method, field, type and token operands.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method) =>
        IlMembers.Referenced(method).Select(m => m as Type ?? m.DeclaringType).OfType<Type>();
}
