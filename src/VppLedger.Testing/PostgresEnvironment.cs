using System.Globalization;
using Npgsql;

namespace VppLedger.Testing;

/// <summary>
/// Which PostgreSQL the environment names, on any operating system: <c>VPPLEDGER_CONNECTION</c>, else the standard
/// <c>PG*</c> variables when <c>PGHOST</c> is set. <see cref="EmbeddedPostgres"/> (Linux only) starts a throwaway
/// cluster when this returns null.
/// </summary>
public static class PostgresEnvironment
{
    /// <summary>The environment variable that names the server to use, as an Npgsql connection string.</summary>
    public const string ConnectionVariable = "VPPLEDGER_CONNECTION";

    /// <summary>
    /// The configured server, if any: <c>VPPLEDGER_CONNECTION</c>, else the <c>PG*</c> variables when <c>PGHOST</c> is set.
    /// </summary>
    /// <param name="environment">Reads a variable; defaults to the process environment.</param>
    /// <returns>The connection string, or null when nothing is configured.</returns>
    public static string? ConfiguredConnection(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var explicitConnection = environment(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(explicitConnection))
        {
            return explicitConnection;
        }

        var host = environment("PGHOST");
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = host };
        if (int.TryParse(environment("PGPORT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port))
        {
            builder.Port = port;
        }

        builder.Username = environment("PGUSER") ?? Environment.UserName;
        builder.Database = environment("PGDATABASE") ?? builder.Username;
        var password = environment("PGPASSWORD");
        if (!string.IsNullOrEmpty(password))
        {
            builder.Password = password;
        }

        return builder.ConnectionString;
    }
}
