using Microsoft.Extensions.DependencyInjection;
using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

public sealed class another_mdms_mdm_info_is_visible_in_the_client_config
{
    [Fact]
    [Trait("Rule", "T3")]
    public async Task the_client_config_names_the_other_mdm_until_this_one_takes_control()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.MdmInfo = ("other-mdm", "Another MDM");

        var before = await world.Client.GetClientConfigAsync(AppleWorld.Token);
        var after = await world.Client.UpdateClientConfigAsync(AppleWorld.Token, new AppleClientConfigUpdate(new AppleMdmInfo("our-mdm", "Our MDM")));

        Assert.Equal(new AppleMdmInfo("other-mdm", "Another MDM"), before.MdmInfo);
        Assert.Equal("location-1", before.UId);
        Assert.Equal("US", before.CountryIso2ACode);
        Assert.Equal(new DateTimeOffset(2027, 11, 27, 11, 0, 0, TimeSpan.Zero), before.TokenExpirationDate);
        Assert.Equal("our-mdm", after.MdmInfo!.Id);
    }

    [Fact]
    public async Task the_token_goes_only_in_the_bearer_header()
    {
        await using var world = await AppleWorld.StartAsync();

        await world.Client.GetClientConfigAsync(AppleWorld.Token);
        await world.Client.GetServiceConfigAsync();

        Assert.Equal(["Bearer " + AppleWorld.Token], world.Apple.AuthorizationHeadersSeen);
    }

    [Fact]
    public async Task a_host_registers_the_client_with_the_http_client_factory()
    {
        await using var world = await AppleWorld.StartAsync();
        var services = new ServiceCollection();
        services.AddVppLedgerAppleClient(o => o.BaseAddress = world.Apple.BaseAddress);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<AppleAppsAndBooksClient>();
        var config = await client.GetServiceConfigAsync();

        Assert.Equal(AppleServiceLimits.Published, config.Limits);
        Assert.Same(provider.GetRequiredService<AppleTokenRateLimiter>(), provider.GetRequiredService<AppleTokenRateLimiter>());
    }
}
