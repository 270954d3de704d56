using VppLedger.Directory;
using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class an_ios_vpp_app_cannot_be_removed_from_the_mdm
{
    [Theory]
    [Trait("Rule", "S3")]
    [InlineData(Platform.iOS)]
    [InlineData(Platform.iPadOS)]
    [InlineData(Platform.tvOS)]
    public void removing_an_ios_family_app_is_rejected(Platform platform)
    {
        PoolSpec.Given(Counts(1))
            .When(new RemoveAppFromMdm(Pool, platform, Id(), Admin))
            .ThenRejected("VppAppCannotBeRemovedFromMdm", "S3");
    }

    [Fact]
    [Trait("Rule", "S3")]
    public void removing_a_macos_app_leaves_the_pool_as_it_is()
    {
        PoolSpec.Given(Counts(1), Granted(User("a")))
            .When(new RemoveAppFromMdm(Pool, Platform.macOS, Id(), Admin))
            .ThenNothing();
    }
}
