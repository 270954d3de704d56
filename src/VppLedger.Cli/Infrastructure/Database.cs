using Npgsql;
using VppLedger.Hosting;

namespace VppLedger.Cli.Infrastructure;

/// <summary>Finds the database a command uses and turns its failures into errors a person can act on.</summary>
internal static class Database
{
    public const string HowToConfigure =
        "pass --connection \"Host=...;Username=...;Database=...\", or set VPPLEDGER_CONNECTION, or the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)";

    /// <summary>--connection, else VPPLEDGER_CONNECTION, else PG* (when PGHOST is set); else exit code 3.</summary>
    public static string ResolveConnection(DatabaseSettings settings, CliHost host)
    {
        if (!string.IsNullOrWhiteSpace(settings.Connection))
        {
            return Validated(settings.Connection);
        }

        var configured = EmbeddedPostgres.ConfiguredConnection(host.Environment);
        return configured is not null
            ? Validated(configured)
            : throw new CliException(ExitCodes.NoDatabase, $"No database is configured: {HowToConfigure}.");
    }

    /// <summary>Opens the ledger over an existing schema (never creates tables: that is <c>db apply</c>).</summary>
    public static ILicenseLedger OpenLedger(string connection, DatabaseSettings settings, NodaTime.IClock clock) =>
        LicenseLedger.Create(
            connection,
            o =>
            {
                o.SchemaName = settings.Schema;
                o.Schema = SchemaCreation.None;
            },
            clock);

    /// <summary>The tenant's ledger; exit code 5 when the tenant has recorded nothing.</summary>
    public static async Task<ITenantLedger> TenantAsync(ILicenseLedger ledger, string tenantId, CancellationToken cancellationToken)
    {
        ITenantLedger tenant;
        try
        {
            tenant = ledger.ForTenant(new TenantId(tenantId));
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--tenant '{tenantId}' is not a tenant id: use 1 to 64 letters, digits, '.', '_' or '-'.", e);
        }

        if (!await tenant.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new CliException(ExitCodes.UnknownTenant, $"Tenant '{tenantId}' has recorded nothing in this database: check the tenant id, the --schema and the connection.");
        }

        return tenant;
    }

    /// <summary>Maps a database failure to the one-sentence error and exit code of docs/cli.md; null when it is not one.</summary>
    public static CliException? Explain(Exception exception, string? schema)
    {
        switch (exception)
        {
            case PostgresException { SqlState: PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedFunction } e:
                return new CliException(ExitCodes.SchemaMissing,
                    $"The ledger's tables are not in schema '{schema ?? "vppledger"}' of this database: run 'vppledger db apply' first (or pass the right --schema).", e);
            case PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidCatalogName } e:
                return new CliException(ExitCodes.NoDatabase, $"PostgreSQL refused the connection ({e.MessageText}): check the user, password and database in the connection string.", e);
            case NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException or IOException } e:
                return new CliException(ExitCodes.NoDatabase, $"Could not reach PostgreSQL ({e.InnerException!.Message}): check that the server runs and that the connection string names it; {HowToConfigure}.", e);
            case NpgsqlException { InnerException: null } e when e is not PostgresException:
                return new CliException(ExitCodes.NoDatabase, $"Could not reach PostgreSQL ({e.Message}): check that the server runs and that the connection string names it.", e);
            case PostgresUnavailableException e:
                return new CliException(ExitCodes.NoDatabase, e.Message, e);
            default:
                return exception.InnerException is null ? null : Explain(exception.InnerException, schema);
        }
    }

    private static string Validated(string connection)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connection);
            return connection;
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"The connection string is not valid ({e.Message}): write it as \"Host=...;Username=...;Database=...\".", e);
        }
    }
}
