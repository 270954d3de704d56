using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Storage;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.LocationTokens;

/// <summary>
/// Rule T1 under real concurrency: uploads read the tenant's token count, and that read is covered by the version
/// of the tenant's token stream, so uploads that race after 2,999 tokens leave 3,000 at most.
/// </summary>
public sealed class concurrent_uploads_never_exceed_the_token_limit(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private const string TenantId = "many-tokens";
    private const int Racers = 4;

    [Fact]
    [Trait("Rule", "T1")]
    public async Task four_uploads_started_together_after_2999_tokens_leave_3000()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(TenantId)), db.Clock.GetCurrentInstant());
        var seed = await s.RunAsync(s.Upload(new TokenId("seed"), location: "loc-seed"));
        await SeedTokenRowsAsync(TokenDecider.MaxTokensPerTenant - 2, ((TokenUploaded)seed.Changes[0].Event));
        Assert.Equal(TokenDecider.MaxTokensPerTenant - 1, await LiveTokensAsync());

        using var barrier = new Barrier(Racers);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            var upload = s.Upload(new TokenId($"racer-{i}"), location: $"loc-racer-{i}");
            barrier.SignalAndWait();
            return await s.Ledger.ExecuteAsync(upload);
        })));

        Assert.Equal(TokenDecider.MaxTokensPerTenant, await LiveTokensAsync());
        Assert.Single(outcomes, o => o.Succeeded);
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.Contains(o.Rejection!.Code, new[] { "TooManyTokens", "ConcurrencyConflict" }));
    }

    [Fact]
    [Trait("Rule", "T1")]
    [Trait("Rule", "T4")]
    public async Task eight_uploads_of_different_tokens_started_together_all_succeed()
    {
        // Each upload reads the tenant's token count (T1) and claims its own location (T4): they conflict on the count
        // and are decided again, which the ledger's own retries absorb; a host uploading in parallel is not refused.
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("parallel-uploads")), db.Clock.GetCurrentInstant());
        for (var round = 0; round < 5; round++)
        {
            using var barrier = new Barrier(8);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                var upload = s.Upload(new TokenId($"par-{round}-{i}"), location: $"loc-par-{round}-{i}");
                barrier.SignalAndWait();
                return await s.Ledger.ExecuteAsync(upload);
            })));

            Assert.All(outcomes, o => Assert.True(o.Succeeded, $"round {round}: {o.Rejection}"));
        }
    }

    /// <summary>
    /// 2,998 more token rows written straight to the token table (as the inline projection writes them), so the
    /// test needs no 2,998 uploads; the racing uploads go through the ledger as a host sends them.
    /// </summary>
    private async Task SeedTokenRowsAsync(int count, TokenUploaded template)
    {
        await using var session = db.Marten.Store.LightweightSession(TenantId);
        for (var i = 0; i < count; i++)
        {
            var token = new TokenId($"seeded-{i:D4}");
            var state = TokenDecider.Evolve(TokenState.Initial, template with { Token = token, Location = LocationKey.FromAppleLocationId($"loc-seeded-{i}") });
            session.Store(new TokenDoc(Streams.Token(token), state, state.Location.Value, false));
        }

        await session.SaveChangesAsync();
    }

    private Task<long> LiveTokensAsync() => TestServer.ScalarAsync<long>(
        $"select count(*) from {db.SchemaName}.mt_doc_tokendoc where tenant_id = @t and data->>'Deleted' = 'false'",
        ("t", TenantId));
}
