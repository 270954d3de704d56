using Marten;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Infrastructure;

/// <summary>A schema of its own for one test class (tests that share a schema and clean it in parallel fail), dropped at the end.</summary>
public class SchemaFixture : IAsyncLifetime
{
    private static int _counter;

    public string SchemaName { get; } = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid().ToString("N")[..6]}";

    public string ConnectionString { get; private set; } = "";

    public DocumentStore Store { get; private set; } = null!;

    /// <summary>More Marten configuration for the class's store (test-only events and projections).</summary>
    protected virtual void Configure(VppLedgerOptions options) =>
        options.ConfigureMarten = marten =>
        {
            marten.Events.MapEventType<Foundation.ProbeStarted>("vpp.probe.started.v1");
            marten.Events.MapEventType<Foundation.ProbeCounted>("vpp.probe.counted.v1");
            marten.Projections.Add<Foundation.ProbeTotalProjection>(JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        };

    public async Task InitializeAsync()
    {
        ConnectionString = await TestServer.ConnectionStringAsync();
        var options = new VppLedgerOptions { SchemaName = SchemaName };
        Configure(options);
        Store = MartenSetup.CreateStore(ConnectionString, options);
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        Store.Dispose();
        await TestServer.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {SchemaName} CASCADE");
    }
}
