using System.Net;
using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

public sealed class an_error_body_becomes_an_apple_api_exception
{
    [Fact]
    public async Task an_error_body_with_http_200_is_an_error_with_its_number_message_and_kind()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Fail("/client/config", FakeFault.ErrorBodyWith200(9621, "Token has expired."));

        var e = await Assert.ThrowsAsync<AppleApiException>(() => world.Client.GetClientConfigAsync(AppleWorld.Token));

        Assert.Equal(9621, e.ErrorNumber);
        Assert.Equal("Token has expired.", e.ErrorMessage);
        Assert.Equal(HttpStatusCode.OK, e.HttpStatus);
        Assert.Equal(AppleErrorKind.TokenExpired, e.Kind);
        Assert.DoesNotContain(AppleWorld.Token, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_refused_batch_is_reported_and_the_other_batches_are_still_sent()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Limits["maxAssets"] = 1;
        world.Apple.Assets.Add(new FakeAsset { AdamId = "1", TotalCount = 5 });
        world.Apple.Assets.Add(new FakeAsset { AdamId = "2", TotalCount = 5 });
        world.Apple.Fail("/assets/associate", FakeFault.ErrorBodyWith200(9709, "Not enough licenses."));
        var limits = (await world.Client.GetServiceConfigAsync()).Limits;

        var results = await world.Client.AssociateAsync(
            AppleWorld.Token, [new AppleAssetRef("1", "STDQ"), new AppleAssetRef("2", "STDQ")], ["S1"], [], limits);

        Assert.Equal(AppleBatchOutcome.Refused, results[0].Outcome);
        Assert.Equal(AppleErrorKind.NotEnoughLicenses, results[0].Error!.Kind);
        Assert.Equal(AppleBatchOutcome.Accepted, results[1].Outcome);
    }

    [Fact]
    public async Task an_expired_token_stops_the_remaining_batches()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Fail("/assets/revoke", FakeFault.ErrorBodyWith200(9621, "Token has expired."));

        var results = await world.Client.RevokeAsync(AppleWorld.Token, Enumerable.Range(1, 150).Select(i => $"S{i}").ToList(), ["u1"]);

        Assert.Equal([AppleBatchOutcome.Refused, AppleBatchOutcome.NotSent, AppleBatchOutcome.NotSent], results.Select(r => r.Outcome));
        Assert.Empty(world.Apple.BatchesSeen);
    }

    [Theory]
    [InlineData(9646, AppleErrorKind.Retryable)]
    [InlineData(9621, AppleErrorKind.TokenExpired)]
    [InlineData(9625, AppleErrorKind.TokenRevoked)]
    [InlineData(9709, AppleErrorKind.NotEnoughLicenses)]
    [InlineData(9707, AppleErrorKind.NotDeviceAssignable)]
    [InlineData(9706, AppleErrorKind.NotRevocable)]
    [InlineData(9602, AppleErrorKind.Other)]
    public void apple_error_numbers_are_classified(int number, AppleErrorKind kind) =>
        Assert.Equal(kind, AppleApiException.Classify(number));

    [Fact]
    public void a_server_error_without_a_body_is_retryable_and_a_client_error_is_not()
    {
        Assert.Equal(AppleErrorKind.Retryable, AppleAppsAndBooksClient.ErrorOf("", HttpStatusCode.BadGateway)!.Kind);
        Assert.Equal(AppleErrorKind.Other, AppleAppsAndBooksClient.ErrorOf("<html/>", HttpStatusCode.Unauthorized)!.Kind);
        Assert.Equal(9625, AppleAppsAndBooksClient.ErrorOf("""{"errors":[{"errorNumber":9625,"errorMessage":"Revoked"}]}""", HttpStatusCode.OK)!.ErrorNumber);
        Assert.Null(AppleAppsAndBooksClient.ErrorOf("""{"eventId":"1"}""", HttpStatusCode.OK));
    }
}
