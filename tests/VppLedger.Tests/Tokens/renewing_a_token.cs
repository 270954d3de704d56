using NodaTime;
using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class renewing_a_token
{
    private static readonly TokenFileFacts NewFile = FileOf("secret-two", Now + Duration.FromDays(400));

    private static RenewToken Renew(TokenFileFacts? file = null, LocationKey? location = null) =>
        new(Token, file ?? NewFile, location ?? Location, Command("renew-1"), Admin);

    [Fact]
    [Trait("Rule", "T8")]
    public void a_new_file_for_the_same_location_updates_expiry_and_fingerprint_and_keeps_the_rest()
    {
        var before = Spec().Given(Uploaded(), new TokenSettingsChanged(Now, Settings with { Name = "Renamed" })).State;

        var after = Spec().Given(Uploaded(), new TokenSettingsChanged(Now, Settings with { Name = "Renamed" }))
            .When(s => TokenDecider.Decide(Renew(), s, Now))
            .Then(new TokenRenewed(Now, NewFile));

        Assert.Equal(NewFile.ExpiresAt, after.ExpiresAt);
        Assert.Equal(NewFile.Fingerprint, after.File!.Fingerprint);
        Assert.Equal(before with { File = NewFile }, after);
    }

    [Fact]
    [Trait("Rule", "T8")]
    [Trait("Rule", "I4")]
    public void renewing_twice_with_the_same_file_decides_nothing_the_second_time()
    {
        Spec().Given(Uploaded(), new TokenRenewed(Now, NewFile)).When(s => TokenDecider.Decide(Renew(), s, Now)).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "T8")]
    public void renewing_with_a_file_of_another_location_is_rejected()
    {
        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Renew(location: OtherLocation), s, Now))
            .ThenRejected("RenewalForAnotherLocation", "T8");
    }

    [Fact]
    [Trait("Rule", "T8")]
    public void renewing_with_an_older_download_is_rejected()
    {
        var older = FileOf("secret-zero", TokenFile.ExpiresAt - Duration.FromDays(10));

        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Renew(older), s, Now)).ThenRejected("RenewalOlderThanCurrent", "T8");
    }

    [Fact]
    [Trait("Rule", "T8")]
    [Trait("Rule", "T2")]
    public void renewing_an_expired_token_makes_it_usable_again()
    {
        var later = TokenFile.ExpiresAt + Duration.FromDays(1);
        var renewal = FileOf("secret-two", later + Duration.FromDays(365));

        var state = Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Renew(renewal), s, later)).Then(new TokenRenewed(later, renewal));

        Assert.Null(TokenRules.CheckCanSyncOrGrant(state, later));
    }

    [Fact]
    [Trait("Rule", "T8")]
    public void renewing_a_token_never_uploaded_is_rejected()
    {
        Spec().When(s => TokenDecider.Decide(Renew(), s, Now)).ThenRejected("TokenNotFound", "T5");
    }
}
