using Npgsql;
using VppLedger.Testing;

namespace VppLedger.Cli.Infrastructure;

/// <summary>Finds the database a command uses and turns its failures into errors a person can act on.</summary>
internal static class Database
{
    public const string HowToConfigure =
        "pass --connection \"Host=...;Username=...;Database=...\", or set VPPLEDGER_CONNECTION, or the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)";

    /// <summary>--connection, else VPPLEDGER_CONNECTION, else PG* (when PGHOST is set); else exit code 3.</summary>
    public static string ResolveConnection(DatabaseSettings settings, CliHost host) =>
        Configured(settings.Connection, host)
        ?? throw new CliException(ExitCodes.NoDatabase, $"No database is configured: {HowToConfigure}.");

    /// <summary>The connection string given by <paramref name="option"/> or the environment, checked; null when none is given.</summary>
    public static string? Configured(string? option, CliHost host)
    {
        if (option is not null)
        {
            return Validated(option, "--connection");
        }

        string? configured;
        try
        {
            configured = PostgresEnvironment.ConfiguredConnection(host.Environment);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw new CliException(ExitCodes.Usage, $"The PG* variables do not make a connection string ({e.Message}): fix PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE, or set VPPLEDGER_CONNECTION.", e);
        }

        var source = string.IsNullOrWhiteSpace(host.Environment(PostgresEnvironment.ConnectionVariable)) ? "the PG* variables" : PostgresEnvironment.ConnectionVariable;
        return configured is null ? null : Validated(configured, source);
    }

    /// <summary>Opens the ledger over an existing schema (never creates tables: that is <c>db apply</c>).</summary>
    public static ILicenseLedger OpenLedger(string connection, DatabaseSettings settings, NodaTime.IClock clock) =>
        LicenseLedger.Create(
            connection,
            o =>
            {
                settings.Configure(o);
                o.Schema = SchemaCreation.None;
            },
            clock);

    /// <summary>The tenant's ledger; exit code 2 for a malformed id (when <paramref name="mustExist"/>, exit code 5 for a tenant with nothing recorded).</summary>
    public static async Task<ITenantLedger> TenantAsync(ILicenseLedger ledger, string tenantId, CancellationToken cancellationToken, bool mustExist = true)
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

        if (mustExist && !await tenant.ExistsAsync(cancellationToken).ConfigureAwait(false))
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
            case PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } e:
                return new CliException(ExitCodes.NoDatabase, $"PostgreSQL refused the statement ({e.MessageText}): connect as a user with the rights the command needs (db apply creates the schema's tables).", e);
            case PostgresException { SqlState: PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow } e:
                return new CliException(ExitCodes.NoDatabase, $"PostgreSQL accepts no connection now ({e.MessageText}): try again later or raise max_connections.", e);
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

    /// <summary>
    /// Parses the connection string as Npgsql will and rejects, before any connection is tried, what can never work:
    /// a malformed string, no host, a pool of no connection.
    /// </summary>
    internal static string Validated(string connection, string source)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException)
        {
            throw new CliException(ExitCodes.Usage, $"The connection string of {source} is not valid ({e.Message.TrimEnd('.')}): write it as \"Host=...;Username=...;Database=...\".", e);
        }

        string? problem = null;
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            problem = "it names no Host";
        }
        else if (builder.MaxPoolSize < 1)
        {
            problem = $"Maximum Pool Size is {builder.MaxPoolSize}, so no connection could ever be opened";
        }
        else if (builder.MinPoolSize > builder.MaxPoolSize)
        {
            problem = $"Minimum Pool Size {builder.MinPoolSize} is above Maximum Pool Size {builder.MaxPoolSize}";
        }
        else if (builder.Port is < 1 or > 65535)
        {
            problem = $"Port {builder.Port} is not a TCP port";
        }

        return problem is null
            ? connection
            : throw new CliException(ExitCodes.Usage, $"The connection string of {source} cannot work: {problem}; write it as \"Host=...;Username=...;Database=...\".");
    }
}
