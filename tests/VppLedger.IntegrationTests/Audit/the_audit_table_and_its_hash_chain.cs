using NodaTime;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>Every event becomes one audit row, with its sequence, actor and rule, chained per tenant (I1, I5).</summary>
public sealed class the_audit_table_and_its_hash_chain(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private Scenario NewTenant(string tenant) => new(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());

    private async Task<(Scenario S, PoolId Pool)> SmallTenantAsync(string tenant)
    {
        var s = NewTenant(tenant);
        var pool = await s.SyncedPoolAsync(new TokenId("tok-" + tenant), "361309726", purchased: 2);
        var users = await s.UsersAsync("u", 4);
        var group = await s.GroupAsync("sales", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        return (s, pool);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task each_event_has_one_row_with_its_global_sequence_actor_correlation_and_rule()
    {
        var (s, pool) = await SmallTenantAsync("rows");

        var rows = await s.Ledger.Audit.HistoryAsync().ToListAsync();

        var eventCount = await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.mt_events where tenant_id = 'rows'");
        Assert.Equal(eventCount, rows.Count);
        var seqs = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.vpp_audit a join {db.SchemaName}.mt_events e on e.seq_id = a.seq and e.stream_id = a.stream and e.version = a.version where a.tenant_id = 'rows'");
        Assert.Equal(eventCount, seqs);
        Assert.Equal(rows.Select(r => r.Sequence).Order(), rows.Select(r => r.Sequence));

        var granted = rows.Where(r => r.Action == "license_granted").ToList();
        var queued = rows.Where(r => r.Action == "holder_queued").ToList();
        Assert.Equal(2, granted.Count);
        Assert.Equal([1L, 2L], queued.Select(q => q.QueuePosition!.Value));
        Assert.All(granted.Concat(queued), r =>
        {
            Assert.Equal("A6", r.Rule);
            Assert.Equal("tok-rows", r.Token);
            Assert.Equal("361309726", r.AdamId);
            Assert.Equal("user.managed", r.HolderKind);
            Assert.Equal(Scenario.Admin.Name, r.Actor);
            Assert.NotNull(r.CorrelationId);
            Assert.Equal(r.CorrelationId, r.CausationId);
            Assert.Matches("^[0-9a-f]{32}$", r.HolderId!);
        });
        Assert.Equal(AuditPseudonym.Of("rows", Holder.ForUser(new UserId("u0001"), AppleIdKind.Managed)), granted[0].HolderId);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task no_apple_id_or_serial_number_appears_and_holders_are_pseudonymous()
    {
        var (s, _) = await SmallTenantAsync("pii");
        await s.DeviceAsync("ipad-7", Scenario.CorporateSupervised());

        var leaks = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.vpp_audit a where a.tenant_id = 'pii' and (a::text like '%contoso.example%' or a::text like '%SNIPAD7%' or a.holder_id like 'u.%' or a.holder_id like 'd.%')");
        var pseudonymous = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.vpp_audit a where a.tenant_id = 'pii' and a.holder_id ~ '^[0-9a-f]{{32}}$'");
        Assert.Equal(0, leaks);
        Assert.True(pseudonymous >= 9); // 4 users, 1 device, 2 granted, 2 queued
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task an_untouched_chain_verifies_and_grows_with_each_command()
    {
        var (s, pool) = await SmallTenantAsync("chain");
        await s.Ledger.Audit.WaitForSealAsync();
        var first = await s.Ledger.Audit.VerifyChainAsync();
        await s.CountsAsync(pool, purchased: 3);

        await s.Ledger.Audit.WaitForSealAsync();
        var second = await s.Ledger.Audit.VerifyChainAsync();

        Assert.True(first.IsIntact, first.FirstMismatch?.Reason);
        Assert.True(second.IsIntact, second.FirstMismatch?.Reason);
        Assert.True(second.RowCount > first.RowCount);
        Assert.NotEqual(first.HeadHash, second.HeadHash);
    }

    [Fact]
    [Trait("Rule", "I1")]
    [Trait("Rule", "I5")]
    public async Task altering_a_stored_row_is_found_and_the_row_is_named()
    {
        var (s, pool) = await SmallTenantAsync("tamper");
        await s.Ledger.Audit.WaitForSealAsync();
        var victim = (await s.Ledger.Audit.HistoryAsync().ToListAsync()).First(r => r.Action == "holder_queued");

        await TestServer.ScalarAsync<object>(
            $"update {db.SchemaName}.vpp_audit set action = 'license_granted', rule_id = 'A6' where tenant_id = 'tamper' and stream = @s and version = @v",
            ("s", victim.Stream), ("v", victim.Version));
        var verification = await s.Ledger.Audit.VerifyChainAsync();

        Assert.False(verification.IsIntact);
        Assert.Equal((victim.Sequence, victim.Stream, victim.Version, victim.ChainPosition!.Value),
            (verification.FirstMismatch!.Sequence, verification.FirstMismatch.Stream, verification.FirstMismatch.Version, verification.FirstMismatch.ChainPosition));
        Assert.Contains("altered", verification.FirstMismatch.Reason, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task deleting_a_row_is_found_and_the_row_is_named()
    {
        var (s, _) = await SmallTenantAsync("gap");
        await s.Ledger.Audit.WaitForSealAsync();
        var rows = await s.Ledger.Audit.HistoryAsync().ToListAsync();
        var victim = rows[3];

        await TestServer.ScalarAsync<object>(
            $"delete from {db.SchemaName}.vpp_audit where tenant_id = 'gap' and stream = @s and version = @v", ("s", victim.Stream), ("v", victim.Version));
        var verification = await s.Ledger.Audit.VerifyChainAsync();

        Assert.False(verification.IsIntact);
        Assert.Equal((ChainMismatchKind.AuditRowDeleted, victim.Sequence), (verification.FirstMismatch!.Kind, verification.FirstMismatch.Sequence));
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task applying_the_schema_again_keeps_the_table_its_chain_and_its_trigger()
    {
        var (s, pool) = await SmallTenantAsync("reapply");

        await db.Ledger.ApplySchemaAsync();
        await s.CountsAsync(pool, purchased: 4);
        await s.Ledger.Audit.WaitForSealAsync();

        var verification = await s.Ledger.Audit.VerifyChainAsync();
        Assert.True(verification.IsIntact, verification.FirstMismatch?.Reason);
        Assert.Equal(await db.EventCountAsync("reapply"), verification.RowCount);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task applying_the_schema_removes_the_sealing_trigger_of_earlier_versions()
    {
        var (s, pool) = await SmallTenantAsync("legacy");
        await TestServer.ScalarAsync<object>(
            $"""
            create function {db.SchemaName}.vpp_audit_seal_rows() returns trigger language plpgsql as $$ begin raise exception 'the legacy sealing trigger ran'; end $$;
            create trigger vpp_audit_sealed after insert on {db.SchemaName}.vpp_audit referencing new table as inserted
              for each statement execute function {db.SchemaName}.vpp_audit_seal_rows();
            """);

        await db.Ledger.ApplySchemaAsync();

        await s.CountsAsync(pool, purchased: 5);
        Assert.Equal(0, await TestServer.ScalarAsync<long>($"select count(*) from pg_trigger where tgname = 'vpp_audit_sealed' and tgrelid = '{db.SchemaName}.vpp_audit'::regclass"));
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task the_history_of_one_tenant_never_shows_another()
    {
        await SmallTenantAsync("iso-a");
        var b = NewTenant("iso-b");
        await b.SyncedPoolAsync(new TokenId("tok-b"), "42", purchased: 1);

        var rows = await b.Ledger.Audit.HistoryAsync().ToListAsync();

        Assert.All(rows, r => Assert.Equal("iso-b", r.Tenant));
        Assert.True((await b.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }
}
