using NodaTime;
using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class the_status_of_a_token
{
    private static TokenState Uploaded_(params ITokenEvent[] more) => Spec().Given([Uploaded(), .. more]).State;

    [Fact]
    [Trait("Rule", "T2")]
    public void a_token_is_valid_until_the_window_before_its_expiry_then_expiring_soon_then_expired()
    {
        var state = Uploaded_();
        var expiry = state.ExpiresAt;

        Assert.Equal(TokenStatus.Valid, TokenRules.StatusOf(state, expiry - Duration.FromDays(31), LedgerPolicy.Article));
        Assert.Equal(TokenStatus.ExpiringSoon, TokenRules.StatusOf(state, expiry - Duration.FromDays(30), LedgerPolicy.Article));
        Assert.Equal(TokenStatus.ExpiringSoon, TokenRules.StatusOf(state, expiry - Duration.FromSeconds(1), LedgerPolicy.Article));
        Assert.Equal(TokenStatus.Expired, TokenRules.StatusOf(state, expiry, LedgerPolicy.Article));
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void the_expiring_soon_window_comes_from_the_policy()
    {
        var state = Uploaded_();
        var policy = LedgerPolicy.Article with { ExpiringSoonWindow = Duration.FromDays(60) };

        Assert.Equal(TokenStatus.ExpiringSoon, TokenRules.StatusOf(state, state.ExpiresAt - Duration.FromDays(45), policy));
        Assert.Equal(TokenStatus.Valid, TokenRules.StatusOf(state, state.ExpiresAt - Duration.FromDays(45), LedgerPolicy.Article));
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void an_expired_token_cannot_sync_or_grant()
    {
        var state = Uploaded_();

        var rejection = TokenRules.CheckCanSyncOrGrant(state, state.ExpiresAt + Duration.FromDays(1));

        Assert.Equal("TokenExpired", rejection!.Code);
        Assert.Equal("T2", rejection.Rule);
    }

    [Fact]
    [Trait("Rule", "T3")]
    public void a_token_assigned_to_an_external_mdm_cannot_sync_or_grant()
    {
        var state = Uploaded_(new TokenAssignedToExternalMdm(Now, "Other MDM"));

        Assert.Equal(TokenStatus.AssignedToExternalMdm, TokenRules.StatusOf(state, Now, LedgerPolicy.Article));
        Assert.Equal("TokenAssignedToExternalMdm", TokenRules.CheckCanSyncOrGrant(state, Now)!.Code);
    }

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public void a_deleted_token_cannot_sync_or_grant_and_reports_deleted_before_anything_else()
    {
        var state = Uploaded_(new TokenAssignedToExternalMdm(Now, null), new TokenDeleted(Now, false));

        Assert.Equal(TokenStatus.Deleted, TokenRules.StatusOf(state, state.ExpiresAt + Duration.FromDays(1), LedgerPolicy.Article));
        var rejection = TokenRules.CheckCanSyncOrGrant(state, Now);
        Assert.Equal("TokenDeleted", rejection!.Code);
        Assert.Equal("T10", rejection.Rule);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void a_token_never_uploaded_cannot_sync_or_grant()
    {
        Assert.Equal(TokenStatus.NotUploaded, TokenRules.StatusOf(TokenState.Initial, Now, LedgerPolicy.Article));
        Assert.Equal("TokenNotFound", TokenRules.CheckCanSyncOrGrant(TokenState.Initial, Now)!.Code);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void a_valid_token_may_sync_and_grant()
    {
        Assert.Null(TokenRules.CheckCanSyncOrGrant(Uploaded_(), Now));
    }
}
