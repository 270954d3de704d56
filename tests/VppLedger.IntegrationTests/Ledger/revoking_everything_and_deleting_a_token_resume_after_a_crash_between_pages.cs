using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Revoking every license of a token and deleting a token under Apple's newer behaviour commit 40 holders a page (the
/// fixture's page size). A fault thrown by the test hook after a committed page is a crash between pages: the counts
/// balance at that boundary, the operation is listed in progress, and retrying the command id (or ResumeAsync) finishes
/// it with the same events, holder for holder, as one uninterrupted run in a twin tenant.
/// </summary>
public sealed class revoking_everything_and_deleting_a_token_resume_after_a_crash_between_pages(PagedCurrentAppleLedgerFixture db)
    : IClassFixture<PagedCurrentAppleLedgerFixture>
{
    private static readonly TokenId Token = new("tok");

    /// <summary>A token with two pools over one group of 180 users: 150 granted and 30 queued in one, 30 and 150 in the other.</summary>
    private async Task<(Scenario S, PoolId A, PoolId B)> BuildAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var a = await s.SyncedPoolAsync(Token, "111", purchased: 150);
        var b = await s.SyncedPoolAsync(Token, "222", purchased: 30, upload: false);
        var users = await s.DirectoryUsersAsync("u", 180);
        var group = await s.GroupAsync("all", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(a, group, AssignmentIntent.Required, LicenseType.User);
        await s.AssignAsync(b, group, AssignmentIntent.Required, LicenseType.User);
        return (s, a, b);
    }

    private async Task AssertBalancedAsync(string tenant, Scenario s, params PoolId[] pools)
    {
        foreach (var pool in pools)
        {
            var summary = (await s.Ledger.GetPoolAsync(pool))!;
            var rows = await db.SeatRowsAsync(tenant, pool);
            Assert.Equal((rows.Granted, rows.Queued), ((long)summary.UsedCount, (long)summary.QueuedCount)); // S1 at the page boundary
            Assert.True(summary.UsedCount <= summary.TotalCount); // S4
        }
    }

    [Fact]
    [Trait("Rule", "R1")]
    [Trait("Rule", "I4")]
    [Trait("Rule", "S1")]
    [Trait("Rule", "A6")]
    public async Task revoking_every_license_of_a_token_resumes_after_a_crash_without_double_effect()
    {
        var id = new CommandId("revoke-token");
        var (twin, twinA, twinB) = await BuildAsync("revoke-twin");
        var whole = await twin.Ledger.ExecuteAsync(RevokeLicenses.ForToken(Token, id, Scenario.Admin));
        Assert.Equal(CommandStatus.Applied, whole.Status);

        var (s, a, b) = await BuildAsync("revoke-crash");
        await db.CrashAfterPageAsync(2, () => s.Ledger.ExecuteAsync(RevokeLicenses.ForToken(Token, id, Scenario.Admin)));

        // Three pages of 40 holders committed, the books balanced, the operation visible.
        await AssertBalancedAsync("revoke-crash", s, a, b);
        var left = (await s.Ledger.GetPoolAsync(a))!;
        Assert.Equal(180 - 120, left.UsedCount + left.QueuedCount);
        var inProgress = Assert.Single(await s.Ledger.ListOperationsInProgressAsync());
        Assert.Equal((id, "RevokeLicenses", 3), (inProgress.Operation, inProgress.CommandType, inProgress.PagesCommitted));

        var resumed = await s.Ledger.ExecuteAsync(RevokeLicenses.ForToken(Token, id, Scenario.Admin));

        Assert.Equal(CommandStatus.Applied, resumed.Status);
        Assert.Equal(await db.EventsOfAsync("revoke-twin", id), await db.EventsOfAsync("revoke-crash", id));
        Assert.Equal(180, resumed.EventsOf<LicenseReclaimed>().Count());
        Assert.Equal(180, resumed.EventsOf<HolderLeftQueue>().Count());
        Assert.Equal(
            await TestServer.ScalarAsync<long>($"select count(distinct data->>'Holder') from {db.SchemaName}.mt_events where tenant_id = 'revoke-crash' and type = 'vpp.pool.license_reclaimed.v1' and stream_id = 'pool:tok:111'"),
            await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.mt_events where tenant_id = 'revoke-crash' and type = 'vpp.pool.license_reclaimed.v1' and stream_id = 'pool:tok:111'"));
        foreach (var pool in new[] { a, b })
        {
            var summary = (await s.Ledger.GetPoolAsync(pool))!;
            Assert.Equal((0, 0), (summary.UsedCount, summary.QueuedCount));
        }

        await AssertBalancedAsync("revoke-twin", twin, twinA, twinB);
        var pages = (180 + 180 + PagedLedgerFixture.PageSize - 1) / PagedLedgerFixture.PageSize;
        var expected = "vpp.operation.started.v1 " + string.Concat(Enumerable.Repeat("vpp.operation.page_committed.v1 ", pages - 1)) + "vpp.operation.completed.v1";
        Assert.Equal(expected, await db.OperationOfAsync("revoke-crash", id));
        Assert.Equal(expected, await db.OperationOfAsync("revoke-twin", id));
        Assert.Empty(await s.Ledger.ListOperationsInProgressAsync());

        var again = await s.Ledger.ExecuteAsync(RevokeLicenses.ForToken(Token, id, Scenario.Admin));
        Assert.True(again.IsReplay);
        Assert.Equal(await db.EventsOfAsync("revoke-twin", id), await db.EventsOfAsync("revoke-crash", id));
    }

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "I4")]
    [Trait("Rule", "S1")]
    public async Task deleting_a_token_under_the_newer_policy_is_finished_by_resume_after_a_crash()
    {
        var id = new CommandId("delete-token");
        var (twin, _, _) = await BuildAsync("delete-twin");
        Assert.Equal(CommandStatus.Applied, (await twin.Ledger.ExecuteAsync(new DeleteToken(Token, id, Scenario.Admin))).Status);

        var (s, a, b) = await BuildAsync("delete-crash");
        await db.CrashAfterPageAsync(4, () => s.Ledger.ExecuteAsync(new DeleteToken(Token, id, Scenario.Admin)));

        // Mid-operation the token is live and partly revoked, as "revoke all, then delete" would leave it (T10).
        Assert.NotEqual(TokenStatus.Deleted, (await s.Ledger.GetTokenAsync(Token))!.Status);
        await AssertBalancedAsync("delete-crash", s, a, b);

        var outcomes = await s.Ledger.ResumeAsync();

        var outcome = Assert.Single(outcomes);
        Assert.Equal((id, CommandStatus.Applied), (outcome.Id, outcome.Status));
        Assert.Equal(await db.EventsOfAsync("delete-twin", id), await db.EventsOfAsync("delete-crash", id));
        Assert.Equal(TokenStatus.Deleted, (await s.Ledger.GetTokenAsync(Token))!.Status);
        foreach (var pool in new[] { a, b })
        {
            var summary = (await s.Ledger.GetPoolAsync(pool))!;
            Assert.Equal((0, 0, true), (summary.UsedCount, summary.QueuedCount, summary.Orphaned));
            Assert.Equal((0L, 0L), await db.SeatRowsAsync("delete-crash", pool));
        }

        Assert.Empty(await s.Ledger.ListOperationsInProgressAsync());
        Assert.Empty(await s.Ledger.ResumeAsync());
        Assert.EndsWith("vpp.operation.completed.v1", await db.OperationOfAsync("delete-crash", id));
    }
}
