using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>
/// Regression: on a tenant of 5.2 million events the seat rows took more than Marten's default 5 minutes to rebuild,
/// and RebuildAsync threw TimeoutException half-way (docs/benchmarks.md). The daemon now gets the ledger's own
/// shard timeout; it cannot be reproduced at full size in a test, so these tests show the timeout is the ledger's.
/// </summary>
public sealed class a_rebuild_longer_than_five_minutes_does_not_time_out(a_rebuild_longer_than_five_minutes_does_not_time_out.TinyTimeoutFixture db)
    : IClassFixture<a_rebuild_longer_than_five_minutes_does_not_time_out.TinyTimeoutFixture>
{
    [Fact]
    [Trait("Rule", "I2")]
    public void the_default_shard_timeout_is_far_beyond_five_minutes()
    {
        Assert.True(new VppLedgerOptions().RebuildShardTimeout >= TimeSpan.FromHours(1));
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task the_daemon_is_given_the_ledgers_shard_timeout()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("timeout")), db.Clock.GetCurrentInstant());
        await s.SyncedPoolAsync(new TokenId("tok"), "42", purchased: 2);

        await Assert.ThrowsAnyAsync<TimeoutException>(() => db.Ledger.RebuildAsync());
    }

    /// <summary>A ledger whose rebuild may take 1 ms per projection: any real rebuild exceeds it.</summary>
    public sealed class TinyTimeoutFixture : LedgerFixture
    {
        protected override void Configure(VppLedgerOptions options) => options.RebuildShardTimeout = TimeSpan.FromMilliseconds(1);
    }
}
