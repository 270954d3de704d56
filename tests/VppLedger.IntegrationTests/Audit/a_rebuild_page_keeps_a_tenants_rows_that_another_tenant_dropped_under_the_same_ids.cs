using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>
/// Regression (the flaky whole-ledger model test after the one-pass rebuild): tenants use the same token, app, user
/// and group ids, so their seat and member rows have the same ids. A rebuild page holds events of many tenants in one
/// session, and Marten drops the pending store of a row id when a delete of that id is queued after it, whatever
/// the tenant: one tenant's queued and granted seats went missing when another tenant's same rows were deleted later
/// in the page (I2).
/// </summary>
public sealed class a_rebuild_page_keeps_a_tenants_rows_that_another_tenant_dropped_under_the_same_ids(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "I2")]
    [Trait("Rule", "A6")]
    public async Task seats_and_members_of_one_tenant_survive_the_same_rows_deleted_in_another_tenant_in_one_page()
    {
        // The first tenant keeps one granted and one queued seat, and its group's members.
        var keeps = new Scenario(db.Ledger.ForTenant(new TenantId("keeps")), db.Clock.GetCurrentInstant());
        await HoldAsync(keeps);

        // The second tenant, under the same ids, then drops every one of those rows.
        var drops = new Scenario(db.Ledger.ForTenant(new TenantId("drops")), db.Clock.GetCurrentInstant());
        var (pool, group, users) = await HoldAsync(drops);
        Assert.True((await drops.RunAsync(new RemoveAssignment(pool, group, drops.NextId(), Scenario.Admin))).Succeeded);
        Assert.True((await drops.RunAsync(new RemoveGroupMembers(group, [.. users.Select(GroupMember.ForUser)], drops.NextId(), Scenario.Admin))).Succeeded);

        var live = await RowsAsync();
        Assert.Contains("keeps seat Queued", live, StringComparison.Ordinal);
        Assert.Contains("keeps seat Granted", live, StringComparison.Ordinal);
        Assert.Contains("keeps member", live, StringComparison.Ordinal);
        Assert.DoesNotContain("drops ", live, StringComparison.Ordinal);

        await db.Ledger.RebuildAsync();

        Assert.Equal(live, await RowsAsync());
    }

    private static async Task<(PoolId Pool, GroupId Group, IReadOnlyList<UserId> Users)> HoldAsync(Scenario s)
    {
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "1", purchased: 1);
        var users = await s.UsersAsync("u", 2);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        Assert.True((await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User)).Succeeded);
        return (pool, group, users);
    }

    private async Task<string> RowsAsync() =>
        await TestServer.ScalarAsync<string>(
            $"select coalesce(string_agg(r, E'\\n' order by r), '') from ("
            + $"select tenant_id || ' seat ' || (data ->> 'Status') || ' ' || id || ' ' || data::text as r from {db.SchemaName}.mt_doc_seatdoc "
            + $"union all select tenant_id || ' member ' || id || ' ' || data::text from {db.SchemaName}.mt_doc_memberdoc) rows") ?? "";
}
