namespace VppLedger;

/// <summary>How the ledger stores its data. Every property has the default a production host wants, except <see cref="Schema"/>.</summary>
public sealed class VppLedgerOptions
{
    private string _schemaName = "vppledger";

    /// <summary>
    /// The PostgreSQL schema that holds every table of the ledger. Default <c>vppledger</c>. 1 to 63 lower-case
    /// letters, digits or '_', starting with a letter or '_', not a reserved word and not <c>pg_...</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not such a schema name (the message says what to write).</exception>
    public string SchemaName
    {
        get => _schemaName;
        set => _schemaName = Storage.SchemaNames.Check(value, nameof(SchemaName));
    }

    /// <summary>
    /// Who creates the tables. <see cref="SchemaCreation.CreateOrUpdate"/> (default, for development) creates and
    /// updates them on first use; <see cref="SchemaCreation.None"/> (production) never does: run
    /// <see cref="VppLedgerDatabase.ApplySchemaAsync"/> (or <c>vppledger db apply</c>) as a deployment step.
    /// </summary>
    public SchemaCreation Schema { get; set; } = SchemaCreation.CreateOrUpdate;

    /// <summary>
    /// Where tenants live: by default every tenant in the database the ledger is created with; add databases and place
    /// tenants on them when one PostgreSQL is not enough (docs/scale-out.md).
    /// </summary>
    public TenantDatabaseOptions Databases { get; } = new();

    /// <summary>The ledger's rule choices (article or newer Apple behaviour). Default <see cref="LedgerPolicy.Article"/>.</summary>
    public LedgerPolicy Policy { get; set; } = LedgerPolicy.Article;

    /// <summary>How many times a command is decided again on fresh state after a concurrency conflict. Default 8.</summary>
    public int MaxConcurrencyRetries { get; set; } = 8;

    /// <summary>
    /// How often the ledger's background sealer links newly committed events into the tamper-evident chain (outside the
    /// commands' transactions; docs/audit.md). Default 200 ms. <see cref="TimeSpan.Zero"/> turns the background sealer
    /// off: the host then calls <see cref="Audit.ITenantAudit.SealAsync"/> itself (verification also seals first).
    /// </summary>
    public TimeSpan SealInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Holders (or group members) one transaction of a large operation covers: revoking every license of a pool or a
    /// token, deleting a token under <see cref="LedgerPolicy.CurrentApple"/>, changing or removing an assignment of a
    /// large group, serving a long queue (new counts, a renewal, control taken: promotions a page). Each page commits on its own with its idempotency record and its place in the operation's stream;
    /// retrying the command id, or <see cref="ITenantLedger.ResumeAsync"/>, resumes after the last committed page
    /// (docs/guarantees.md). Default 1,000; at least 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int LargeOperationPageSize
    {
        get => _largeOperationPageSize;
        set => _largeOperationPageSize = AtLeastOne(value);
    }

    private int _largeOperationPageSize = 1000;

    /// <summary>
    /// Lines of an NDJSON import checked and committed per transaction (<see cref="Audit.ITenantAudit.ImportAsync"/>):
    /// the import reads the file as a stream and holds at most one page (this many lines, and at most 32 MiB of them).
    /// Default 5,000; at least 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ImportPageSize
    {
        get => _importPageSize;
        set => _importPageSize = AtLeastOne(value);
    }

    private int _importPageSize = 5000;

    private static int AtLeastOne(int value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        return value;
    }

    /// <summary>Test hook: called after each committed page of an import; a fault it throws is a crash between pages.</summary>
    internal Action<int>? AfterImportPageCommitted { get; set; }

    /// <summary>Test hook: the import's reader records here the most lines and characters it held at once.</summary>
    internal Storage.ImportReaderStats? ImportReaderStats { get; set; }

    /// <summary>
    /// A checkpoint of positions (every pool's and token's state, docs/audit.md "Checkpoints") is cut after this many
    /// pool and token events of a tenant, or at the first event of a new <see cref="CheckpointPeriod"/>, whichever
    /// comes first. Default 10,000: an as-of answer folds at most about this many events after its checkpoint.
    /// </summary>
    public int CheckpointEveryEvents { get; set; } = 10_000;

    /// <summary>
    /// The business-time period that also cuts a checkpoint: before a tenant's first event of a new period (counted
    /// from the Unix epoch, in UTC). Default one day.
    /// </summary>
    public TimeSpan CheckpointPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Every how many checkpoints of a tenant (and book checkpoints of a pool) one is full; the others store what
    /// changed since the one before. Default <see cref="Storage.CheckpointStore.FullEvery"/>; tests lower it.
    /// </summary>
    internal int CheckpointFullEvery { get; set; } = Storage.CheckpointStore.FullEvery;

    /// <summary>
    /// False: the sealer links the chain but builds no checkpoint of positions (as-of answers then fold from the first
    /// event). Only for measuring what building them costs (<c>generate --checkpoints off</c>); true by default.
    /// </summary>
    internal bool BuildCheckpoints { get; set; } = true;

    /// <summary>Members granted per transaction when a new assignment fans out (bounds the memory of writing). Tests lower it.</summary>
    internal int FanOutMembersPerTransaction { get; set; } = 5000;

    /// <summary>Events a rebuild reads and applies to every projection per transaction (bounds its memory). Tests lower it.</summary>
    internal int RebuildPageSize { get; set; } = 5000;

    /// <summary>
    /// True: a rebuild reads and deserializes the next page while it writes the current one. Off by default: on the
    /// shared 2-core machine it cost more client CPU than it saved time (docs/benchmarks.md); the scale generator's
    /// <c>--read-ahead on</c> measures it.
    /// </summary>
    internal bool RebuildReadAhead { get; set; }

    /// <summary>Test hook: called after each committed part (page) of a command written in several transactions; a fault it throws is a crash between pages.</summary>
    internal Action<int>? AfterPartCommitted { get; set; }

    /// <summary>
    /// How long a command that wants a location waits for another command's change of the same location's claim to
    /// settle before it settles that claim itself (rule T4; docs/scale-out.md). The wait only bounds how soon a crashed
    /// command's claim is taken over; correctness never depends on it.
    /// </summary>
    internal TimeSpan PendingClaimPatience { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Test hook of the location guard: called at "claimed" and "committed"; a throw there is a crash at that point.</summary>
    internal Action<string>? LocationGuardFault { get; set; }

    /// <summary>Test and advanced hook: more Marten configuration, applied last. Not part of the public API.</summary>
    internal Action<Marten.StoreOptions>? ConfigureMarten { get; set; }
}

/// <summary>Who creates the ledger's tables.</summary>
public enum SchemaCreation
{
    /// <summary>Create and update tables on first use (development, tests, the demo).</summary>
    CreateOrUpdate = 0,

    /// <summary>Never touch the schema at run time; apply it explicitly at deployment (production).</summary>
    None = 1,
}
