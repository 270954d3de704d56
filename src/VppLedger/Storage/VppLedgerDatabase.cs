namespace VppLedger;

/// <summary>The explicit schema step for production hosts (with <see cref="SchemaCreation.None"/>).</summary>
public static class VppLedgerDatabase
{
    /// <summary>
    /// Creates or updates every table, index and function of the ledger in <see cref="VppLedgerOptions.SchemaName"/>, in
    /// every database of <see cref="VppLedgerOptions.Databases"/> (and the registry's table in the control database).
    /// Safe to run again: it applies only what is missing. When the task completes the schema is committed.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string with the right to create objects in the schema.</param>
    /// <param name="configure">The same options the host uses for the ledger.</param>
    /// <param name="cancellationToken">Cancels the step.</param>
    public static async Task ApplySchemaAsync(string connectionString, Action<VppLedgerOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new VppLedgerOptions();
        configure?.Invoke(options);
        options.Schema = SchemaCreation.CreateOrUpdate;
        using var store = Storage.MartenSetup.CreateStore(connectionString, options);
        await Storage.MartenLicenseLedger.ApplySchemaToEveryDatabaseAsync(store, options, cancellationToken).ConfigureAwait(false);
    }
}
