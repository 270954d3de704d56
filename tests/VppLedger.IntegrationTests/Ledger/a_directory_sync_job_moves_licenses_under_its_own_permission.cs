using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Issue 10, item 1: a host's directory sync job holds only the "directory" permission (rule X1). The licenses its
/// directory changes move follow under that permission: the command declares one, the runner checks it once.
/// </summary>
public sealed class a_directory_sync_job_moves_licenses_under_its_own_permission(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor SyncJob = new("sync", Permissions.Directory);

    private Scenario Tenant(string id) => new(db.Ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    private static async Task<CommandOutcome> AsSyncJob(Scenario s, ILedgerCommand command)
    {
        var outcome = await s.Ledger.ExecuteAsync(command);
        Assert.True(outcome.Succeeded, $"{command.GetType().Name} was rejected: {outcome.Rejection}");
        return outcome;
    }

    [Fact]
    [Trait("Rule", "X1")]
    [Trait("Rule", "A6")]
    public async Task a_sync_job_adding_members_to_a_targeted_group_grants_and_queues_their_licenses()
    {
        var s = Tenant("sync-add");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 1);
        var users = await s.UsersAsync("u", 2);
        var group = await s.GroupAsync("g", GroupKind.User, []);
        await s.AssignAsync(pool, group, AssignmentIntent.Available, LicenseType.User);

        var added = await AsSyncJob(s, new AddGroupMembers(group, [.. users.Select(GroupMember.ForUser)], s.NextId(), SyncJob));

        Assert.Equal("u0001", Assert.Single(added.EventsOf<LicenseGranted>()).Holder.OwnerId);
        Assert.Equal("u0002", Assert.Single(added.EventsOf<HolderQueued>()).Holder.OwnerId);
    }

    [Fact]
    [Trait("Rule", "X1")]
    [Trait("Rule", "R4")]
    public async Task a_sync_job_removing_a_member_who_holds_a_license_reclaims_it_for_the_queue()
    {
        var s = Tenant("sync-remove");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 1);
        var users = await s.UsersAsync("u", 2);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Available, LicenseType.User);

        var removed = await AsSyncJob(s, new RemoveGroupMembers(group, [GroupMember.ForUser(users[0])], s.NextId(), SyncJob));

        Assert.Equal("u0001", Assert.Single(removed.EventsOf<LicenseReclaimed>()).Holder.OwnerId);
        Assert.Equal("u0002", Assert.Single(removed.EventsOf<LicenseGranted>()).Holder.OwnerId);
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "X1")]
    [Trait("Rule", "R4")]
    public async Task a_sync_job_recording_a_user_leaving_reclaims_the_users_licenses()
    {
        var s = Tenant("sync-left");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 5);
        var users = await s.UsersAsync("u", 1);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Available, LicenseType.User);

        var left = await AsSyncJob(s, new RecordUserLeftOrganization(users[0], s.NextId(), SyncJob));

        Assert.Equal("u0001", Assert.Single(left.EventsOf<LicenseReclaimed>()).Holder.OwnerId);
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }
}
