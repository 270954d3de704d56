using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace VppLedger.Storage;

/// <summary>
/// The ledger's health: every database answers and its schema is applied (the event table and the audit table exist).
/// With <see cref="SchemaCreation.CreateOrUpdate"/> a missing schema is healthy (it is created on first use); with
/// <see cref="SchemaCreation.None"/> it is unhealthy until the schema step runs. With several databases the data holds
/// one entry per database ("database:NAME": "ok", "not applied" or why it does not answer), and one database down makes
/// the ledger unhealthy (its tenants get <see cref="LedgerUnavailableException"/>; the others keep working).
/// </summary>
internal sealed class LedgerHealthCheck(ILicenseLedger ledger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (ledger is not MartenLicenseLedger marten)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The registered ILicenseLedger is a {ledger.GetType().Name}, not the ledger this check knows.");
        }

        var schema = marten.Options.SchemaName;
        var data = new Dictionary<string, object> { ["schema"] = schema };
        var down = new List<string>();
        var notApplied = new List<string>();
        Exception? firstFault = null;
        var databases = await marten.AllDatabasesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var database in databases)
        {
            try
            {
                await using var connection = database.CreateConnection();
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("select to_regclass(@events) is not null and to_regclass(@audit) is not null", connection);
                command.Parameters.AddWithValue("events", $"{schema}.mt_events");
                command.Parameters.AddWithValue("audit", AuditSchema.Qualified(schema));
                var applied = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                data[$"database:{marten.NameOf(database)}"] = applied ? "ok" : "not applied";
                if (!applied)
                {
                    notApplied.Add(marten.NameOf(database));
                }
            }
            catch (Exception e) when (InfrastructureFaults.IsFault(e, cancellationToken))
            {
                data[$"database:{marten.NameOf(database)}"] = $"does not answer: {e.Message}";
                down.Add(marten.NameOf(database));
                firstFault ??= e;
            }
        }

        var which = databases.Count == 1 ? "The database" : $"Every database ({databases.Count})";
        if (down.Count > 0)
        {
            var message = databases.Count == 1
                ? $"The ledger's database does not answer: {firstFault!.Message}"
                : $"{down.Count} of {databases.Count} databases do not answer ({string.Join(", ", down)}): their tenants are unavailable, the others keep working. First error: {firstFault!.Message}";
            return new HealthCheckResult(context.Registration.FailureStatus, message, firstFault, data);
        }

        if (notApplied.Count == 0)
        {
            return HealthCheckResult.Healthy($"{which} answers and schema {schema} is applied.", data);
        }

        var where = databases.Count == 1 ? "" : $" in {string.Join(", ", notApplied)}";
        return marten.Options.Schema == SchemaCreation.CreateOrUpdate
            ? HealthCheckResult.Healthy($"{which} answers; schema {schema} is created on first use{where} (SchemaCreation.CreateOrUpdate).", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{which} answers but schema {schema} is not applied{where}: run `vppledger db apply` or VppLedgerDatabase.ApplySchemaAsync as a deployment step.", data: data);
    }
}
