using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace VppLedger;

/// <summary>Registers the ledger in a host's service collection.</summary>
public static class VppLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILicenseLedger"/> as a singleton with a Marten store of its own on
    /// <paramref name="connectionString"/>. It registers no Marten service, so it sits beside a host's own Marten
    /// store without touching it. The clock is the registered <see cref="IClock"/>, else the system clock.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Changes to the options.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddVppLedger(this IServiceCollection services, string connectionString, Action<VppLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.AddSingleton(provider => LicenseLedger.Create(connectionString, configure, provider.GetService<IClock>()));
        return services;
    }

    /// <summary>
    /// Registers <see cref="ILicenseLedger"/> over the host's own Marten store, which must have been configured with
    /// <c>StoreOptions.AddVppLedger()</c> (pass the same <paramref name="configure"/> to both).
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
            return new Storage.MartenLicenseLedger(store, options, provider.GetService<IClock>() ?? SystemClock.Instance, ownsStore: false);
        });
        return services;
    }
}
