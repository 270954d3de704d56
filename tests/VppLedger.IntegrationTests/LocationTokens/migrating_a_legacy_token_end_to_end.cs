using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.LocationTokens;

/// <summary>
/// Rule T9 from the public API: a legacy VPP token is uploaded, used, then migrated in place to its location token.
/// The token id stays, so apps, assignments and licenses stay; the new secret is kept apart (T12) and the new
/// location claimed (T4). Two legacy tokens of one location never both hold it.
/// </summary>
public sealed class migrating_a_legacy_token_end_to_end(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private Scenario Tenant(string id) => new(db.Ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    private UploadTokenFile UploadLegacy(Scenario s, TokenId token, string organization) => s.Upload(token, organization) with
    {
        FileContent = Scenario.TokenFile(organization, db.Clock.GetCurrentInstant() + Duration.FromDays(200), "legacy-secret-" + token.Value),
        Programme = TokenProgramme.LegacyVpp,
    };

    private MigrateLegacyTokenFile Migrate(Scenario s, TokenId token, string organization, string location, string secret) => new(
        token,
        Scenario.TokenFile(organization, db.Clock.GetCurrentInstant() + Duration.FromDays(365), secret),
        LocationKey.FromAppleLocationId(location),
        s.NextId(),
        Scenario.Admin);

    [Fact]
    [Trait("Rule", "T9")]
    [Trait("Rule", "T12")]
    [Trait("Rule", "T4")]
    public async Task a_legacy_token_migrates_in_place_keeping_its_licenses_and_storing_the_new_secret_and_claim()
    {
        var s = Tenant("legacy");
        var token = new TokenId("legacy-tok");
        await s.RunAsync(UploadLegacy(s, token, "Contoso Legacy"));
        var pool = await s.SyncedPoolAsync(token, "300", purchased: 5, upload: false);
        var users = await s.UsersAsync("leg-u", 2);
        var group = await s.GroupAsync("g-legacy", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        var migrated = await s.RunAsync(Migrate(s, token, "Contoso", "loc-migrated", "location-secret"));

        Assert.Single(migrated.EventsOf<TokenMigratedFromLegacyVpp>());
        Assert.Equal("location-secret", await s.Ledger.RevealTokenSecretAsync(token));
        Assert.Equal(0, await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.mt_events where data::text like '%location-secret%'"));
        var summary = await s.Ledger.GetTokenAsync(token);
        Assert.Equal(TokenStatus.Valid, summary!.Status);
        Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
        Assert.Single(await s.Ledger.ListAssignmentsAsync(pool.AdamId));

        var other = Tenant("legacy-other");
        var refused = await other.Ledger.ExecuteAsync(other.Upload(new TokenId("t"), location: "loc-migrated"));
        Assert.Equal("DuplicateLocationInAnotherTenant", refused.Rejection?.Code);
        var freed = await other.Ledger.ExecuteAsync(other.Upload(new TokenId("t"), "Contoso Legacy"));
        Assert.True(freed.Succeeded, "the legacy location was released: " + freed.Rejection);
    }

    [Fact]
    [Trait("Rule", "T9")]
    [Trait("Rule", "T4")]
    public async Task a_second_legacy_token_of_the_same_location_is_refused_so_its_licenses_never_count_twice()
    {
        var s = Tenant("legacy-two");
        await s.RunAsync(UploadLegacy(s, new TokenId("l1"), "Fabrikam"));
        await s.RunAsync(UploadLegacy(s, new TokenId("l2"), "Fabrikam"));
        await s.RunAsync(Migrate(s, new TokenId("l1"), "Fabrikam", "loc-fabrikam", "fab-1"));

        var second = await s.Ledger.ExecuteAsync(Migrate(s, new TokenId("l2"), "Fabrikam", "loc-fabrikam", "fab-2"));

        Assert.Equal(("LocationAlreadyHeldInTenant", "T9"), (second.Rejection?.Code, second.Rejection?.Rule));
        Assert.Equal("legacy-secret-l2", await s.Ledger.RevealTokenSecretAsync(new TokenId("l2")));
        var holders = (await s.Ledger.ListTokensAsync()).Where(t => t.Status != TokenStatus.Deleted).ToList();
        Assert.Single(holders, t => t.Fingerprint == TokenFingerprint.Of("fab-1").Short);
    }

    [Fact]
    [Trait("Rule", "T12")]
    public async Task a_migration_without_the_file_is_refused()
    {
        var s = Tenant("legacy-facts");
        await s.RunAsync(UploadLegacy(s, new TokenId("l"), "Northwind"));
        var facts = VppTokenFile.Parse(Scenario.TokenFile("Northwind", db.Clock.GetCurrentInstant() + Duration.FromDays(300), "x"), db.Clock.GetCurrentInstant()).File!;

        var refused = await s.Ledger.ExecuteAsync(new MigrateLegacyToken(new TokenId("l"), facts.Facts, LocationKey.FromAppleLocationId("loc-n"), s.NextId(), Scenario.Admin));

        Assert.Equal("UseTokenFileCommand", refused.Rejection?.Code);
    }
}
