namespace VppLedger;

/// <summary>
/// The databases of a ledger and the tenants each holds (docs/scale-out.md). Thread-safe. With one database (nothing
/// configured in <see cref="VppLedgerOptions.Databases"/>) it lists the control database alone.
/// </summary>
public interface ITenantDatabases
{
    /// <summary>The database names: <see cref="TenantDatabaseOptions.Control"/> first, then the added ones.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Places a new tenant on a database through the registry, at run time, without a restart: from when the task
    /// completes every call for the tenant, in this process and in every other ledger over the same control database,
    /// goes to that database. Placing a tenant again on the database it is on does nothing.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="database">A database name (<see cref="Names"/>).</param>
    /// <param name="cancellationToken">Cancels the placement.</param>
    /// <exception cref="UnknownDatabaseException">No database has that name.</exception>
    /// <exception cref="InvalidOperationException">The registry is not used (<see cref="TenantDatabaseOptions.UseRegistry"/>), or the tenant is already on another database (moving a tenant is another step).</exception>
    /// <exception cref="LedgerUnavailableException">The control database is unavailable; retrying is safe.</exception>
    Task PlaceTenantAsync(TenantId tenant, string database, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a tenant to another database (docs/scale-out.md): stops its writes (commands sent meanwhile are refused
    /// with the retryable <c>TenantMoving</c>; none is lost: each committed before the cut or is refused and can be
    /// retried with the same command id), copies its log with its sequence numbers, its chain and its documents, verifies
    /// that the chain head and every event hash are the same on the target, switches the registry (the commit point),
    /// removes the old copy. Run again after a crash, it resumes: before the switch the tenant lives in the source and
    /// the copy starts again; after it, the tenant lives in the target and only the removal is left. Until a move
    /// interrupted before its switch is run again, the tenant is readable but its writes stay refused.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="toDatabase">The target database's name (<see cref="Names"/>).</param>
    /// <param name="progress">Told each step.</param>
    /// <param name="cancellationToken">Cancels the move (run it again to resume).</param>
    /// <exception cref="UnknownDatabaseException">No database has that name.</exception>
    /// <exception cref="TenantNotPlacedException">The tenant is placed nowhere.</exception>
    /// <exception cref="InvalidOperationException">The registry is not used, another move of the tenant is under way, or the copy did not verify (the tenant stays where it was).</exception>
    /// <exception cref="LedgerUnavailableException">A database is unavailable; run the move again.</exception>
    Task MoveTenantAsync(TenantId tenant, string toDatabase, IProgress<TenantMoveProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The name of the database that holds a tenant, or null when it is placed nowhere.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="LedgerUnavailableException">The control database is unavailable.</exception>
    Task<string?> FindTenantAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every database with the tenants placed on it (the static map and the registry), ordered by name, control first.
    /// With one database its list of tenants is empty: every tenant lives there without being placed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="LedgerUnavailableException">The control database is unavailable.</exception>
    Task<IReadOnlyList<TenantDatabase>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rebuilds every projection of one database from its own log, as <see cref="ILicenseLedger.RebuildAsync"/> does
    /// for every database (for example after restoring that database alone). Run it with no command in flight for its
    /// tenants; the other databases are not touched.
    /// </summary>
    /// <param name="database">A database name (<see cref="Names"/>).</param>
    /// <param name="progress">Told as the rebuild advances, when given.</param>
    /// <param name="cancellationToken">Cancels between pages; a later call resumes.</param>
    /// <exception cref="UnknownDatabaseException">No database has that name.</exception>
    /// <exception cref="LedgerUnavailableException">The database is unavailable; running it again resumes.</exception>
    Task RebuildAsync(string database, IProgress<Audit.RebuildProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rebuilds one tenant's projections from its own log, in its database (docs/scale-out.md "Rebuilding one tenant"):
    /// its write states, seat, member and Apple-side rows and audit rows are deleted and written again from its events,
    /// its checkpoints of positions written again from its sealed log, and its chain checked against the rebuilt audit
    /// rows. The tenant's commands are refused meanwhile with the retryable <c>TenantMoving</c> (retry them with the same
    /// command id); the other tenants of the database are not touched and keep working. Works with one database too.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="progress">Told as the rebuild advances, when given.</param>
    /// <param name="cancellationToken">Cancels between pages; the tenant's commands stay refused until the rebuild is run again to its end.</param>
    /// <returns>The verification of the tenant's chain over its rebuilt audit rows (intact unless the log or the chain was changed).</returns>
    /// <exception cref="TenantNotPlacedException">The tenant is placed on no database.</exception>
    /// <exception cref="InvalidOperationException">A move of the tenant is under way: finish it first.</exception>
    /// <exception cref="LedgerUnavailableException">The tenant's database is unavailable; running it again is safe.</exception>
    Task<Audit.ChainVerification> RebuildTenantAsync(TenantId tenant, IProgress<Audit.RebuildProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>One database of the ledger and the tenants placed on it.</summary>
/// <param name="Name">The database's name (<see cref="TenantDatabaseOptions.Control"/> for the one the ledger is created with).</param>
/// <param name="Tenants">The tenants placed on it, ordered by id.</param>
public sealed record TenantDatabase(string Name, IReadOnlyList<TenantId> Tenants)
{
    /// <summary>True for the control database (the default one, which holds the registry).</summary>
    public bool IsControl => string.Equals(Name, TenantDatabaseOptions.Control, StringComparison.Ordinal);
}

/// <summary>
/// A call for a tenant that no database holds, while tenants spread over several databases: place the tenant first
/// (<see cref="TenantDatabaseOptions.Place"/> or <see cref="ITenantDatabases.PlaceTenantAsync"/>). Nothing was read or written.
/// </summary>
public sealed class TenantNotPlacedException : InvalidOperationException
{
    /// <summary>Creates the exception for a tenant.</summary>
    /// <param name="tenant">The tenant placed nowhere.</param>
    public TenantNotPlacedException(TenantId tenant)
        : base($"Tenant '{tenant.Value}' is not placed on any database of the ledger. Place it first: ledger.Databases.PlaceTenantAsync(tenant, \"db2\") with the registry, or options.Databases.Place(\"db2\", tenant) in the static map.")
    {
        Tenant = tenant;
    }

    /// <summary>The tenant placed nowhere.</summary>
    public TenantId Tenant { get; }
}

/// <summary>A database name that is not one of the ledger's databases (<see cref="ITenantDatabases.Names"/>).</summary>
public sealed class UnknownDatabaseException : ArgumentException
{
    /// <summary>Creates the exception for a name.</summary>
    /// <param name="database">The name given.</param>
    /// <param name="known">The names of the ledger's databases.</param>
    public UnknownDatabaseException(string database, IEnumerable<string> known)
        : base($"Database '{database}' is not one of the ledger's databases ({string.Join(", ", known ?? [])}): add it with options.Databases.Add(name, connectionString) and restart, or use one of these names.", nameof(database))
    {
        Database = database;
    }

    /// <summary>The name given.</summary>
    public string Database { get; }
}
