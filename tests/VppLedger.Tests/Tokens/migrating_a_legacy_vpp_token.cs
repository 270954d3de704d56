using NodaTime;
using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class migrating_a_legacy_vpp_token
{
    private static readonly TokenFileFacts LocationFile = FileOf("location-secret", Now + Duration.FromDays(365));
    private static readonly ITokenEvent LegacyUploaded = Uploaded() with { Programme = TokenProgramme.LegacyVpp, Location = LocationKey.FromOrganizationName("Contoso") };

    private static MigrateLegacyToken Migrate() => new(Token, LocationFile, Location, Command("migrate-1"), Admin);

    [Fact]
    [Trait("Rule", "T9")]
    public void the_location_token_replaces_the_legacy_token_in_place_keeping_its_id_and_settings()
    {
        var before = Spec().Given(LegacyUploaded).State;

        var after = Spec().Given(LegacyUploaded)
            .When(s => TokenDecider.Decide(Migrate(), s, TokenLocationClaims.None, Now))
            .Then(new TokenMigratedFromLegacyVpp(Now, Location, LocationFile, null));

        Assert.Equal(before.Id, after.Id);
        Assert.Equal(before.Settings, after.Settings);
        Assert.Equal(TokenProgramme.AppsAndBooks, after.Programme);
        Assert.True(after.MigratedFromLegacyVpp);
        Assert.False(after.Deleted);
        Assert.Equal(LocationFile, after.File);
    }

    [Fact]
    [Trait("Rule", "T9")]
    [Trait("Rule", "I4")]
    public void migrating_twice_with_the_same_file_decides_nothing()
    {
        Spec().Given(LegacyUploaded, new TokenMigratedFromLegacyVpp(Now, Location, LocationFile, null))
            .When(s => TokenDecider.Decide(Migrate(), s, TokenLocationClaims.None, Now))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "T9")]
    public void a_location_token_cannot_be_migrated()
    {
        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Migrate(), s, TokenLocationClaims.None, Now))
            .ThenRejected("NotALegacyToken", "T9");
    }

    [Fact]
    [Trait("Rule", "T9")]
    [Trait("Rule", "T4")]
    public void migrating_to_a_location_active_in_another_tenant_is_rejected()
    {
        Spec().Given(LegacyUploaded).When(s => TokenDecider.Decide(Migrate(), s, new TokenLocationClaims(true, null), Now))
            .ThenRejected("DuplicateLocationInAnotherTenant", "T4");
    }

    [Fact]
    [Trait("Rule", "T9")]
    [Trait("Rule", "T4")]
    public void a_second_legacy_token_cannot_migrate_to_a_location_another_token_of_the_tenant_holds()
    {
        var rejection = Spec().Given(LegacyUploaded)
            .When(s => TokenDecider.Decide(Migrate(), s, new TokenLocationClaims(false, OtherToken), Now))
            .ThenRejected("LocationAlreadyHeldInTenant", "T9");

        Assert.Contains(OtherToken.Value, rejection.Message, StringComparison.Ordinal);
    }
}
