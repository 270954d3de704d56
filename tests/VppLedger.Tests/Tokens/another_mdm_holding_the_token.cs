using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class another_mdm_holding_the_token
{
    private static readonly MarkTokenAssignedToExternalMdm Mark = new(Token, " Other MDM ", Command("mark-1"), Admin);
    private static readonly TakeTokenControl Take = new(Token, Command("take-1"), Admin);

    [Fact]
    [Trait("Rule", "T3")]
    public void a_token_apple_reports_bound_to_another_mdm_stops_syncing_and_granting()
    {
        var state = Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Mark, s, Now))
            .Then(new TokenAssignedToExternalMdm(Now, "Other MDM"));

        Assert.Equal("TokenAssignedToExternalMdm", TokenRules.CheckCanSyncOrGrant(state, Now)!.Code);
        Spec().Given(Uploaded(), new TokenAssignedToExternalMdm(Now, null))
            .When(s => TokenDecider.Decide(new RecordTokenSyncSucceeded(Token, SyncTrigger.Scheduled, 1, 1, [], Command("s"), Admin), s, Now))
            .ThenRejected("TokenAssignedToExternalMdm", "T3");
    }

    [Fact]
    [Trait("Rule", "T3")]
    public void taking_control_lets_the_token_sync_and_grant_again()
    {
        var state = Spec().Given(Uploaded(), new TokenAssignedToExternalMdm(Now, null))
            .When(s => TokenDecider.Decide(Take, s, Now))
            .Then(new TokenControlTaken(Now));

        Assert.Null(TokenRules.CheckCanSyncOrGrant(state, Now));
        Assert.Equal(TokenStatus.Valid, TokenRules.StatusOf(state, Now, LedgerPolicy.Article));
    }

    [Fact]
    [Trait("Rule", "T3")]
    [Trait("Rule", "I4")]
    public void marking_twice_or_taking_control_of_a_token_already_ours_decides_nothing()
    {
        Spec().Given(Uploaded(), new TokenAssignedToExternalMdm(Now, null)).When(s => TokenDecider.Decide(Mark, s, Now)).ThenNothing();
        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Take, s, Now)).ThenNothing();
    }
}
