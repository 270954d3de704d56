using VppLedger.Tokens;

namespace VppLedger.Tests.Tokens;

/// <summary>Rule T4 across databases: what a command that wants a location does with the claim it sees in the control database.</summary>
public sealed class a_claimant_of_a_location_takes_waits_settles_or_is_refused
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static LocationClaimStep Next(LocationClaimSeen? seen, TimeSpan waited = default) =>
        LocationGuardRules.Next(seen, "contoso", "cmd-1", waited, Patience);

    [Fact]
    [Trait("Rule", "T4")]
    public void a_location_nobody_claims_is_taken()
    {
        Assert.Equal(LocationClaimStep.Insert, Next(null));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_location_another_tenant_holds_refuses_the_command()
    {
        Assert.Equal(LocationClaimStep.HeldByAnotherTenant, Next(new LocationClaimSeen("fabrikam", LocationClaimState.Held, null, 3)));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_location_the_tenant_holds_is_taken_over_for_the_change()
    {
        Assert.Equal(LocationClaimStep.TakeOver, Next(new LocationClaimSeen("contoso", LocationClaimState.Held, null, 3)));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void another_commands_change_in_flight_is_waited_for()
    {
        Assert.Equal(LocationClaimStep.Wait, Next(new LocationClaimSeen("fabrikam", LocationClaimState.Changing, "cmd-9", 1), TimeSpan.FromSeconds(1)));
        Assert.Equal(LocationClaimStep.Wait, Next(new LocationClaimSeen("contoso", LocationClaimState.Changing, "cmd-9", 1), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_change_that_outlived_the_patience_is_settled_by_the_claimant()
    {
        Assert.Equal(LocationClaimStep.Settle, Next(new LocationClaimSeen("fabrikam", LocationClaimState.Changing, "cmd-9", 1), Patience));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void the_same_command_retried_settles_its_own_earlier_attempt_at_once()
    {
        Assert.Equal(LocationClaimStep.Settle, Next(new LocationClaimSeen("contoso", LocationClaimState.Changing, "cmd-1", 1)));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void the_same_command_id_in_another_tenant_is_another_command()
    {
        Assert.Equal(LocationClaimStep.Wait, Next(new LocationClaimSeen("fabrikam", LocationClaimState.Changing, "cmd-1", 1)));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_settled_claim_goes_to_the_first_live_token_by_id_or_to_nobody()
    {
        Assert.Equal(new TokenId("a"), LocationGuardRules.HolderAfterSettle([new TokenId("b"), new TokenId("a")]));
        Assert.Null(LocationGuardRules.HolderAfterSettle([]));
    }
}
