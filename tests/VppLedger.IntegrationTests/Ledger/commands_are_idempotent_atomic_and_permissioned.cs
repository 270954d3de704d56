using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Ledger;

public sealed class commands_are_idempotent_atomic_and_permissioned(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Holder Ann = Holder.ForUser(new UserId("ann"), AppleIdKind.Managed);
    private static readonly Holder Bob = Holder.ForUser(new UserId("bob"), AppleIdKind.Managed);

    private async Task<(Scenario S, PoolId Pool)> PoolAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "42", purchased: 2);
        foreach (var holder in new[] { Ann, Bob })
        {
            await s.RunAsync(new Directory.RecordUser(holder.User!.Value, null, new AppleId(holder.OwnerId + "@contoso.example", AppleIdKind.Managed), s.NextId(), Scenario.Admin));
        }

        return (s, pool);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public async Task retrying_a_command_id_returns_the_first_outcome_and_writes_nothing()
    {
        var (s, pool) = await PoolAsync("idem-1");
        var grant = new GrantLicenses(pool, [Ann, Bob], new CommandId("grant-once"), Scenario.Admin);

        var first = await s.Ledger.ExecuteAsync(grant);
        var events = await db.EventCountAsync("idem-1");
        var again = await s.Ledger.ExecuteAsync(grant);

        Assert.Equal(CommandStatus.Applied, first.Status);
        Assert.False(first.IsReplay);
        Assert.True(again.IsReplay);
        Assert.Equal(CommandStatus.Applied, again.Status);
        Assert.Equal(first.Changes.Select(c => (c.Stream, c.Version, c.EventName)), again.Changes.Select(c => (c.Stream, c.Version, c.EventName)));
        Assert.Equal(first.Changes.Select(c => c.Event), again.Changes.Select(c => c.Event));
        Assert.Equal(events, await db.EventCountAsync("idem-1"));
        Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public async Task the_same_command_id_with_another_payload_is_rejected_and_writes_nothing()
    {
        var (s, pool) = await PoolAsync("idem-2");
        await s.Ledger.ExecuteAsync(new GrantLicenses(pool, [Ann], new CommandId("reused"), Scenario.Admin));
        var events = await db.EventCountAsync("idem-2");

        var other = await s.Ledger.ExecuteAsync(new GrantLicenses(pool, [Bob], new CommandId("reused"), Scenario.Admin));

        Assert.Equal(CommandStatus.Rejected, other.Status);
        Assert.Equal(("IdempotencyKeyReused", "I4"), (other.Rejection!.Code, other.Rejection.Rule));
        Assert.Equal(events, await db.EventCountAsync("idem-2"));
    }

    [Fact]
    [Trait("Rule", "X1")]
    public async Task a_command_without_the_permission_is_refused_and_writes_nothing()
    {
        var (s, pool) = await PoolAsync("perm");
        var events = await db.EventCountAsync("perm");
        var helpdesk = new Actor("helpdesk", Permissions.Directory);

        var outcome = await s.Ledger.ExecuteAsync(new GrantLicenses(pool, [Ann], s.NextId(), helpdesk));

        Assert.Equal(("PermissionDenied", "X1"), (outcome.Rejection!.Code, outcome.Rejection.Rule));
        Assert.Contains("helpdesk", outcome.Rejection.Message, StringComparison.Ordinal);
        Assert.Equal(events, await db.EventCountAsync("perm"));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_rejected_command_writes_nothing_at_all()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("atomic")), db.Clock.GetCurrentInstant());
        await s.RunAsync(s.Upload(new TokenId("tok"), location: "loc-atomic"));
        var events = await db.EventCountAsync("atomic");

        // The pool was never synced, so its product is unknown: the grant is refused (S2).
        var outcome = await s.Ledger.ExecuteAsync(new GrantLicenses(new PoolId(new TokenId("tok"), new AdamId("7")), [Ann], s.NextId(), Scenario.Admin));

        Assert.Equal(CommandStatus.Rejected, outcome.Status);
        Assert.Empty(outcome.Changes);
        Assert.Equal(events, await db.EventCountAsync("atomic"));
        Assert.Null(await s.Ledger.GetPoolAsync(new PoolId(new TokenId("tok"), new AdamId("7"))));
    }

    [Fact]
    [Trait("Rule", "T2")]
    public async Task an_expired_token_grants_nothing()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("expired")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok-short");
        await s.RunAsync(s.Upload(token, location: "loc-short", validFor: NodaTime.Duration.FromDays(10)));
        var pool = new PoolId(token, new AdamId("9"));
        await s.CountsAsync(pool, purchased: 5);
        var clock = db.Clock;

        var later = new Scenario(db.Ledger.ForTenant(new TenantId("expired")), clock.GetCurrentInstant());
        var ledger = LicenseLedger.Create(await TestServer.ConnectionStringAsync(), o => o.SchemaName = db.SchemaName, new NodaTime.Testing.FakeClock(clock.GetCurrentInstant() + NodaTime.Duration.FromDays(11)));
        await using var _ = ledger;
        var outcome = await ledger.ForTenant(new TenantId("expired")).ExecuteAsync(new GrantLicenses(pool, [Ann], later.NextId(), Scenario.Admin));

        Assert.Equal(("TokenExpired", "T2"), (outcome.Rejection!.Code, outcome.Rejection.Rule));
    }
}
