using System.Reflection;

namespace VppLedger.Tests.Architecture;

/// <summary>
/// The embedded PostgreSQL (runs runuser and initdb, signals with kill) lives in VppLedger.Testing, a package of its own
/// marked Linux-only: the runtime package a host deploys holds none of it and never references it (issue 12, item 3).
/// </summary>
public sealed class the_runtime_package_starts_no_process
{
    [Fact]
    public void the_runtime_assemblies_hold_no_embedded_postgres_and_do_not_reference_the_testing_package()
    {
        foreach (var assembly in new[] { typeof(LicenseLedger).Assembly, typeof(Actor).Assembly })
        {
            Assert.DoesNotContain(assembly.GetTypes(), t => t.Name.Contains("EmbeddedPostgres", StringComparison.Ordinal) || t.Name == "NativeMethods");
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), a => a.Name == "VppLedger.Testing");
        }
    }

    [Fact]
    public void the_testing_package_is_marked_linux_only()
    {
        var embedded = Assembly.Load("VppLedger.Testing").GetType("VppLedger.Testing.EmbeddedPostgres", throwOnError: true)!;

        var platform = Assert.Single(embedded.GetCustomAttributes<System.Runtime.Versioning.SupportedOSPlatformAttribute>());
        Assert.Equal("linux", platform.PlatformName);
    }
}
