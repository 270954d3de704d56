using PublicApiGenerator;
using Snapshooter;
using Snapshooter.Xunit;

namespace VppLedger.Tests.Architecture;

/// <summary>
/// The public API of the packages is reviewed: any change to a public type or member changes one of these
/// snapshots (tests/VppLedger.Tests/Architecture/__snapshots__), and the test fails until the new snapshot is
/// committed with the change. On a mismatch Snapshooter writes the new API beside it in <c>__mismatch__</c>.
/// </summary>
public sealed class the_public_api_is_approved
{
    private static readonly ApiGeneratorOptions Options = new() { ExcludeAttributes = ["System.Runtime.CompilerServices.InternalsVisibleToAttribute", "System.Reflection.AssemblyMetadataAttribute"] };

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_ledger_package_api_has_not_changed_unreviewed() =>
        Snapshot.Match(typeof(ILicenseLedger).Assembly.GeneratePublicApi(Options), SnapshotNameExtension.Create("VppLedger"));

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_domain_package_api_has_not_changed_unreviewed() =>
        Snapshot.Match(typeof(ILedgerCommand).Assembly.GeneratePublicApi(Options), SnapshotNameExtension.Create("VppLedger.Domain"));

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_testing_package_api_has_not_changed_unreviewed() =>
        Snapshot.Match(System.Reflection.Assembly.Load("VppLedger.Testing").GeneratePublicApi(Options), SnapshotNameExtension.Create("VppLedger.Testing"));
}
