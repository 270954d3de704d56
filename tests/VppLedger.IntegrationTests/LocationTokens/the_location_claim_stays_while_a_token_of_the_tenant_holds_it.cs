using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.LocationTokens;

/// <summary>Rule T4: deleting the token that claimed a location keeps the claim while a duplicate of the tenant still holds it.</summary>
public sealed class the_location_claim_stays_while_a_token_of_the_tenant_holds_it(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private Scenario Tenant(string id) => new(db.Ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    [Fact]
    [Trait("Rule", "T4")]
    [Trait("Rule", "X2")]
    public async Task only_the_last_live_token_of_a_location_frees_it_for_another_tenant()
    {
        var a = Tenant("claim-a");
        var b = Tenant("claim-b");
        await a.RunAsync(a.Upload(new TokenId("first"), location: "loc-claimed"));
        await a.RunAsync(a.Upload(new TokenId("second"), location: "loc-claimed"));

        await a.RunAsync(new DeleteToken(new TokenId("first"), a.NextId(), Scenario.Admin));
        var whileHeld = await b.Ledger.ExecuteAsync(b.Upload(new TokenId("b1"), location: "loc-claimed"));
        Assert.Equal(("DuplicateLocationInAnotherTenant", "T4"), (whileHeld.Rejection?.Code, whileHeld.Rejection?.Rule));

        await a.RunAsync(new DeleteToken(new TokenId("second"), a.NextId(), Scenario.Admin));
        var afterLast = await b.Ledger.ExecuteAsync(b.Upload(new TokenId("b1"), location: "loc-claimed"));
        Assert.True(afterLast.Succeeded, afterLast.Rejection?.ToString());
    }
}
