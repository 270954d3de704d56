using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Storage;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.LocationTokens;

/// <summary>
/// Rule T4 across an upgrade: the claims an earlier version kept as a Marten document under a unique index become
/// rows of the control database's claim table when the schema is applied, so a location held before the upgrade stays
/// held after it.
/// </summary>
public sealed class claims_of_an_earlier_version_are_carried_over_by_the_schema_step(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_location_claimed_before_the_upgrade_stays_claimed_after_it()
    {
        var location = LocationKey.FromAppleLocationId("loc-before-upgrade").Value;
        await TestServer.ScalarAsync<object>(
            $"create table {db.SchemaName}.mt_doc_locationclaimdoc (tenant_id varchar not null, id varchar not null, data jsonb not null, primary key (tenant_id, id))");
        await TestServer.ScalarAsync<object>(
            $"insert into {db.SchemaName}.mt_doc_locationclaimdoc values ('old-tenant', @l, jsonb_build_object('Id', @l, 'Location', @l, 'Token', 'old-token'))",
            ("l", location));

        await db.Ledger.ApplySchemaAsync();

        var claim = await TestServer.ScalarAsync<string>(
            $"select tenant_id || ' ' || state || ' ' || token_id from {db.SchemaName}.{LocationGuard.ClaimTableName} where location = @l", ("l", location));
        Assert.Equal("old-tenant held old-token", claim);
        var newcomer = new Scenario(db.Ledger.ForTenant(new TenantId("new-tenant")), db.Clock.GetCurrentInstant());
        var refused = await newcomer.Ledger.ExecuteAsync(newcomer.Upload(new TokenId("t1"), location: "loc-before-upgrade"));
        Assert.Equal(("DuplicateLocationInAnotherTenant", "T4"), (refused.Rejection?.Code, refused.Rejection?.Rule));
    }
}
