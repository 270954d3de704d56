using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Hosting;

/// <summary>
/// A host registers the ledger in its container: options bound through IOptions, a connection string or its own
/// NpgsqlDataSource, disposal either way, a health check, and a clear start-up error when it shares a Marten store
/// whose settings conflict with the ledger's.
/// </summary>
public sealed class hosting_the_ledger_in_a_service_container : IAsyncLifetime
{
    private readonly string _schema = $"host{Environment.ProcessId}_{Guid.NewGuid():N}"[..24];
    private string _connection = null!;

    public async Task InitializeAsync() => _connection = await TestServer.ConnectionStringAsync();

    public async Task DisposeAsync() => await TestServer.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {_schema} CASCADE");

    [Fact]
    public async Task options_bound_through_ioptions_reach_the_ledger_and_a_container_disposed_with_using_disposes_it()
    {
        var services = new ServiceCollection();
        services.AddVppLedger(_connection);
        services.Configure<VppLedgerOptions>(o => o.SchemaName = _schema);

        using (var provider = services.BuildServiceProvider())
        {
            var ledger = provider.GetRequiredService<ILicenseLedger>();
            var s = new Scenario(ledger.ForTenant(new TenantId("hosted")), LedgerFixture.Start);
            await s.RunAsync(s.Upload(new TokenId("t1")));
        } // a synchronous Dispose of the container: ILicenseLedger is IDisposable too

        Assert.True(await TestServer.ScalarAsync<long>($"select count(*) from {_schema}.mt_events where tenant_id = 'hosted'") > 0);
    }

    [Fact]
    public async Task the_ledger_runs_on_the_hosts_own_data_source()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connection);
        var services = new ServiceCollection();
        services.AddSingleton(dataSource);
        services.AddVppLedger(sp => sp.GetRequiredService<NpgsqlDataSource>(), o => o.SchemaName = _schema);

        await using var provider = services.BuildServiceProvider();
        var ledger = provider.GetRequiredService<ILicenseLedger>();
        var s = new Scenario(ledger.ForTenant(new TenantId("datasource")), LedgerFixture.Start);
        await s.RunAsync(s.Upload(new TokenId("t1")));

        Assert.NotNull(await s.Ledger.GetTokenAsync(new TokenId("t1")));
    }

    [Fact]
    public async Task the_health_check_reports_an_applied_schema_a_missing_one_and_an_unreachable_database()
    {
        var healthy = await HealthAsync(_connection, o => o.SchemaName = _schema, apply: true);
        var unapplied = await HealthAsync(_connection, o => { o.SchemaName = _schema + "_none"; o.Schema = SchemaCreation.None; }, apply: false);
        var unreachable = await HealthAsync("Host=/nonexistent-vppledger-socket-dir;Username=x;Timeout=2", o => o.SchemaName = _schema, apply: false);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Contains("is applied", healthy.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, unapplied.Status);
        Assert.Contains("vppledger db apply", unapplied.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, unreachable.Status);
        Assert.Contains("does not answer", unreachable.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void a_host_store_changed_after_add_vpp_ledger_is_refused_when_the_ledger_starts()
    {
        var services = new ServiceCollection();
        services.AddMarten(o =>
        {
            o.Connection(_connection);
            o.AddVppLedger(l => l.SchemaName = _schema);
            o.Events.AppendMode = EventAppendMode.Rich; // the host's own choice, made after the ledger's
        });
        services.AddVppLedgerOnHostStore(l => l.SchemaName = _schema);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ILicenseLedger>());

        Assert.Contains("events are appended Rich", error.Message, StringComparison.Ordinal);
        Assert.Contains("services.AddVppLedger(connectionString)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_host_store_with_a_serializer_of_its_own_is_refused_by_add_vpp_ledger()
    {
        var options = new StoreOptions();
        options.Connection(_connection);
        options.Serializer(new HostSerializer());

        var error = Assert.Throws<InvalidOperationException>(() => options.AddVppLedger());

        Assert.Contains("already uses the serializer", error.Message, StringComparison.Ordinal);
    }

    private static async Task<HealthReportEntry> HealthAsync(string connection, Action<VppLedgerOptions> configure, bool apply)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddVppLedger(connection, configure);
        services.AddHealthChecks().AddVppLedger();
        await using var provider = services.BuildServiceProvider();
        if (apply)
        {
            await provider.GetRequiredService<ILicenseLedger>().ApplySchemaAsync();
        }

        return (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["vppledger"];
    }

    /// <summary>A serializer a host chose for its own documents.</summary>
    private sealed class HostSerializer : Marten.Services.SystemTextJsonSerializer;
}
