using Npgsql;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.IntegrationTests.LocationTokens;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.ScaleOut;

/// <summary>
/// A tenant's projections rebuilt from its own log (rule I2) while another tenant of the same database keeps writing:
/// the rebuilt tenant's read models equal those before, its chain verifies over the rebuilt audit rows, and the other
/// tenant's rows are not touched (not even rewritten: the same row versions).
/// </summary>
public sealed class one_tenant_rebuilt_alone(GuardFixture db) : IClassFixture<GuardFixture>
{
    private static readonly Actor Sync = new("directory-sync", Permissions.Directory);

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_tenant_rebuilt_alone_gets_the_same_read_models_and_its_neighbour_is_not_touched()
    {
        var rebuilt = await db.TenantAsync("rebuilt");
        var neighbour = await db.TenantAsync("neighbour");
        await ReadModels.BookAsync(rebuilt, "loc-rebuilt");
        await ReadModels.BookAsync(neighbour, "loc-neighbour");
        await rebuilt.Ledger.Audit.WaitForSealAsync();
        var before = await ReadModels.OfAsync(db.Control, db.SchemaName, "rebuilt");
        var neighbourRows = await RowVersionsAsync("neighbour");

        // The neighbour keeps writing during the whole rebuild; none of its commands is refused.
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref written);
                Assert.Equal(CommandStatus.Applied, (await neighbour.Ledger.ExecuteAsync(new RecordUser(new UserId($"busy{n}"), null, null, new CommandId($"busy-{n}"), Sync))).Status);
            }
        });
        while (Volatile.Read(ref written) < 3)
        {
            await Task.Delay(5);
        }

        var steps = 0;
        var verification = await db.Ledger.Databases.RebuildTenantAsync(rebuilt.Ledger.Tenant, new Counter(() => steps++));
        await stop.CancelAsync();
        await writer;

        Assert.True(verification.IsIntact, verification.FirstMismatch?.ToString());
        Assert.True(steps > 0);
        Assert.Equal(before, await ReadModels.OfAsync(db.Control, db.SchemaName, "rebuilt"));

        // The neighbour's rows of before are the very same rows (same row versions), and its new users were written.
        var after = await RowVersionsAsync("neighbour");
        Assert.All(neighbourRows, row => Assert.Contains(row, after));
        Assert.True(written > 3);
        Assert.True((await neighbour.Ledger.Audit.VerifyChainAsync()).IsIntact);

        // The rebuilt tenant writes again.
        Assert.Equal(CommandStatus.Applied, (await rebuilt.Ledger.ExecuteAsync(new RecordUser(new UserId("later"), null, null, new CommandId("rebuilt-later"), Sync))).Status);
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_tenant_whose_move_is_under_way_is_not_rebuilt_and_once_moved_is_rebuilt_where_it_lives()
    {
        var tenant = await db.TenantAsync("half-moved");
        await ReadModels.BookAsync(tenant, "loc-half-moved");
        await Assert.ThrowsAsync<TimeoutException>(() => db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2", new OnMoveStep(step =>
        {
            if (step == TenantMoveStep.Switching)
            {
                throw new TimeoutException("simulated crash before the switch");
            }
        })));

        // The move's gate is never taken over (a rebuild that opened the writes again would let commands into the source).
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Ledger.Databases.RebuildTenantAsync(tenant.Ledger.Tenant));
        Assert.Equal(RejectionCodes.TenantMoving, (await tenant.Ledger.ExecuteAsync(new RecordUser(new UserId("waits"), null, null, new CommandId("half-moved-waits"), Sync))).Rejection?.Code);

        await db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2");
        var before = await ReadModels.OfAsync(db.Db2, db.SchemaName, "half-moved");
        Assert.True((await db.Ledger.Databases.RebuildTenantAsync(tenant.Ledger.Tenant)).IsIntact);
        Assert.Equal(before, await ReadModels.OfAsync(db.Db2, db.SchemaName, "half-moved"));
        Assert.Equal(CommandStatus.Applied, (await tenant.Ledger.ExecuteAsync(new RecordUser(new UserId("waits"), null, null, new CommandId("half-moved-waits"), Sync))).Status);
    }

    // Every projection row of a tenant with its row version (xmin): a row deleted and written again gets a new one.
    private async Task<HashSet<string>> RowVersionsAsync(string tenant)
    {
        await using var connection = new NpgsqlConnection(db.Control);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select 'doc ' || id || ' ' || xmin::text from {db.SchemaName}.mt_doc_tokendoc where tenant_id = @t union all "
            + $"select 'pool ' || id || ' ' || xmin::text from {db.SchemaName}.mt_doc_pooldoc where tenant_id = @t union all "
            + $"select 'seat ' || id || ' ' || xmin::text from {db.SchemaName}.mt_doc_seatdoc where tenant_id = @t union all "
            + $"select 'audit ' || seq || ' ' || xmin::text from {db.SchemaName}.vpp_audit where tenant_id = @t union all "
            + $"select 'checkpoint ' || seq || ' ' || xmin::text from {db.SchemaName}.vpp_checkpoint where tenant_id = @t",
            connection);
        command.Parameters.AddWithValue("t", tenant);
        var rows = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private sealed class Counter(Action onReport) : IProgress<VppLedger.Audit.RebuildProgress>
    {
        public void Report(VppLedger.Audit.RebuildProgress value) => onReport();
    }
}

/// <summary>The rebuild of one tenant with one database (nothing configured in <c>options.Databases</c>).</summary>
public sealed class one_tenant_rebuilt_alone_in_the_one_database(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_tenant_of_the_one_database_is_rebuilt_alone()
    {
        var tenant = new Scenario(db.Ledger.ForTenant(new TenantId("alone")), db.Clock.GetCurrentInstant());
        var other = new Scenario(db.Ledger.ForTenant(new TenantId("other")), db.Clock.GetCurrentInstant());
        await ReadModels.BookAsync(tenant, "loc-alone");
        await ReadModels.BookAsync(other, "loc-other");
        await tenant.Ledger.Audit.WaitForSealAsync();
        var connection = await TestServer.ConnectionStringAsync();
        var (before, otherBefore) = (await ReadModels.OfAsync(connection, db.SchemaName, "alone"), await ReadModels.OfAsync(connection, db.SchemaName, "other"));

        Assert.True((await db.Ledger.Databases.RebuildTenantAsync(tenant.Ledger.Tenant)).IsIntact);

        Assert.Equal(before, await ReadModels.OfAsync(connection, db.SchemaName, "alone"));
        Assert.Equal(otherBefore, await ReadModels.OfAsync(connection, db.SchemaName, "other"));
        Assert.Equal(5, (await tenant.Ledger.GetPoolAsync(new PoolId(new TokenId("tok"), new AdamId("555"))))!.TotalCount);
    }
}
