using NodaTime;
using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class uploading_a_token
{
    private static Decision<ITokenEvent> Decide(UploadToken command, TokenState state, int count = 0, TokenLocationClaims? claims = null) =>
        TokenDecider.Decide(command, state, count, claims ?? TokenLocationClaims.None, Now);

    [Fact]
    [Trait("Rule", "T5")]
    public void an_upload_with_consent_records_the_file_facts_and_settings()
    {
        var state = Spec().When(s => Decide(Upload(), s)).Then(Uploaded());

        Assert.Equal(Token, state.Id);
        Assert.Equal(TokenFile.Fingerprint, state.File!.Fingerprint);
        Assert.Equal(Settings, state.Settings);
        Assert.Equal(ManagedAppleId, state.ManagedAppleId);
        Assert.Equal(TokenStatus.Valid, TokenRules.StatusOf(state, Now, LedgerPolicy.Article));
    }

    [Fact]
    [Trait("Rule", "T5")]
    [Trait("Rule", "I4")]
    public void uploading_the_same_file_again_decides_nothing()
    {
        Spec().Given(Uploaded()).When(s => Decide(Upload() with { Id = Command("retry") }, s)).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "T8")]
    public void uploading_another_file_under_an_existing_token_id_is_rejected_in_favour_of_renewal()
    {
        var other = Upload() with { File = FileOf("another-secret", Now + Duration.FromDays(300)) };

        Spec().Given(Uploaded()).When(s => Decide(other, s)).ThenRejected("TokenAlreadyUploaded", "T8");
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void an_upload_without_consent_to_send_data_to_apple_is_rejected()
    {
        Spec().When(s => Decide(Upload() with { ConsentToSendDataToApple = false }, s)).ThenRejected("ConsentRequired", "T5");
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void an_upload_with_a_personal_apple_id_for_the_account_is_rejected()
    {
        var personal = new AppleId("someone@example.com", AppleIdKind.Personal);

        Spec().When(s => Decide(Upload() with { ManagedAppleId = personal }, s)).ThenRejected("ManagedAppleIdRequired", "T5");
    }

    [Theory]
    [InlineData("", "FR", "InvalidTokenName", "T5")]
    [InlineData("Contoso", "France", "InvalidCountryCode", "T7")]
    [InlineData("Contoso", "fr", "InvalidCountryCode", "T7")]
    [Trait("Rule", "T5")]
    [Trait("Rule", "T7")]
    public void an_upload_with_an_invalid_name_or_country_is_rejected(string name, string country, string code, string rule)
    {
        var command = Upload() with { Settings = Settings with { Name = name, CountryCode = country } };

        Spec().When(s => Decide(command, s)).ThenRejected(code, rule);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void uploading_an_expired_file_is_rejected()
    {
        var command = Upload() with { File = FileOf("old", Now - Duration.FromDays(1)) };

        Spec().When(s => Decide(command, s)).ThenRejected("TokenFileExpired", "T2");
    }

    [Fact]
    [Trait("Rule", "T1")]
    public void uploading_the_3000th_token_is_accepted()
    {
        Spec().When(s => Decide(Upload(), s, count: 2999)).Then(Uploaded());
    }

    [Fact]
    [Trait("Rule", "T1")]
    public void uploading_the_3001st_token_is_rejected()
    {
        Assert.Equal(3000, TokenDecider.MaxTokensPerTenant);

        var rejection = Spec().When(s => Decide(Upload(), s, count: 3000)).ThenRejected("TooManyTokens", "T1");

        Assert.Contains("3000", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void uploading_a_location_active_in_another_tenant_is_rejected()
    {
        Spec().When(s => Decide(Upload(), s, claims: new TokenLocationClaims(true, null)))
            .ThenRejected("DuplicateLocationInAnotherTenant", "T4");
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_second_copy_of_a_location_in_the_same_tenant_is_accepted_and_marked_duplicate()
    {
        var state = Spec().When(s => Decide(Upload(), s, count: 1, claims: new TokenLocationClaims(false, OtherToken)))
            .Then(Uploaded() with { DuplicateOf = OtherToken });

        Assert.Equal(TokenStatus.Duplicate, TokenRules.StatusOf(state, Now, LedgerPolicy.Article));
        Assert.Null(TokenRules.CheckCanSyncOrGrant(state, Now));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_location_claim_held_by_this_same_token_is_not_a_duplicate()
    {
        Spec().When(s => Decide(Upload(), s, claims: new TokenLocationClaims(false, Token))).Then(Uploaded());
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_duplicate_copy_may_be_deleted()
    {
        Spec().Given(Uploaded() with { DuplicateOf = OtherToken })
            .When(s => TokenDecider.Decide(new DeleteToken(Token, Command(), Admin), s, LedgerPolicy.Article, Now))
            .Then(new TokenDeleted(Now, RevocationRequested: false));
    }

    [Fact]
    [Trait("Rule", "T3")]
    public void uploading_with_take_control_records_that_control_was_taken_from_the_other_mdm()
    {
        var state = Spec().When(s => Decide(Upload() with { TakeControlFromOtherMdm = true }, s))
            .Then(Uploaded() with { TookControlFromOtherMdm = true });

        Assert.False(state.AssignedToExternalMdm);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void uploading_under_the_id_of_a_deleted_token_is_rejected()
    {
        Spec().Given(Uploaded(), new TokenDeleted(Now, false)).When(s => Decide(Upload(), s)).ThenRejected("TokenDeleted", "T10");
    }
}
