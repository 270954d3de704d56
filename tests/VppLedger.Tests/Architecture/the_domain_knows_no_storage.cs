using VppLedger.Pools;

namespace VppLedger.Tests.Architecture;

/// <summary>
/// The pure domain lives in its own assembly, <c>VppLedger.Domain</c>, which references neither Marten nor Npgsql
/// (ARCHITECTURE.md): the compiler refuses any storage type there. This test guards the project file.
/// </summary>
public sealed class the_domain_knows_no_storage
{
    private static readonly string[] StoragePrefixes = ["Marten", "Npgsql", "Weasel", "JasperFx"];

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_domain_assembly_references_no_storage_assembly()
    {
        var domain = typeof(PoolDecider).Assembly;
        Assert.Equal("VppLedger.Domain", domain.GetName().Name);

        var storage = domain.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .Where(name => StoragePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) || name == "VppLedger")
            .ToList();

        Assert.True(storage.Count == 0, "VppLedger.Domain references " + string.Join(", ", storage));
    }

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_storage_assembly_holds_no_decider()
    {
        // Deciders, rules and workflows are domain code: none may live beside Marten.
        var misplaced = typeof(ILicenseLedger).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Decider", StringComparison.Ordinal) || t.Namespace is { } ns && ns.Contains(".Workflows", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(misplaced.Count == 0, "Domain types in the storage assembly: " + string.Join(", ", misplaced));
    }
}
