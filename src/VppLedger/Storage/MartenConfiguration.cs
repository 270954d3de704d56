using Marten;
namespace VppLedger;

/// <summary>The entry point for hosts that already have a Marten store: <c>options.AddVppLedger()</c>.</summary>
public static class VppLedgerStoreOptionsExtensions
{
    /// <summary>
    /// Configures a Marten store for VppLedger: our Newtonsoft serializer with NodaTime, string stream ids,
    /// conjoined tenancy for events and documents, Quick append, all metadata on, stable event names,
    /// the ledger's projections, and an async daemon that stops on errors instead of skipping events.
    /// Call it once, before the store is built. It sets every option it relies on explicitly, so a host's
    /// other defaults cannot change the ledger's behaviour.
    /// </summary>
    /// <param name="options">The host's Marten options.</param>
    /// <param name="configure">Changes to <see cref="VppLedgerOptions"/>.</param>
    /// <returns>The same options, for chaining.</returns>
    public static StoreOptions AddVppLedger(this StoreOptions options, Action<VppLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ledger = new VppLedgerOptions();
        configure?.Invoke(ledger);
        Storage.MartenSetup.CheckBeforeAdding(options);
        Storage.MartenSetup.Apply(options, ledger);
        return options;
    }
}
