using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.LocationTokens;

/// <summary>
/// Rule T2: no license is granted by any path while the token is expired. Directory changes are recorded, not
/// refused; their license effects wait: new holders queue (rule T2 on the event), reclaims free seats but promote
/// nobody, and the renewal serves each pool's queue first in first out (A6).
/// </summary>
public sealed class an_expired_token_grants_nothing_until_renewed(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Sync = new("directory-sync", Permissions.Directory);
    private static readonly Actor TokenAdmin = new("token-admin", Permissions.ManagedApps);

    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "A6")]
    [Trait("Rule", "T8")]
    public async Task directory_changes_are_recorded_while_expired_and_the_queue_is_served_on_renewal()
    {
        var start = db.Clock.GetCurrentInstant();
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("expired")), start);
        var token = new TokenId("tok");
        await s.RunAsync(s.Upload(token, location: "loc-expired", validFor: Duration.FromDays(30)));
        var pool = await s.SyncedPoolAsync(token, "100", purchased: 1, upload: false);
        var users = await s.UsersAsync("exp-u", 3);
        var group = await s.GroupAsync("g-expired", GroupKind.User, users.Take(2).Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        Assert.Equal((1, 1), await CountsAsync(s, pool));

        db.Clock.Advance(Duration.FromDays(31));

        // A reclaim is recorded, but the freed license is not promoted to the queue head.
        var removed = await s.RunAsync(new RemoveGroupMembers(group, [GroupMember.ForUser(users[0])], s.NextId(), Sync));
        Assert.Single(removed.EventsOf<LicenseReclaimed>());
        Assert.Empty(removed.EventsOf<LicenseGranted>());
        Assert.Equal((0, 1), await CountsAsync(s, pool));

        // A new member is recorded and queued under T2, not granted and not refused.
        var added = await s.RunAsync(new AddGroupMembers(group, [GroupMember.ForUser(users[2])], s.NextId(), Sync));
        Assert.Empty(added.EventsOf<LicenseGranted>());
        Assert.Equal("T2", Assert.Single(added.EventsOf<HolderQueued>()).Rule);
        Assert.Equal((0, 2), await CountsAsync(s, pool));

        // Apple counts raising the total and direct grants are refused while expired.
        var counts = await s.Ledger.ExecuteAsync(new ApplyAppleCounts(pool, ProductKind.App, 3, 0, null, s.NextId(), Scenario.Admin));
        Assert.Equal("TokenExpired", counts.Rejection?.Code);
        Assert.Equal((0, 2), await CountsAsync(s, pool));

        // The renewal serves the queue in A6 order: users[1] waited first.
        var renewal = new RenewTokenFile(
            token,
            Scenario.TokenFile("Contoso Ltd", db.Clock.GetCurrentInstant() + Duration.FromDays(365), "renewed-secret"),
            LocationKey.FromAppleLocationId("loc-expired"),
            s.NextId(),
            TokenAdmin);
        var renewed = await s.RunAsync(renewal);
        var promoted = Assert.Single(renewed.EventsOf<LicenseGranted>());
        Assert.Equal(GrantReason.PromotedFromQueue, promoted.Reason);
        Assert.Equal(users[1].Value, promoted.Holder.OwnerId);
        Assert.Equal((1, 1), await CountsAsync(s, pool));
        Assert.Equal(users[2].Value, Assert.Single(await s.Ledger.GetQueueAsync(pool)).Holder.OwnerId);
    }

    [Fact]
    [Trait("Rule", "T3")]
    [Trait("Rule", "A6")]
    public async Task a_token_bound_to_another_mdm_queues_new_holders_until_control_is_taken_back()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("external")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "101", purchased: 2);
        var users = await s.UsersAsync("ext-u", 2);
        var group = await s.GroupAsync("g-external", GroupKind.User, [GroupMember.ForUser(users[0])]);
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        await s.RunAsync(new MarkTokenAssignedToExternalMdm(token, "Other MDM", s.NextId(), TokenAdmin));

        var added = await s.RunAsync(new AddGroupMembers(group, [GroupMember.ForUser(users[1])], s.NextId(), Sync));
        Assert.Equal("T3", Assert.Single(added.EventsOf<HolderQueued>()).Rule);
        Assert.Equal((1, 1), await CountsAsync(s, pool));

        var taken = await s.RunAsync(new TakeTokenControl(token, s.NextId(), TokenAdmin));
        Assert.Equal(users[1].Value, Assert.Single(taken.EventsOf<LicenseGranted>()).Holder.OwnerId);
        Assert.Equal((2, 0), await CountsAsync(s, pool));
    }

    private static async Task<(int Used, int Queued)> CountsAsync(Scenario s, PoolId pool)
    {
        var summary = await s.Ledger.GetPoolAsync(pool);
        return (summary!.UsedCount, summary.QueuedCount);
    }
}
