using VppLedger.Tokens;

namespace VppLedger.Tests.Tokens;

/// <summary>Rule T4: a location stays claimed by the tenant while any live token of it holds the location.</summary>
public sealed class the_location_claim_after_a_deletion
{
    private static readonly TokenId First = new("first");
    private static readonly TokenId Second = new("second");
    private static readonly TokenId Third = new("third");

    [Fact]
    [Trait("Rule", "T4")]
    public void the_claim_moves_to_another_live_token_of_the_same_location()
    {
        Assert.Equal(Second, LocationGuardRules.HolderAfterSettle([Third, Second]));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void the_last_live_token_of_a_location_frees_it_when_deleted()
    {
        Assert.Null(LocationGuardRules.HolderAfterSettle([]));
    }
}
