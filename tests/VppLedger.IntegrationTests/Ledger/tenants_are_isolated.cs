using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Ledger;

public sealed class tenants_are_isolated(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private Scenario Tenant(string id) => new(db.Ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    [Fact]
    [Trait("Rule", "X2")]
    public async Task the_same_ids_in_two_tenants_are_two_ledgers_that_never_see_each_other()
    {
        var a = Tenant("iso-a");
        var b = Tenant("iso-b");
        var pool = await a.SyncedPoolAsync(new TokenId("tok"), "555", purchased: 30);
        await a.DeviceAsync("d1", Scenario.CorporateSupervised());
        await a.RunAsync(new Pools.GrantLicenses(pool, [Holder.ForDevice(new DeviceId("d1"))], a.NextId(), Scenario.Admin));

        Assert.Null(await b.Ledger.GetPoolAsync(pool));
        Assert.Empty(await b.Ledger.ListPoolsAsync());
        Assert.Empty(await b.Ledger.ListTokensAsync());
        Assert.Empty((await b.Ledger.GetDeviceLicensesAsync(new DeviceId("d1"))).Licenses);
        Assert.False(await b.Ledger.ExistsAsync());

        // The same ids used in b start from nothing and leave a unchanged.
        var poolB = await b.SyncedPoolAsync(new TokenId("tok"), "555", purchased: 3, upload: false).ContinueWith(_ => pool, TaskScheduler.Default);
        Assert.Equal(30, (await a.Ledger.GetPoolAsync(pool))!.TotalCount);
        Assert.Equal(1, (await a.Ledger.GetPoolAsync(pool))!.UsedCount);
        Assert.Equal(poolB, pool);
    }

    [Fact]
    [Trait("Rule", "T4")]
    [Trait("Rule", "X2")]
    public async Task a_location_active_in_another_tenant_is_refused_even_when_two_uploads_race()
    {
        var uploads = await Task.WhenAll(
            Tenant("race-a").Ledger.ExecuteAsync(Tenant("race-a").Upload(new TokenId("t1"), location: "shared-loc")),
            Tenant("race-b").Ledger.ExecuteAsync(Tenant("race-b").Upload(new TokenId("t1"), location: "shared-loc")));

        Assert.Single(uploads, u => u.Status == CommandStatus.Applied);
        var refused = Assert.Single(uploads, u => u.Status == CommandStatus.Rejected);
        Assert.Equal(("DuplicateLocationInAnotherTenant", "T4"), (refused.Rejection!.Code, refused.Rejection.Rule));

        var late = await Tenant("race-c").Ledger.ExecuteAsync(Tenant("race-c").Upload(new TokenId("t9"), location: "shared-loc"));
        Assert.Equal("DuplicateLocationInAnotherTenant", late.Rejection!.Code);
    }

    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_second_copy_of_a_location_in_one_tenant_is_reported_as_a_duplicate()
    {
        var s = Tenant("dup");
        await s.RunAsync(s.Upload(new TokenId("first"), location: "loc-dup"));
        await s.RunAsync(s.Upload(new TokenId("second"), location: "loc-dup"));

        var second = await s.Ledger.GetTokenAsync(new TokenId("second"));
        Assert.Equal(TokenStatus.Duplicate, second!.Status);
        Assert.Equal(new TokenId("first"), second.DuplicateOf);
        Assert.Equal(TokenStatus.Valid, (await s.Ledger.GetTokenAsync(new TokenId("first")))!.Status);
    }

    [Fact]
    [Trait("Rule", "T12")]
    public async Task the_token_secret_is_kept_apart_and_never_stored_in_the_log()
    {
        var s = Tenant("secret");
        await s.RunAsync(s.Upload(new TokenId("tok"), location: "loc-secret"));

        Assert.Equal("secret-of-tok", await s.Ledger.RevealTokenSecretAsync(new TokenId("tok")));
        var inLog = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.mt_events where data::text like '%secret-of-tok%'");
        var inDocs = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.mt_doc_tokendoc where data::text like '%secret-of-tok%'");
        Assert.Equal(0, inLog);
        Assert.Equal(0, inDocs);
    }
}
