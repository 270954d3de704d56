using VppLedger.Storage;

namespace VppLedger.Tests.AppleSide;

/// <summary>Issue 13, item 3: a pool is token + adamId + pricingParam, and standard pools keep the identity they had.</summary>
public sealed class a_plus_pool_is_a_pool_of_its_own
{
    private static readonly NewtonsoftSerializer Json = new();
    private static readonly PoolId Standard = new(new TokenId("tok"), new AdamId("361309726"));
    private static readonly PoolId Plus = new(new TokenId("tok"), new AdamId("361309726"), PricingParam.Plus);

    [Fact]
    [Trait("Rule", "L10")]
    public void a_standard_pool_keeps_its_stream_its_json_and_its_name()
    {
        Assert.Equal(Standard, new PoolId(new TokenId("tok"), new AdamId("361309726"), PricingParam.Stdq));
        Assert.Equal("pool:tok:361309726", Streams.Pool(Standard));
        Assert.Equal("""{"Token":"tok","AdamId":"361309726"}""", Json.ToJson(Standard));
        Assert.Equal("tok:361309726", Standard.ToString());
    }

    [Fact]
    [Trait("Rule", "L10")]
    public void a_plus_pool_has_a_stream_a_json_and_a_name_of_its_own_that_read_back()
    {
        Assert.NotEqual(Standard, Plus);
        Assert.Equal("pool:tok:361309726:PLUS", Streams.Pool(Plus));
        Assert.Equal(Plus, LedgerHandlers.PoolOf(Streams.Pool(Plus)));
        Assert.Equal(Standard, LedgerHandlers.PoolOf(Streams.Pool(Standard)));
        var json = Json.ToJson(Plus);
        Assert.Contains("\"Pricing\":\"Plus\"", json, StringComparison.Ordinal);
        Assert.Equal(Plus, (PoolId)Json.FromJson(typeof(PoolId), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))));
        Assert.Equal((PricingParam?)PricingParam.Plus, PoolId.ParsePricing("plus"));
        Assert.Null(PoolId.ParsePricing("GOLD"));
    }
}
