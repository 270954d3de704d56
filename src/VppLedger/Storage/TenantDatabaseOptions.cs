using Npgsql;

namespace VppLedger;

/// <summary>
/// Where tenants live when one PostgreSQL database is not enough (docs/scale-out.md). With nothing configured here
/// every tenant lives in the database the ledger is created with, as always. As soon as a database is added (or the
/// registry is used), every tenant must be placed on exactly one database: the <see cref="Control"/> database (the one
/// the ledger is created with) or an added one. Inside each database tenants stay conjoined (rule X2), each database
/// carries the whole schema, and a tenant's commands, queries, audit, seal, rebuild and exports touch its database only.
/// </summary>
public sealed class TenantDatabaseOptions
{
    /// <summary>The name of the database the ledger is created with: the default database, which also holds the registry.</summary>
    public const string Control = "control";

    /// <summary>Longest database name accepted.</summary>
    public const int MaxNameLength = 63;

    private readonly List<(string Name, string ConnectionString)> _databases = [];
    private readonly Dictionary<string, string> _placements = new(StringComparer.Ordinal);

    /// <summary>
    /// True when tenants are placed at run time through the registry (<see cref="ILicenseLedger.Databases"/>) as well as
    /// here. Set by <see cref="UseRegistry"/>.
    /// </summary>
    public bool UsesRegistry { get; private set; }

    /// <summary>
    /// Adds a database that holds tenants, under a name of its own, and places <paramref name="tenants"/> on it.
    /// The name is what the registry and the tools use; the connection string stays in the host's configuration, never
    /// in a table. The database must exist; the ledger creates its schema there like in the control database.
    /// </summary>
    /// <param name="name">1 to 63 lower-case letters, digits, '_' or '-', starting with a letter; not <see cref="Control"/>.</param>
    /// <param name="connectionString">An Npgsql connection string to the database.</param>
    /// <param name="tenants">The tenants it holds (more can be placed with <see cref="Place"/> or at run time).</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is not valid or already added, the connection string is empty or malformed, or a tenant is already placed on another database.</exception>
    public TenantDatabaseOptions Add(string name, string connectionString, params TenantId[] tenants)
    {
        CheckName(name, nameof(name));
        if (string.Equals(name, Control, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{Control}' is the database the ledger is created with: place tenants on it with Place(\"{Control}\", ...) instead of adding it.", nameof(name));
        }

        if (_databases.Any(d => string.Equals(d.Name, name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Database '{name}' is added twice: give each database one name.", nameof(name));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // a malformed string fails here, at configuration, not at the first command
        _databases.Add((name, connectionString));
        return Place(name, tenants);
    }

    /// <summary>
    /// Places tenants on a database named here (<see cref="Control"/> or one added with <see cref="Add"/>, in any order):
    /// the static map, read at start. With <see cref="UseRegistry"/>, a placement in the registry wins over this map.
    /// </summary>
    /// <param name="database">The database's name.</param>
    /// <param name="tenants">The tenants it holds.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">A tenant is <c>default</c> or already placed on another database.</exception>
    public TenantDatabaseOptions Place(string database, params TenantId[] tenants)
    {
        CheckName(database, nameof(database));
        ArgumentNullException.ThrowIfNull(tenants);
        foreach (var tenant in tenants)
        {
            var id = tenant.Value;
            if (_placements.TryGetValue(id, out var placed) && !string.Equals(placed, database, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Tenant '{id}' is placed on '{placed}' and on '{database}': a tenant lives in one database.", nameof(tenants));
            }

            _placements[id] = database;
        }

        return this;
    }

    /// <summary>
    /// Keeps a registry of placements (tenant to database name) in the control database, so that a new tenant is placed
    /// at run time with <see cref="ITenantDatabases.PlaceTenantAsync"/>, without a restart; every ledger instance over
    /// the same control database sees it.
    /// </summary>
    /// <returns>These options, for chaining.</returns>
    public TenantDatabaseOptions UseRegistry()
    {
        UsesRegistry = true;
        return this;
    }

    /// <summary>True when tenants spread over several databases (a database added, or the registry used).</summary>
    internal bool IsMultiple => _databases.Count > 0 || UsesRegistry;

    /// <summary>The added databases, in the order they were added (the control database is not among them).</summary>
    internal IReadOnlyList<(string Name, string ConnectionString)> Added => _databases;

    /// <summary>The static map: tenant to database name.</summary>
    internal IReadOnlyDictionary<string, string> Placements => _placements;

    /// <summary>Every database name: the control database first, then the added ones.</summary>
    internal IReadOnlyList<string> Names => [Control, .. _databases.Select(d => d.Name)];

    /// <summary>Checks that every placement names a database that exists (placements may precede their Add).</summary>
    internal void Validate()
    {
        foreach (var (tenant, database) in _placements)
        {
            if (!Names.Contains(database, StringComparer.Ordinal))
            {
                throw new ArgumentException($"Tenant '{tenant}' is placed on database '{database}', which is not added: add it with options.Databases.Add(\"{database}\", connectionString) or place the tenant on one of {string.Join(", ", Names)}.");
            }
        }
    }

    internal static void CheckName(string name, string parameter)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !char.IsAsciiLetterLower(name[0])
            || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException(
                $"Database name '{name}' is not valid: use 1 to {MaxNameLength} lower-case letters, digits, '_' or '-', starting with a letter (for example db2).",
                parameter);
        }
    }
}
