using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace VppLedger;

/// <summary>Registers the ledger in a host's service collection.</summary>
public static class VppLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILicenseLedger"/> as a singleton on a Marten store of its own over
    /// <paramref name="connectionString"/>. It registers no Marten service, so a host's own Marten store keeps every
    /// setting of its own. Options are bound through <see cref="IOptions{TOptions}"/> (configure them here, with
    /// <c>services.Configure&lt;VppLedgerOptions&gt;(...)</c> or from configuration); the clock is the registered
    /// <see cref="IClock"/>, else the system clock; the ledger and Marten log through the registered
    /// <see cref="ILoggerFactory"/>. The container disposes the ledger, with <c>Dispose</c> or <c>DisposeAsync</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="connectionString">An Npgsql connection string. Unless it sets <c>Max Auto Prepare</c>, the ledger's connections prepare up to 100 statements each (set <c>Max Auto Prepare=0</c> behind a pooler that cannot keep them).</param>
    /// <param name="configure">Changes to the options.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddVppLedger(this IServiceCollection services, string connectionString, Action<VppLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddLedger(configure, (provider, options) =>
            Storage.MartenSetup.CreateStore(connectionString, options, provider.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Registers <see cref="ILicenseLedger"/> as a singleton on a Marten store of its own over the host's
    /// <see cref="NpgsqlDataSource"/> (its pooling, credentials and logging), as
    /// <see cref="AddVppLedger(IServiceCollection, string, Action{VppLedgerOptions}?)"/> does for a connection string.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="dataSource">Gives the host's data source, for example <c>sp =&gt; sp.GetRequiredService&lt;NpgsqlDataSource&gt;()</c>.</param>
    /// <param name="configure">Changes to the options.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddVppLedger(this IServiceCollection services, Func<IServiceProvider, NpgsqlDataSource> dataSource, Action<VppLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(dataSource);
        return services.AddLedger(configure, (provider, options) =>
            Storage.MartenSetup.CreateStore(dataSource(provider), options, provider.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Registers <see cref="ILicenseLedger"/> over the host's own Marten store, which must have been configured with
    /// <c>StoreOptions.AddVppLedger()</c> (pass the same <paramref name="configure"/> to both). The ledger checks the
    /// store when it is first resolved and throws <see cref="InvalidOperationException"/> naming every setting the
    /// host changed that the ledger relies on. Prefer <c>AddVppLedger(connectionString)</c>, which leaves the host's
    /// store alone.
    /// </summary>
    /// <param name="services">The host's services, with Marten registered.</param>
    /// <param name="configure">The same changes to the options as given to <c>AddVppLedger()</c> on the store.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddVppLedgerOnHostStore(this IServiceCollection services, Action<VppLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ILicenseLedger>(provider =>
        {
            var options = new VppLedgerOptions();
            configure?.Invoke(options);
            var store = provider.GetRequiredService<Marten.IDocumentStore>() as Marten.DocumentStore
                ?? throw new InvalidOperationException("AddVppLedgerOnHostStore needs Marten's AddMarten(...) with options.AddVppLedger() registered first.");
            Storage.MartenSetup.CheckHostStore(store.Options, options);
            return new Storage.MartenLicenseLedger(store, options, provider.GetService<IClock>() ?? SystemClock.Instance, ownsStore: false, provider.GetService<ILoggerFactory>());
        });
        return services;
    }

    /// <summary>
    /// Adds a health check of the ledger (tag <c>vppledger</c>): healthy when its database answers and its schema is
    /// applied, unhealthy with the reason otherwise. Register the ledger first.
    /// </summary>
    /// <param name="builder">The host's health checks.</param>
    /// <param name="name">The check's name. Default <c>vppledger</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddVppLedger(this IHealthChecksBuilder builder, string name = "vppledger")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new Storage.LedgerHealthCheck(provider.GetRequiredService<ILicenseLedger>()),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["vppledger"]));
    }

    private static IServiceCollection AddLedger(this IServiceCollection services, Action<VppLedgerOptions>? configure, Func<IServiceProvider, VppLedgerOptions, Marten.DocumentStore> store)
    {
        var options = services.AddOptions<VppLedgerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton(provider =>
        {
            var configured = provider.GetRequiredService<IOptions<VppLedgerOptions>>().Value;
            return LicenseLedger.Create(store(provider, configured), configured, provider.GetService<IClock>(), provider.GetService<ILoggerFactory>());
        });
        return services;
    }
}
