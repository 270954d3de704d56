using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// A new assignment to a very large group commits a bounded batch of members per transaction, each atomic; a crash
/// between batches is resumed by retrying the same command id, without a double grant (ARCHITECTURE.md "Scale").
/// This fixture commits every 100 members so that 350 members take four transactions.
/// </summary>
public sealed class large_group_assignments_commit_in_batches(SmallBatchLedgerFixture db) : IClassFixture<SmallBatchLedgerFixture>
{
    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I4")]
    public async Task a_crash_between_batches_is_resumed_by_the_same_command_without_double_grants()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("batches")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "777", purchased: 300);
        var users = await s.UsersAsync("b", 350);
        var group = await s.GroupAsync("big", GroupKind.User, users.Select(GroupMember.ForUser));
        var assign = new CreateAssignment(pool, group, AssignmentIntent.Required, LicenseType.User, new CommandId("assign-big"), Scenario.Admin);

        db.AfterPart = part => { if (part == 1) { throw new TimeoutException("simulated crash after the second batch"); } };
        await Assert.ThrowsAsync<TimeoutException>(() => s.Ledger.ExecuteAsync(assign));
        Assert.Equal(200, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);

        db.AfterPart = null;
        var resumed = await s.Ledger.ExecuteAsync(assign);

        Assert.Equal(CommandStatus.Applied, resumed.Status);
        Assert.Equal(300, resumed.EventsOf<LicenseGranted>().Count());
        Assert.Equal(50, resumed.EventsOf<HolderQueued>().Count());
        var summary = await s.Ledger.GetPoolAsync(pool);
        Assert.Equal((300, 50), (summary!.UsedCount, summary.QueuedCount));
        var grants = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.mt_events where tenant_id = 'batches' and type = 'vpp.pool.license_granted.v1'");
        var distinctHolders = await TestServer.ScalarAsync<long>(
            $"select count(distinct data->>'Holder') from {db.SchemaName}.mt_events where tenant_id = 'batches' and type = 'vpp.pool.license_granted.v1'");
        Assert.Equal(300, grants);
        Assert.Equal(300, distinctHolders);
        Assert.Equal(users.Skip(300).Select(u => u.Value), (await s.Ledger.GetQueueAsync(pool, 100)).Select(q => q.Holder.OwnerId));

        var again = await s.Ledger.ExecuteAsync(assign);
        Assert.True(again.IsReplay);
        Assert.Equal(300, await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.mt_events where tenant_id = 'batches' and type = 'vpp.pool.license_granted.v1'"));
    }
}
