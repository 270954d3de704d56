using PublicApiGenerator;
using Snapshooter;
using Snapshooter.Xunit;

namespace VppLedger.Apple.Tests;

/// <summary>The public API of the VppLedger.Apple package is reviewed like the others
/// (tests/VppLedger.Tests/Architecture/the_public_api_is_approved.cs): a change to it changes the snapshot in
/// __snapshots__, and the test fails until the new snapshot is committed with the change.</summary>
public sealed class the_apple_package_api_is_approved
{
    private static readonly ApiGeneratorOptions Options = new() { ExcludeAttributes = ["System.Runtime.CompilerServices.InternalsVisibleToAttribute", "System.Reflection.AssemblyMetadataAttribute"] };

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_apple_package_api_has_not_changed_unreviewed() =>
        Snapshot.Match(typeof(AppleAppsAndBooksClient).Assembly.GeneratePublicApi(Options), SnapshotNameExtension.Create("VppLedger.Apple"));
}
