using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.IntegrationTests.LocationTokens;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.ScaleOut;

/// <summary>
/// Two ledgers over the same databases, as two processes of a host: one moves a tenant, the other remembers the
/// tenant's old database from its earlier reads. Its reads are right at once, without a restart: during the move (the
/// source is still the home until the switch), between the switch and the removal of the old copy (the target holds a
/// write the source lacks), and after the removal (the source holds nothing).
/// </summary>
public sealed class a_process_that_remembers_the_old_database(GuardFixture db) : IClassFixture<GuardFixture>
{
    [Fact]
    [Trait("Rule", "X2")]
    public async Task reads_the_tenant_where_it_lives_right_after_another_process_moved_it()
    {
        await using var other = Process();
        await using var feedProcess = Process(); // reads only the change feed
        var mover = await db.TenantAsync("remembered");
        await ReadModels.BookAsync(mover, "loc-remembered");
        var pool = new PoolId(new TokenId("tok"), new AdamId("555"));
        var reader = other.ForTenant(mover.Ledger.Tenant);
        Assert.Equal(5, (await reader.GetPoolAsync(pool))!.TotalCount); // the other process now remembers the control database
        var feed = feedProcess.ForTenant(mover.Ledger.Tenant).ChangeFeed("siem");
        var before = await feed.ReadAsync(0, 1000);

        int? duringCopy = null, afterSwitch = null;
        await db.Ledger.Databases.MoveTenantAsync(mover.Ledger.Tenant, "db2", new OnMoveStep(step =>
        {
            if (step == TenantMoveStep.Copying && duringCopy is null)
            {
                duringCopy = reader.GetPoolAsync(pool).GetAwaiter().GetResult()!.TotalCount;
            }

            if (step == TenantMoveStep.RemovingOldCopy)
            {
                // Switched: the mover's process writes on db2; the old copy in the control database still says 5.
                mover.RunAsync(new ApplyAppleCounts(pool, ProductKind.App, 7, 0, null, mover.NextId(), Scenario.Admin)).GetAwaiter().GetResult();
                afterSwitch = reader.GetPoolAsync(pool).GetAwaiter().GetResult()!.TotalCount;
            }
        }));

        Assert.Equal(5, duringCopy);
        Assert.Equal(7, afterSwitch);

        // After the removal: the control database holds nothing of the tenant; the other process reads db2.
        await mover.RunAsync(new ApplyAppleCounts(pool, ProductKind.App, 9, 0, null, mover.NextId(), Scenario.Admin));
        await mover.Ledger.Audit.WaitForSealAsync();
        var after = await feed.ReadAsync(0, 1000);
        Assert.Equal(before.Count + 2, after.Count); // the two count changes written on db2
        Assert.Equal(before.Select(e => e.Position), after.Take(before.Count).Select(e => e.Position)); // the same positions: nothing renumbered
        Assert.Equal(9, (await reader.GetPoolAsync(pool))!.TotalCount);
        Assert.NotNull(await reader.GetTokenAsync(new TokenId("tok")));
        Assert.Equal("db2", await other.Databases.FindTenantAsync(mover.Ledger.Tenant));
        var history = 0;
        await foreach (var _ in reader.Audit.HistoryAsync())
        {
            history++;
        }

        Assert.True(history > 10);
        Assert.True((await reader.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task its_apple_outbox_apple_side_and_previews_read_the_tenant_where_it_lives_after_another_process_moved_it()
    {
        await using var other = Process();
        var mover = await db.TenantAsync("remembered-outbox");
        await ReadModels.BookAsync(mover, "loc-remembered-outbox");
        var token = new TokenId("tok");
        var pool = new PoolId(token, new AdamId("555"));
        var reader = other.ForTenant(mover.Ledger.Tenant);
        var pending = await reader.AppleOutbox.TokensWithPendingRequestsAsync(); // the other process now remembers the control database
        Assert.Equal([token], pending);
        var side = await reader.AppleSide.GetAsync(token);

        await db.Ledger.Databases.MoveTenantAsync(mover.Ledger.Tenant, "db2");

        // The control database holds nothing of the tenant now: each of these read it there before.
        Assert.Equal(pending, await reader.AppleOutbox.TokensWithPendingRequestsAsync());
        Assert.NotNull(await reader.AppleOutbox.TakeBatchAsync(token, AppleServiceLimits.Published));
        Assert.Equal(side, await reader.AppleSide.GetAsync(token));
        var preview = await reader.PreviewAsync(new ApplyAppleCounts(pool, ProductKind.App, 7, 0, null, mover.NextId(), Scenario.Admin));
        Assert.True(preview.Outcome.Succeeded, preview.Outcome.Rejection?.Message);
        Assert.Equal(pool, Assert.Single(preview.Pools).Pool);
    }

    // Another ledger over the same databases and registry: another process of the host.
    private ILicenseLedger Process() => LicenseLedger.Create(db.Control, o =>
    {
        o.SchemaName = db.SchemaName;
        o.Schema = SchemaCreation.None;
        o.Databases.Add("db2", db.Db2).UseRegistry();
    }, db.Clock);
}
