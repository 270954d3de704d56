using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>
/// What-if on a fan-out that execution commits in several transactions (this fixture commits every 100 members): the
/// preview decides it whole, lists few events, counts all of them per pool, and writes nothing.
/// </summary>
public sealed class a_large_preview_is_summarised_per_pool(SmallBatchLedgerFixture db) : IClassFixture<SmallBatchLedgerFixture>
{
    [Fact]
    [Trait("Rule", "A6")]
    public async Task a_350_member_assignment_previews_300_grants_and_50_queued_listing_only_ten_events()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("whatif-large")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "201", purchased: 300);
        var users = await s.UsersAsync("l", 350);
        var group = await s.GroupAsync("everyone", GroupKind.User, users.Select(GroupMember.ForUser));
        var assign = new CreateAssignment(pool, group, AssignmentIntent.Required, LicenseType.User, s.NextId(), Scenario.Admin);
        var before = await SchemaRows.FingerprintAsync(db.SchemaName, s.Ledger);

        var preview = await s.Ledger.PreviewAsync(assign, maxListedEvents: 10);

        Assert.Equal(before, await SchemaRows.FingerprintAsync(db.SchemaName, s.Ledger));
        var p = Assert.Single(preview.Pools);
        Assert.Equal((300, 50, 0), (p.GrantedCount, p.QueuedCount, p.ReclaimedCount));
        Assert.Equal(10, preview.Outcome.Changes.Count);
        Assert.True(preview.EventsTruncated);

        var full = await s.Ledger.PreviewAsync(assign, maxListedEvents: int.MaxValue);
        var executed = await s.Ledger.ExecuteAsync(assign);
        Assert.Equal(preview.EventCount, executed.Changes.Count);
        Assert.Equal(
            previewing_a_command_writes_nothing_and_foretells_its_events.Describe(executed.Changes),
            previewing_a_command_writes_nothing_and_foretells_its_events.Describe(full.Outcome.Changes));
    }
}
