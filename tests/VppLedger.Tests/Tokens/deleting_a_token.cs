using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class deleting_a_token
{
    private static readonly DeleteToken Delete = new(Token, Command("delete-1"), Admin);

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public void under_the_article_policy_deleting_orphans_the_licenses_and_requests_no_revocation()
    {
        var state = Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Delete, s, LedgerPolicy.Article, Now))
            .Then(new TokenDeleted(Now, RevocationRequested: false));

        Assert.True(state.Deleted);
        Assert.False(state.RevocationRequested);
        Assert.Equal("TokenDeleted", TokenRules.CheckCanSyncOrGrant(state, Now)!.Code);
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void under_the_current_apple_policy_deleting_requests_revocation()
    {
        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Delete, s, LedgerPolicy.CurrentApple, Now))
            .Then(new TokenDeleted(Now, RevocationRequested: true));
    }

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "I4")]
    public void deleting_twice_decides_nothing()
    {
        Spec().Given(Uploaded(), new TokenDeleted(Now, false)).When(s => TokenDecider.Decide(Delete, s, LedgerPolicy.Article, Now)).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void deleting_a_token_never_uploaded_is_rejected()
    {
        Spec().When(s => TokenDecider.Decide(Delete, s, LedgerPolicy.Article, Now)).ThenRejected("TokenNotFound", "T5");
    }

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public void a_deleted_token_cannot_be_renewed_reconfigured_or_synced()
    {
        var given = Spec().Given(Uploaded(), new TokenDeleted(Now, false));

        given.When(s => TokenDecider.Decide(new RenewToken(Token, FileOf("x", TokenFile.ExpiresAt), Location, Command("r"), Admin), s, Now))
            .ThenRejected("TokenDeleted", "T10");
        given.When(s => TokenDecider.Decide(new ChangeTokenSettings(Token, Settings with { Name = "x" }, Command("c"), Admin), s, Now))
            .ThenRejected("TokenDeleted", "T10");
        given.When(s => TokenDecider.Decide(new RecordTokenSyncFailed(Token, SyncTrigger.Scheduled, "x", Command("f"), Admin), s, Now))
            .ThenRejected("TokenDeleted", "T10");
    }
}
