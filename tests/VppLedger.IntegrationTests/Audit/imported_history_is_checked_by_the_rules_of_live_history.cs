using System.Text;
using VppLedger.Audit;
using VppLedger.IntegrationTests.Infrastructure;
using Marten;
using VppLedger.Pools;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>
/// Item 16 of issue 10: an import passes the rules of live history and needs its own permission. Each hostile file is
/// refused whole, naming its line and rule, and writes nothing: no event, no import key, no location claim.
/// </summary>
public sealed class imported_history_is_checked_by_the_rules_of_live_history(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Importer = new("migration-job", Permissions.ImportHistory);

    [Fact]
    [Trait("Rule", "X1")]
    public async Task an_actor_without_the_import_history_permission_is_refused_and_nothing_is_written()
    {
        var ledger = db.Ledger.ForTenant(new TenantId("imp-perm"));
        var admin = new Actor("admin", Permissions.ManagedApps | Permissions.MobileApps | Permissions.Directory);

        var result = await ledger.Audit.ImportAsync(Utf8(History.Valid("perm")), admin);

        Assert.False(result.Succeeded);
        Assert.Equal(("PermissionDenied", "X1", 0), (result.Rejection!.Rejection.Code, result.Rejection.Rejection.Rule, result.Rejection.Line));
        Assert.Contains("ImportHistory", result.Rejection.Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync("imp-perm");
    }

    [Fact]
    [Trait("Rule", "X1")]
    public async Task an_actor_with_only_the_import_history_permission_imports_a_valid_file()
    {
        var ledger = db.Ledger.ForTenant(new TenantId("imp-ok"));

        var result = await ledger.Audit.ImportAsync(Utf8(History.Valid("ok")), Importer);

        Assert.True(result.Succeeded, result.Rejection?.Message);
        Assert.Equal(History.Valid("ok").Split('\n').Length, result.ImportedCount);
        var pool = (await ledger.GetPoolAsync(History.PoolOf("ok")))!;
        Assert.Equal((2, 1), (pool.UsedCount, pool.QueuedCount));
    }

    [Fact]
    [Trait("Rule", "S4")]
    public Task a_grant_beyond_the_purchased_count_is_refused() =>
        AssertRefusedAsync("imp-s4", [.. History.Valid("s4").Split('\n')[..8], History.Granted("s4", "u.cat.managed")], line: 9, "S4", "ImportGrantOverTotal");

    [Fact]
    [Trait("Rule", "A6")]
    public Task granting_the_same_holder_twice_is_refused() =>
        AssertRefusedAsync("imp-twice", [.. History.Valid("twice").Split('\n')[..7], History.Granted("twice", "u.ann.managed", at: "2024-05-02T09:00:00Z")], line: 8, "A6", "ImportHolderAlreadySeated");

    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_token_whose_location_another_tenant_holds_is_refused()
    {
        var owner = new Scenario(db.Ledger.ForTenant(new TenantId("imp-t4-owner")), LedgerFixture.Start);
        await owner.RunAsync(owner.Upload(new TokenId("main"), location: "loc-import-shared"));

        await AssertRefusedAsync("imp-t4", [History.Uploaded("t4", "apple:loc-import-shared")], line: 1, "T4", "DuplicateLocationInAnotherTenant");
    }

    [Fact]
    [Trait("Rule", "T4")]
    public async Task an_imported_token_claims_its_location_so_another_tenant_cannot_take_it()
    {
        var result = await db.Ledger.ForTenant(new TenantId("imp-claim")).Audit.ImportAsync(Utf8(History.Uploaded("claim", "apple:loc-import-claimed")), Importer);
        Assert.True(result.Succeeded, result.Rejection?.Message);
        Assert.Equal(1, await db.EventCountAsync("imp-claim", "tenant:tokens")); // the T1/T4 lock a live upload takes too

        var other = new Scenario(db.Ledger.ForTenant(new TenantId("imp-claim-other")), LedgerFixture.Start);
        var upload = await other.Ledger.ExecuteAsync(other.Upload(new TokenId("main"), location: "loc-import-claimed"));

        Assert.Equal("DuplicateLocationInAnotherTenant", upload.Rejection?.Code);
    }

    [Fact]
    [Trait("Rule", "X2")]
    public Task the_events_of_a_pool_whose_token_is_not_in_the_tenant_are_refused() =>
        AssertRefusedAsync("imp-x2", History.Valid("x2").Split('\n')[1..], line: 5, "X2", "ImportTokenNotInTenant");

    [Fact]
    [Trait("Rule", "S2")]
    public Task negative_counts_are_refused() =>
        AssertRefusedAsync("imp-s2", [History.Valid("s2").Split('\n')[0], History.Counts("s2", purchased: -5)], line: 2, "S2", "InvalidAppleCounts");

    [Fact]
    [Trait("Rule", "A6")]
    public Task a_queue_position_that_would_make_later_grants_overflow_is_refused() =>
        AssertRefusedAsync("imp-pos", [.. History.Valid("pos").Split('\n')[..8], History.Queued("pos", "u.cat.managed", long.MaxValue)], line: 9, "A6", "ImportQueuePositionNotNext");

    [Fact]
    [Trait("Rule", "T2")]
    public Task a_grant_after_the_token_expired_is_refused() =>
        AssertRefusedAsync("imp-t2", [History.Valid("t2").Split('\n')[0], History.Users("ann"), History.Counts("t2", purchased: 2), History.Granted("t2", "u.ann.managed", at: "2026-01-01T08:00:00Z")], line: 4, "T2", "TokenExpired");

    [Fact]
    [Trait("Rule", "T10")]
    public Task a_grant_after_the_token_was_deleted_is_refused() =>
        AssertRefusedAsync("imp-t10", [History.Valid("t10").Split('\n')[0], History.Users("ann"), History.Counts("t10", purchased: 2), History.Deleted("t10"), History.Granted("t10", "u.ann.managed", at: "2024-05-04T08:00:00Z")], line: 5, "T10", "PoolOrphanedTokenDeleted");

    [Fact]
    [Trait("Rule", "S1")]
    public Task reclaiming_a_license_nobody_holds_is_refused() =>
        AssertRefusedAsync("imp-s1", [History.Valid("s1").Split('\n')[0], History.Counts("s1", purchased: 2), History.Reclaimed("s1", "u.ann.managed")], line: 3, "S1", "ImportSeatNotHeld");

    [Fact]
    [Trait("Rule", "T1")]
    public Task the_3001st_token_of_a_tenant_is_refused() =>
        AssertRefusedAsync("imp-t1", [.. Enumerable.Range(1, 3001).Select(i => History.Uploaded($"t1-{i}", $"apple:loc-import-t1-{i}"))], line: 3001, "T1", "TooManyTokens");

    [Fact]
    [Trait("Rule", "S4")]
    public async Task a_pool_filled_live_refuses_an_imported_grant_on_top()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("imp-live")), LedgerFixture.Start);
        var pool = await s.SyncedPoolAsync(new TokenId("live"), "555", purchased: 1);
        await s.RunAsync(new VppLedger.Directory.RecordUser(new UserId("ann"), null, new AppleId("ann@contoso.example", AppleIdKind.Managed), s.NextId(), Scenario.Admin));
        await s.RunAsync(new GrantLicenses(pool, [Holder.ForUser(new UserId("ann"), AppleIdKind.Managed)], s.NextId(), Scenario.Admin));
        var before = await db.EventCountAsync("imp-live");

        var result = await s.Ledger.Audit.ImportAsync(Utf8(string.Join('\n', History.Users("bob"), History.Granted("live", "u.bob.managed", at: "2026-03-02T08:00:00Z"))), Importer);

        Assert.Equal(("S4", 2), (result.Rejection?.Rejection.Rule, result.Rejection?.Line));
        Assert.Equal(before, await db.EventCountAsync("imp-live"));
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public async Task promoting_past_the_head_of_a_queue_filled_live_is_refused()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("imp-fifo")), LedgerFixture.Start);
        var pool = await s.SyncedPoolAsync(new TokenId("fifo"), "555", purchased: 1);
        foreach (var user in new[] { "ann", "bob", "cat" })
        {
            await s.RunAsync(new VppLedger.Directory.RecordUser(new UserId(user), null, new AppleId(user + "@contoso.example", AppleIdKind.Managed), s.NextId(), Scenario.Admin));
        }

        var before = await db.EventCountAsync("imp-fifo");
        await s.RunAsync(new GrantLicenses(pool, [.. new[] { "ann", "bob", "cat" }.Select(u => Holder.ForUser(new UserId(u), AppleIdKind.Managed))], s.NextId(), Scenario.Admin));
        before = await db.EventCountAsync("imp-fifo");
        var file = string.Join('\n', History.Reclaimed("fifo", "u.ann.managed", at: "2026-03-02T08:00:00Z"), History.Granted("fifo", "u.cat.managed", reason: "PromotedFromQueue", at: "2026-03-02T08:00:00Z"));

        var result = await s.Ledger.Audit.ImportAsync(Utf8(file), Importer);

        Assert.Equal(("A6", "ImportPromotionOutOfOrder", 2), (result.Rejection?.Rejection.Rule, result.Rejection?.Rejection.Code, result.Rejection?.Line));
        Assert.Equal(before, await db.EventCountAsync("imp-fifo"));
    }

    [Fact]
    [Trait("Rule", "A1")]
    public Task a_grant_to_a_holder_the_directory_never_recorded_is_refused() =>
        AssertRefusedAsync("imp-a1", [History.Valid("a1").Split('\n')[0], History.Counts("a1", purchased: 2), History.Granted("a1", "u.ghost.managed")], line: 3, "A1", "ImportHolderNotRecorded");

    [Fact]
    [Trait("Rule", "R4")]
    public Task a_grant_to_a_user_who_left_the_organization_is_refused() =>
        AssertRefusedAsync(
            "imp-r4",
            [
                History.Valid("r4").Split('\n')[0],
                History.Users("ann"),
                """{"event":"vpp.user.left_organization.v1","stream":"user:ann","actor":"legacy-mdm","data":{"OccurredAt":"2024-04-30T09:00:00Z"}}""",
                History.Counts("r4", purchased: 2),
                History.Granted("r4", "u.ann.managed"),
            ],
            line: 5,
            "R4",
            "ImportHolderLeftOrganization");

    private async Task AssertRefusedAsync(string tenant, IReadOnlyList<string> lines, int line, string rule, string code)
    {
        var ledger = db.Ledger.ForTenant(new TenantId(tenant));

        var result = await ledger.Audit.ImportAsync(Utf8(string.Join('\n', lines)), Importer);

        Assert.False(result.Succeeded);
        Assert.Equal((line, rule, code), (result.Rejection!.Line, result.Rejection.Rejection.Rule, result.Rejection.Rejection.Code));
        Assert.Contains($"line {line} breaks rule {rule}", result.Rejection.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.ImportedCount);
        await AssertNothingWrittenAsync(tenant);
    }

    private async Task AssertNothingWrittenAsync(string tenant)
    {
        Assert.Equal(0, await db.EventCountAsync(tenant));
        await using var session = db.Marten.Store.QuerySession(tenant);
        Assert.Equal(0, await session.Query<ImportRecordDoc>().CountAsync());
        Assert.Equal(0, await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.{LocationGuard.ClaimTableName} where tenant_id = @t", ("t", tenant)));
    }

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));
}
