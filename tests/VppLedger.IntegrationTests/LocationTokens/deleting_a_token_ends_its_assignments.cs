using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.LocationTokens;

/// <summary>
/// Rules T10, R7: deleting a token ends its assignments with it. They no longer list, later changes to their groups
/// are not refused because of them, and no license is revoked: the pools are orphaned.
/// </summary>
public sealed class deleting_a_token_ends_its_assignments(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Sync = new("directory-sync", Permissions.Directory);
    private static readonly Actor TokenAdmin = new("token-admin", Permissions.ManagedApps);

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public async Task the_assignments_end_unlisted_and_later_group_changes_are_recorded_without_a_refusal()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("ended")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "200", purchased: 5);
        var users = await s.UsersAsync("ended-u", 3);
        var group = await s.GroupAsync("g-ended", GroupKind.User, users.Take(2).Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        var deleted = await s.RunAsync(new DeleteToken(token, s.NextId(), TokenAdmin));

        Assert.Equal([new AssignmentEndedWithToken(pool, group, db.Clock.GetCurrentInstant())], deleted.EventsOf<AssignmentEndedWithToken>());
        Assert.Empty(await s.Ledger.ListAssignmentsAsync(pool.AdamId));

        var added = await s.Ledger.ExecuteAsync(new AddGroupMembers(group, [GroupMember.ForUser(users[2])], s.NextId(), Sync));
        var removed = await s.Ledger.ExecuteAsync(new RemoveGroupMembers(group, [GroupMember.ForUser(users[0])], s.NextId(), Sync));

        Assert.True(added.Succeeded, added.Rejection?.ToString());
        Assert.True(removed.Succeeded, removed.Rejection?.ToString());
        Assert.Empty(added.EventsOf<IPoolEvent>());
        Assert.Empty(removed.EventsOf<IPoolEvent>());
        var summary = await s.Ledger.GetPoolAsync(pool);
        Assert.True(summary!.Orphaned);
        Assert.Equal(2, summary.UsedCount); // rule T10: nothing revoked, the licenses stay orphaned at Apple
    }
}
