using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace VppLedger.Storage;

/// <summary>
/// The ledger's health: its database answers and its schema is applied (the event table and the audit table exist).
/// With <see cref="SchemaCreation.CreateOrUpdate"/> a missing schema is healthy (it is created on first use); with
/// <see cref="SchemaCreation.None"/> it is unhealthy until the schema step runs.
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
        try
        {
            await using var connection = marten.Store.Storage.Database.CreateConnection();
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("select to_regclass(@events) is not null and to_regclass(@audit) is not null", connection);
            command.Parameters.AddWithValue("events", $"{schema}.mt_events");
            command.Parameters.AddWithValue("audit", AuditSchema.Qualified(schema));
            var applied = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (applied)
            {
                return HealthCheckResult.Healthy($"The database answers and schema {schema} is applied.", data);
            }

            return marten.Options.Schema == SchemaCreation.CreateOrUpdate
                ? HealthCheckResult.Healthy($"The database answers; schema {schema} is created on first use (SchemaCreation.CreateOrUpdate).", data)
                : new HealthCheckResult(context.Registration.FailureStatus, $"The database answers but schema {schema} is not applied: run `vppledger db apply` or VppLedgerDatabase.ApplySchemaAsync as a deployment step.", data: data);
        }
        catch (Exception e) when (InfrastructureFaults.IsFault(e, cancellationToken))
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The ledger's database does not answer: {e.Message}", e, data);
        }
    }
}
