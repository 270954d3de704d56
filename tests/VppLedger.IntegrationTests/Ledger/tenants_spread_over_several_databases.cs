using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Storage;
using VppLedger.Testing;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Three throwaway clusters on loopback (always throwaway, even when a server is configured; removed at the end), one
/// schema, two ledgers over them: <see cref="Registry"/> (static map plus the registry) and <see cref="Static"/> (the
/// static map alone), which place the same tenant ids on other databases.
/// </summary>
public sealed class SeveralDatabasesFixture : IAsyncLifetime
{
    public string SchemaName { get; } = $"m{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..8]}";

    public NodaTime.Testing.FakeClock Clock { get; } = new(LedgerFixture.Start);

    /// <summary>The control cluster, then db2's, then db3's.</summary>
    public EmbeddedPostgres[] Clusters { get; private set; } = [];

    /// <summary>acme, up-b, rb-a on db2; globex, down-a, rb-b on db3; initech, up-c on control; the registry on.</summary>
    public ILicenseLedger Registry { get; private set; } = null!;

    /// <summary>The same tenant ids swapped (acme on db3, globex on db2), the static map alone, no registry.</summary>
    public ILicenseLedger Static { get; private set; } = null!;

    public string Control => Clusters[0].ConnectionString;

    public string Db2 => Clusters[1].ConnectionString;

    public string Db3 => Clusters[2].ConnectionString;

    public void ConfigureRegistry(VppLedgerOptions o)
    {
        o.SchemaName = SchemaName;
        o.Schema = SchemaCreation.None;
        o.Databases
            .Add("db2", Db2, new TenantId("acme"), new TenantId("up-b"), new TenantId("rb-a"))
            .Add("db3", Db3, new TenantId("globex"), new TenantId("down-a"), new TenantId("rb-b"))
            .Place(TenantDatabaseOptions.Control, new TenantId("initech"), new TenantId("up-c"))
            .UseRegistry();
    }

    public async Task InitializeAsync()
    {
        var options = new EmbeddedPostgresOptions { MaxConnections = 60, MaxPoolSize = 6 };
        Clusters = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => EmbeddedPostgres.StartThrowawayAsync(options)));
        Registry = LicenseLedger.Create(Control, ConfigureRegistry, Clock);
        await Registry.ApplySchemaAsync();
        Static = LicenseLedger.Create(Control, o =>
        {
            o.SchemaName = SchemaName;
            o.Schema = SchemaCreation.None;
            o.Databases.Add("db2", Db2, new TenantId("globex")).Add("db3", Db3, new TenantId("acme"));
        }, Clock);
    }

    public async Task DisposeAsync()
    {
        await Static.DisposeAsync();
        await Registry.DisposeAsync();
        foreach (var cluster in Clusters)
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>One value straight from a cluster, on a connection of its own (no pool survives a cluster's restart).</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task<long> EventsAsync(string connectionString, string tenant) =>
        ScalarAsync<long>(connectionString, $"select count(*) from {SchemaName}.mt_events where tenant_id = @t", ("t", tenant));
}

public sealed class tenants_spread_over_several_databases(SeveralDatabasesFixture db) : IClassFixture<SeveralDatabasesFixture>
{
    private static readonly Actor Apps = new("apps-sync", Permissions.ManagedApps);
    private static readonly Actor Mdm = new("mdm-console", Permissions.MobileApps);
    private static readonly Actor DirectorySync = new("directory-sync", Permissions.Directory);
    private static readonly TokenId Token = new("tok");

    private Scenario Tenant(ILicenseLedger ledger, string id) => new(ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    /// <summary>A token, a pool of <paramref name="purchased"/> licenses of app 555, a device, and one license granted to it by a narrow actor.</summary>
    private static async Task<PoolId> BookAsync(Scenario s, int purchased, string location)
    {
        var pool = new PoolId(Token, new AdamId("555"));
        await s.RunAsync(s.Upload(Token, location: location));
        await s.RunAsync(new ApplyAppleCounts(pool, ProductKind.App, purchased, 0, null, s.NextId(), Apps));
        await s.RunAsync(new VppLedger.Directory.RecordDevice(new DeviceId("d1"), new SerialNumber("SND1"), Scenario.CorporateSupervised(), null, null, s.NextId(), DirectorySync));
        await s.RunAsync(new GrantLicenses(pool, [Holder.ForDevice(new DeviceId("d1"))], s.NextId(), Mdm));
        return pool;
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task the_same_tenant_and_stream_ids_in_different_databases_are_different_ledgers()
    {
        // The registry ledger keeps acme on db2 and globex on db3; the static one keeps acme on db3. Same token, same pool.
        var pool = await BookAsync(Tenant(db.Registry, "acme"), purchased: 30, "loc-acme-r");
        await BookAsync(Tenant(db.Registry, "globex"), purchased: 3, "loc-globex-r");
        await BookAsync(Tenant(db.Static, "acme"), purchased: 7, "loc-acme-s");

        Assert.Equal((30, 1), Counts(await db.Registry.ForTenant(new TenantId("acme")).GetPoolAsync(pool)));
        Assert.Equal((3, 1), Counts(await db.Registry.ForTenant(new TenantId("globex")).GetPoolAsync(pool)));
        Assert.Equal((7, 1), Counts(await db.Static.ForTenant(new TenantId("acme")).GetPoolAsync(pool)));

        // Each tenant's events are in its database only: none in the control database, none in the other one.
        var acmeInDb2 = await db.EventsAsync(db.Db2, "acme");
        Assert.True(acmeInDb2 > 0);
        Assert.Equal(acmeInDb2, await db.EventsAsync(db.Db3, "acme")); // the static ledger's acme: the same commands, in db3
        Assert.Equal(0, await db.EventsAsync(db.Control, "acme"));
        Assert.Equal(0, await db.EventsAsync(db.Db2, "globex"));
        Assert.Equal(0, await db.EventsAsync(db.Control, "globex"));

        // Verify and export per tenant, each over its own database's chain.
        foreach (var (ledger, tenant, cluster) in new[] { (db.Registry, "acme", db.Db2), (db.Registry, "globex", db.Db3), (db.Static, "acme", db.Db3) })
        {
            var audit = ledger.ForTenant(new TenantId(tenant)).Audit;
            await audit.WaitForSealAsync();
            var verified = await audit.VerifyChainAsync();
            Assert.True(verified.IsIntact, $"{tenant}: {verified}");
            await using var export = new StringWriter();
            var exported = await audit.ExportAsync(export, VppLedger.Audit.AuditExportFormat.Ndjson);
            Assert.Equal(await SeveralDatabasesFixture.ScalarAsync<long>(cluster, $"select count(*) from {db.SchemaName}.vpp_audit where tenant_id = @t", ("t", tenant)), exported);
        }
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task a_tenant_placed_at_run_time_through_the_registry_is_served_without_a_restart()
    {
        // A second ledger over the same control database, started before the placement: another process of the host.
        await using var other = LicenseLedger.Create(db.Control, db.ConfigureRegistry, db.Clock);
        var newco = new TenantId("newco");
        var s = Tenant(db.Registry, "newco");

        var notPlaced = await Assert.ThrowsAsync<TenantNotPlacedException>(() => s.Ledger.ExecuteAsync(s.Upload(Token, location: "loc-newco")));
        Assert.Equal(newco, notPlaced.Tenant);
        await Assert.ThrowsAsync<TenantNotPlacedException>(() => s.Ledger.GetPoolAsync(new PoolId(Token, new AdamId("555"))));
        Assert.Null(await db.Registry.Databases.FindTenantAsync(newco));
        await Assert.ThrowsAsync<UnknownDatabaseException>(() => db.Registry.Databases.PlaceTenantAsync(newco, "db9"));

        await db.Registry.Databases.PlaceTenantAsync(newco, "db3");
        await db.Registry.Databases.PlaceTenantAsync(newco, "db3"); // again: nothing changes
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Registry.Databases.PlaceTenantAsync(newco, "db2"));

        await BookAsync(Tenant(other, "newco"), purchased: 4, "loc-newco");
        Assert.Equal((4, 1), Counts(await s.Ledger.GetPoolAsync(new PoolId(Token, new AdamId("555")))));
        Assert.True(await db.EventsAsync(db.Db3, "newco") > 0);
        Assert.Equal(0, await db.EventsAsync(db.Db2, "newco") + await db.EventsAsync(db.Control, "newco"));
        Assert.Equal("db3", await other.Databases.FindTenantAsync(newco));
        var listed = await db.Registry.Databases.ListAsync();
        Assert.Equal(["control", "db2", "db3"], listed.Select(d => d.Name));
        Assert.Contains(newco, listed.Single(d => d.Name == "db3").Tenants);
        Assert.Contains(new TenantId("acme"), listed.Single(d => d.Name == "db2").Tenants);

        // The static map has no registry: a tenant outside it is refused, and so is a placement at run time.
        await Assert.ThrowsAsync<TenantNotPlacedException>(() => db.Static.ForTenant(newco).GetPoolAsync(new PoolId(Token, new AdamId("555"))));
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Static.Databases.PlaceTenantAsync(newco, "db3"));
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task a_host_configures_the_databases_through_its_service_container()
    {
        var services = new ServiceCollection();
        services.AddVppLedger(db.Control, o =>
        {
            o.SchemaName = db.SchemaName;
            o.Schema = SchemaCreation.None;
            o.Databases.Add("db2", db.Db2, new TenantId("di-a"));
        });
        services.AddLogging();
        services.AddHealthChecks().AddVppLedger();
        await using var provider = services.BuildServiceProvider();

        var ledger = provider.GetRequiredService<ILicenseLedger>();
        await BookAsync(new Scenario(ledger.ForTenant(new TenantId("di-a")), db.Clock.GetCurrentInstant()), purchased: 2, "loc-di-a");

        Assert.True(await db.EventsAsync(db.Db2, "di-a") > 0);
        Assert.Equal(0, await db.EventsAsync(db.Control, "di-a"));
        Assert.Equal(["control", "db2"], ledger.Databases.Names);
        var health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
    }

    [Fact]
    public async Task the_schema_step_applies_to_every_database_and_the_registry_lives_in_the_control_database()
    {
        foreach (var cluster in db.Clusters)
        {
            Assert.True(await SeveralDatabasesFixture.ScalarAsync<bool>(cluster.ConnectionString,
                "select to_regclass(@e) is not null and to_regclass(@a) is not null and to_regclass(@c) is not null",
                ("e", $"{db.SchemaName}.mt_events"), ("a", $"{db.SchemaName}.vpp_audit"), ("c", $"{db.SchemaName}.vpp_audit_chain")));
        }

        var registry = $"{db.SchemaName}.{LedgerTenancy.RegistryTable}";
        Assert.True(await SeveralDatabasesFixture.ScalarAsync<bool>(db.Control, "select to_regclass(@r) is not null", ("r", registry)));
        Assert.False(await SeveralDatabasesFixture.ScalarAsync<bool>(db.Db2, "select to_regclass(@r) is not null", ("r", registry)));

        var health = await new LedgerHealthCheck(db.Registry).CheckHealthAsync(HealthContext());
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal(["ok", "ok", "ok"], new[] { "control", "db2", "db3" }.Select(n => health.Data[$"database:{n}"]));
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_rebuild_rebuilds_every_database_from_its_own_log_and_every_chain_still_verifies()
    {
        var poolA = await BookAsync(Tenant(db.Registry, "rb-a"), purchased: 11, "loc-rb-a");
        var poolB = await BookAsync(Tenant(db.Registry, "rb-b"), purchased: 12, "loc-rb-b");
        var a = db.Registry.ForTenant(new TenantId("rb-a"));
        var b = db.Registry.ForTenant(new TenantId("rb-b"));
        await a.Audit.WaitForSealAsync();
        var headA = (await a.Audit.VerifyChainAsync()).Head;

        await db.Registry.Databases.RebuildAsync("db2"); // one database alone
        Assert.Equal((11, 1), Counts(await a.GetPoolAsync(poolA)));
        Assert.True((await a.Audit.VerifyChainAsync()).IsIntact);
        await Assert.ThrowsAsync<UnknownDatabaseException>(() => db.Registry.Databases.RebuildAsync("db9"));

        await db.Registry.RebuildAsync(); // every database

        Assert.Equal((11, 1), Counts(await a.GetPoolAsync(poolA)));
        Assert.Equal((12, 1), Counts(await b.GetPoolAsync(poolB)));
        var verifiedA = await a.Audit.VerifyChainAsync();
        Assert.True(verifiedA.IsIntact, verifiedA.ToString());
        Assert.Equal(headA, verifiedA.Head);
        Assert.True((await b.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_database_down_fails_only_its_tenants_with_a_retryable_error_and_the_others_keep_working()
    {
        var down = Tenant(db.Registry, "down-a");
        var pool = await BookAsync(down, purchased: 5, "loc-down-a");
        var onDb2 = Tenant(db.Registry, "up-b");
        var onControl = Tenant(db.Registry, "up-c");

        await db.Clusters[2].StopAsync();
        try
        {
            var retry = new ApplyAppleCounts(pool, ProductKind.App, 6, 0, null, down.NextId(), Apps);
            var failed = await Assert.ThrowsAsync<LedgerUnavailableException>(() => down.Ledger.ExecuteAsync(retry));
            Assert.False(failed.OutcomeUnknown);
            await Assert.ThrowsAsync<LedgerUnavailableException>(() => down.Ledger.GetPoolAsync(pool));
            await Assert.ThrowsAsync<LedgerUnavailableException>(() => down.Ledger.Audit.VerifyChainAsync());

            // The tenants of the other databases: commands, queries, seal and verify as usual.
            await BookAsync(onDb2, purchased: 8, "loc-up-b");
            await BookAsync(onControl, purchased: 9, "loc-up-c");
            Assert.Equal((8, 1), Counts(await onDb2.Ledger.GetPoolAsync(pool)));
            await onControl.Ledger.Audit.WaitForSealAsync();
            Assert.True((await onControl.Ledger.Audit.VerifyChainAsync()).IsIntact);
            Assert.True((await onDb2.Ledger.Audit.VerifyChainAsync()).IsIntact);

            var health = await new LedgerHealthCheck(db.Registry).CheckHealthAsync(HealthContext());
            Assert.Equal(HealthStatus.Unhealthy, health.Status);
            Assert.Contains("db3", health.Description, StringComparison.Ordinal);
            Assert.Equal("ok", health.Data["database:db2"]);

            await db.Clusters[2].StartAgainAsync();

            // Retrying the same command id once the database is back is safe (rule I4); the pool's first broken
            // connections may fail once more, as a host's retry loop would see.
            CommandOutcome? applied = null;
            for (var attempt = 0; attempt < 10 && applied is null; attempt++)
            {
                try
                {
                    applied = await down.Ledger.ExecuteAsync(retry);
                }
                catch (LedgerUnavailableException)
                {
                }
            }

            Assert.Equal(CommandStatus.Applied, applied!.Status);
            Assert.Equal(6, (await down.Ledger.GetPoolAsync(pool))!.TotalCount);
        }
        catch
        {
            if (!await AnswersAsync(db.Db3))
            {
                await db.Clusters[2].StartAgainAsync(); // for the other tests of the class, whatever failed here
            }

            throw;
        }
    }

    private static (int Total, int Used) Counts(VppLedger.Reading.PoolSummary? pool) => (pool!.TotalCount, pool.UsedCount);

    private static HealthCheckContext HealthContext() =>
        new() { Registration = new HealthCheckRegistration("vppledger", _ => null!, HealthStatus.Unhealthy, null) };

    private static async Task<bool> AnswersAsync(string connectionString)
    {
        try
        {
            await SeveralDatabasesFixture.ScalarAsync<int>(connectionString, "select 1");
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
