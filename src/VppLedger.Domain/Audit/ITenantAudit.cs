using NodaTime;

namespace VppLedger.Audit;

/// <summary>
/// The audit side of one tenant's ledger (rules I1, I2, I5): its history as rows, positions as of any business
/// instant, explanations, imports of history recorded elsewhere, the tamper-evident hash chain and exports.
/// Thread-safe: every call opens its own short session. Nothing done through it reads or changes another tenant (X2).
/// </summary>
public interface ITenantAudit
{
    /// <summary>The tenant.</summary>
    TenantId Tenant { get; }

    /// <summary>
    /// The audit rows of the tenant in log order (global sequence), filtered, streamed from the audit table: the
    /// memory used does not grow with the number of rows.
    /// </summary>
    /// <param name="query">Filters (holder, app, token, business-time range); all rows when null.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException">A bound of the query lies outside the years 1 to 9999, or an id of the query is <c>default</c>; thrown when called or, through the ledger's fault wrapper, at the first row.</exception>
    IAsyncEnumerable<AuditEntry> HistoryAsync(AuditQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A pool as it stood at <paramref name="asOf"/> in business time (rule I5): its events with
    /// <c>OccurredAt &lt;= asOf</c>, in log order, folded with <see cref="Pools.PoolBook"/>. Null when the pool had no
    /// event by then. Memory grows with the pool's holders and queue (the answer), not with its log.
    /// </summary>
    /// <param name="pool">The token and app.</param>
    /// <param name="asOf">The business instant.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<PoolPosition?> PoolAsOfAsync(PoolId pool, Instant asOf, CancellationToken cancellationToken = default);

    /// <summary>A token as it stood at <paramref name="asOf"/> (rule I5), its status computed at that instant; null when not uploaded by then.</summary>
    /// <param name="token">The token.</param>
    /// <param name="asOf">The business instant.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<TokenPosition?> TokenAsOfAsync(TokenId token, Instant asOf, CancellationToken cancellationToken = default);

    /// <summary>Where a holder stood in every pool at <paramref name="asOf"/> (rule I5): granted or queued seats, read from the audit table by the holder's pseudonymous id.</summary>
    /// <param name="holder">The holder.</param>
    /// <param name="asOf">The business instant.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<HolderPosition> HolderAsOfAsync(Holder holder, Instant asOf, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every change to a pool between two business instants (rule I5): the pool as of <paramref name="from"/> and as
    /// of <paramref name="to"/> (each from its nearest checkpoint), and the pool's audit rows whose business time lies
    /// in <c>(from, to]</c>, in log order, streamed when <see cref="AuditRange{TPosition}.Changes"/> is enumerated (once).
    /// </summary>
    /// <param name="pool">The token and app.</param>
    /// <param name="from">The earlier instant (exclusive for the changes; the start position is as of it).</param>
    /// <param name="to">The later instant (inclusive).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="ArgumentException"><paramref name="to"/> is before <paramref name="from"/>, or an instant lies outside the years 1 to 9999.</exception>
    Task<AuditRange<PoolPosition>> PoolChangesAsync(PoolId pool, Instant from, Instant to, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every change to a holder's seats between two business instants, in every pool (rule I5): the holder as of both
    /// ends and its audit rows whose business time lies in <c>(from, to]</c>, in log order, streamed when enumerated.
    /// </summary>
    /// <param name="holder">The holder.</param>
    /// <param name="from">The earlier instant (exclusive for the changes).</param>
    /// <param name="to">The later instant (inclusive).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="ArgumentException"><paramref name="to"/> is before <paramref name="from"/>, or an instant lies outside the years 1 to 9999.</exception>
    Task<AuditRange<HolderPosition>> HolderChangesAsync(Holder holder, Instant from, Instant to, CancellationToken cancellationToken = default);

    /// <summary>Every pool's counters and every token of the tenant at <paramref name="asOf"/> (rule I5); memory grows with the number of pools and tokens, not with the log.</summary>
    /// <param name="asOf">The business instant.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<TenantPosition> TenantAsOfAsync(Instant asOf, CancellationToken cancellationToken = default);

    /// <summary>Why <paramref name="holder"/> has, or has not, a license of <paramref name="pool"/> at <paramref name="asOf"/>: the chain of events and the rule ids that decided it.</summary>
    /// <param name="holder">The holder.</param>
    /// <param name="pool">The token and app.</param>
    /// <param name="asOf">The business instant.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<LicenseExplanation> ExplainAsync(Holder holder, PoolId pool, Instant asOf, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends history recorded elsewhere: NDJSON, one event a line, in time order (see docs/audit.md), under the
    /// <see cref="Permissions.ImportHistory"/> permission (rule X1), checked before the file is read. The file is read
    /// as a stream, with no line limit, in memory bounded by one page (<c>VppLedgerOptions.ImportPageSize</c> lines,
    /// at most 32 Mi characters), whatever its size. Every line's form is checked first, writing nothing: a malformed
    /// file throws <see cref="AuditImportException"/> with its bad line numbers and writes nothing. Then the file is read
    /// again a page at a time: each page's lines are checked in order by the rules of live history
    /// (<see cref="HistoryRules"/>: tokens T1, T2, T4, T10; seats S1, S4, A6; counts S2; the tenant's own tokens X2) on
    /// the facts the pages before it committed, and committed in one transaction. The first line that no live command
    /// could have produced is refused, typed, in <see cref="ImportResult.Rejection"/>: nothing of its page or after it is
    /// written, the pages before it stay. Each line has an import key (its <c>id</c>, or the SHA-256 of its content),
    /// stored under a unique key in the same transaction as its event, so importing the same file again writes nothing,
    /// and importing it again after a crash, a cancellation or a refusal resumes with the lines not committed. When the
    /// task completes with no refusal the imported events are durable. Thread-safe; a page that races a live command on
    /// the same streams is checked again on fresh facts.
    /// </summary>
    /// <param name="ndjson">The file; read twice (from its position when it can seek, else from a temporary copy made as it is read), not closed.</param>
    /// <param name="actor">Who imports; needs <see cref="Permissions.ImportHistory"/>. Recorded as the actor of lines that name none.</param>
    /// <param name="cancellationToken">Cancels between pages (or before a page's commit); the pages committed stay, and running the file again resumes.</param>
    /// <returns>The counts, or the refusal (with the lines committed before the refused line's page).</returns>
    /// <exception cref="AuditImportException">A line is malformed; nothing was written.</exception>
    Task<ImportResult> ImportAsync(Stream ndjson, Actor actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Seals what can be sealed now (see <see cref="SealAsync"/>), then recomputes the tenant's hash chain from the
    /// log (<c>mt_events</c>), the audit rows and the stored links, in log order, and reports the first event, row or
    /// link that does not match, named by kind (<see cref="ChainMismatchKind"/>): an event changed, deleted or
    /// inserted, an audit row changed, deleted or inserted, a link changed or removed, the tail truncated. Streams:
    /// memory does not grow with the log.
    /// </summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    Task<ChainVerification> VerifyChainAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The same, and also checks that the chain still extends <paramref name="recordedHead"/>, a head the host read
    /// earlier (from <see cref="ChainVerification.Head"/> or <c>vppledger audit verify</c>) and stored outside the
    /// database: the link at its position must still have its hash. This is what detects a truncated tail.
    /// </summary>
    /// <param name="recordedHead">The head recorded earlier, or null.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    Task<ChainVerification> VerifyChainAsync(ChainHead? recordedHead, CancellationToken cancellationToken = default);

    /// <summary>
    /// Seals the log as far as is safe now: links every event of the gap-free prefix of the log (every tenant's,
    /// in log order) into its tenant's chain, in pages, outside any command's transaction. Never seals past a sequence
    /// number that a still-open transaction may yet fill. Thread-safe; concurrent calls (and other processes) take
    /// turns. Returns this tenant's sealed head and unsealed tail.
    /// </summary>
    /// <param name="cancellationToken">Cancels between pages.</param>
    Task<SealStatus> SealAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until every event of this tenant committed before the call is sealed (sealing itself, page by page, and
    /// waiting for open transactions below a gap to end), then returns the sealed head.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task<SealStatus> WaitForSealAsync(CancellationToken cancellationToken = default);

    /// <summary>The tenant's sealed head and how many of its events are not sealed yet, without sealing.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<SealStatus> SealStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the audit rows of a business-time range, in log order, as NDJSON or CSV, streamed (bounded memory). The stream is flushed, not closed.</summary>
    /// <param name="output">Where to write (UTF-8, no byte order mark).</param>
    /// <param name="format">NDJSON or CSV.</param>
    /// <param name="from">Only rows that occurred at or after this instant, when given.</param>
    /// <param name="to">Only rows that occurred before this instant, when given.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>How many rows were written.</returns>
    Task<long> ExportAsync(Stream output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default);

    /// <summary>The same as <see cref="ExportAsync(Stream, AuditExportFormat, Instant?, Instant?, CancellationToken)"/>, to a text writer (flushed, not closed).</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="format">NDJSON or CSV.</param>
    /// <param name="from">Only rows that occurred at or after this instant, when given.</param>
    /// <param name="to">Only rows that occurred before this instant, when given.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>How many rows were written.</returns>
    Task<long> ExportAsync(TextWriter output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default);
}

/// <summary>The file formats of an audit export.</summary>
public enum AuditExportFormat
{
    /// <summary>One JSON object per line (see docs/audit.md for the fields).</summary>
    Ndjson = 0,

    /// <summary>Comma-separated values with a header line, RFC 4180 quoting.</summary>
    Csv = 1,
}

/// <summary>Filters of <see cref="ITenantAudit.HistoryAsync"/>; every given filter must match.</summary>
public sealed record AuditQuery
{
    /// <summary>Only rows of this holder (matched by its pseudonymous id).</summary>
    public Holder? Holder { get; init; }

    /// <summary>Only rows of this app, under any token.</summary>
    public AdamId? App { get; init; }

    /// <summary>Only rows of this token.</summary>
    public TokenId? Token { get; init; }

    /// <summary>Only rows that occurred at or after this business instant.</summary>
    public Instant? From { get; init; }

    /// <summary>Only rows that occurred before this business instant.</summary>
    public Instant? To { get; init; }
}

/// <summary>
/// One row of the audit table: one event of the log, with what an auditor asks about it (rule I1). Holders appear
/// only by a pseudonymous id (<see cref="AuditPseudonym"/>), never by Apple ID or serial number.
/// </summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Sequence">The event's global sequence in the log.</param>
/// <param name="Stream">The stream id.</param>
/// <param name="Version">The event's version in its stream.</param>
/// <param name="EventName">The stable event name, for example <c>vpp.pool.license_granted.v1</c>.</param>
/// <param name="OccurredAt">Business time (the event's own OccurredAt, microsecond precision).</param>
/// <param name="Token">The token, when the event concerns one.</param>
/// <param name="AdamId">The app, when the event concerns one.</param>
/// <param name="HolderKind"><c>user.personal</c>, <c>user.managed</c>, <c>device</c> or, for directory rows, <c>user</c>.</param>
/// <param name="HolderId">The pseudonymous holder id, when the event concerns one holder.</param>
/// <param name="QueuePosition">The queue position of a queued holder (rule A6).</param>
/// <param name="Action">What happened, for example <c>license_granted</c>.</param>
/// <param name="Reason">Why, for example <c>NoLongerTargeted</c>, or a short detail.</param>
/// <param name="Rule">The rule id that decided it, for example <c>R4</c>.</param>
/// <param name="Actor">Who issued the command (the event's user name metadata).</param>
/// <param name="CorrelationId">The command id that wrote the event.</param>
/// <param name="CausationId">What caused it (the command id).</param>
/// <param name="ChainPosition">The row's place in the tenant's hash chain.</param>
/// <param name="Hash">The row's chain hash, lower-case hex.</param>
public sealed record AuditEntry(
    string Tenant,
    long Sequence,
    string Stream,
    long Version,
    string EventName,
    Instant OccurredAt,
    string? Token,
    string? AdamId,
    string? HolderKind,
    string? HolderId,
    long? QueuePosition,
    string Action,
    string? Reason,
    string? Rule,
    string? Actor,
    string? CorrelationId,
    string? CausationId,
    long? ChainPosition,
    string? Hash);

/// <summary>A pool as it stood at an instant.</summary>
/// <param name="AsOf">The business instant.</param>
/// <param name="Summary">Its counts (S1), queue length (A6), over-allocation (S4), drift (S2).</param>
/// <param name="Holders">Every holder of a license, ordered by key.</param>
/// <param name="Queue">The queue, oldest first.</param>
/// <param name="EventCount">How many of the pool's events were folded.</param>
public sealed record PoolPosition(Instant AsOf, Reading.PoolSummary Summary, IReadOnlyList<Holder> Holders, IReadOnlyList<Pools.QueuedHolder> Queue, long EventCount)
{
    /// <summary>
    /// The sealed chain link covered by the pool's checkpoint the answer started from (docs/audit.md "Checkpoints"):
    /// the answer is the pool's book at that link plus <see cref="FoldedEventCount"/> later events. Null when folded
    /// from the pool's first event.
    /// </summary>
    public ChainHead? Checkpoint { get; init; }

    /// <summary>Events of the pool read and folded after the checkpoint (all of them when <see cref="Checkpoint"/> is null).</summary>
    public long FoldedEventCount { get; init; }
}

/// <summary>A token as it stood at an instant.</summary>
/// <param name="AsOf">The business instant.</param>
/// <param name="Summary">The token as a person saw it then (status computed at <paramref name="AsOf"/>).</param>
/// <param name="EventCount">How many of the token's events were folded.</param>
public sealed record TokenPosition(Instant AsOf, Reading.TokenSummary Summary, long EventCount);

/// <summary>A holder's seat in one pool at an instant.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Status">Granted or queued.</param>
/// <param name="QueuePosition">The queue position when queued, else 0.</param>
/// <param name="Since">When the holder got that seat.</param>
public sealed record HolderSeatAsOf(PoolId Pool, Pools.SeatStatus Status, long QueuePosition, Instant Since);

/// <summary>Where a holder stood at an instant.</summary>
/// <param name="AsOf">The business instant.</param>
/// <param name="Holder">The holder.</param>
/// <param name="Seats">Granted and queued seats, ordered by pool.</param>
public sealed record HolderPosition(Instant AsOf, Holder Holder, IReadOnlyList<HolderSeatAsOf> Seats);

/// <summary>What changed between two business instants, with the positions at both ends.</summary>
/// <typeparam name="TPosition">A pool's or a holder's position.</typeparam>
/// <param name="From">The earlier instant.</param>
/// <param name="To">The later instant.</param>
/// <param name="Start">The position as of <paramref name="From"/>; null when nothing had occurred by then.</param>
/// <param name="End">The position as of <paramref name="To"/>.</param>
/// <param name="Changes">The audit rows whose business time lies in <c>(From, To]</c>, in log order; read from the database when enumerated, once.</param>
public sealed record AuditRange<TPosition>(Instant From, Instant To, TPosition? Start, TPosition? End, IAsyncEnumerable<AuditEntry> Changes)
    where TPosition : class;

/// <summary>A whole tenant at an instant.</summary>
/// <param name="AsOf">The business instant.</param>
/// <param name="Pools">Every pool's counters, ordered by token and app.</param>
/// <param name="Tokens">Every token uploaded by then, ordered by id.</param>
/// <param name="EventCount">How many pool and token events were folded.</param>
public sealed record TenantPosition(Instant AsOf, IReadOnlyList<Reading.PoolSummary> Pools, IReadOnlyList<Reading.TokenSummary> Tokens, long EventCount)
{
    /// <summary>
    /// The sealed chain link covered by the checkpoint the answer started from (docs/audit.md "Checkpoints"): the
    /// answer is that link's state plus <see cref="FoldedEventCount"/> later events. Null when folded from the beginning.
    /// </summary>
    public ChainHead? Checkpoint { get; init; }

    /// <summary>Events read and folded after the checkpoint (all of them when <see cref="Checkpoint"/> is null).</summary>
    public long FoldedEventCount { get; init; }
}

/// <summary>One step of an explanation: an event that changed the holder's seat, and the rule that decided it.</summary>
/// <param name="At">Business time of the event.</param>
/// <param name="Version">The event's version in the pool stream.</param>
/// <param name="EventName">The stable event name.</param>
/// <param name="Rule">The rule id recorded on the event.</param>
/// <param name="Sentence">What happened, in one sentence.</param>
public sealed record ExplanationStep(Instant At, long Version, string EventName, string? Rule, string Sentence);

/// <summary>Why a holder has, or has not, a license of a pool at an instant.</summary>
/// <param name="Holder">The holder.</param>
/// <param name="Pool">The pool.</param>
/// <param name="AsOf">The business instant.</param>
/// <param name="Status">Granted, queued or none at <paramref name="AsOf"/>.</param>
/// <param name="QueuePosition">The queue position when queued, else 0.</param>
/// <param name="Steps">The events that moved the holder, oldest first.</param>
/// <param name="Summary">One paragraph for a person.</param>
public sealed record LicenseExplanation(
    Holder Holder,
    PoolId Pool,
    Instant AsOf,
    Pools.SeatStatus Status,
    long QueuePosition,
    IReadOnlyList<ExplanationStep> Steps,
    string Summary)
{
    /// <summary>True when the holder held a license at <see cref="AsOf"/>.</summary>
    public bool HasLicense => Status == Pools.SeatStatus.Granted;
}

/// <summary>What an import did.</summary>
/// <param name="LineCount">Lines with an event read from the file.</param>
/// <param name="ImportedCount">Events appended.</param>
/// <param name="AlreadyImportedCount">Lines whose import key was already stored: nothing written for them (rule I4).</param>
public sealed record ImportResult(int LineCount, int ImportedCount, int AlreadyImportedCount)
{
    /// <summary>
    /// Why the import was refused, naming the first line that breaks a rule and the rule; null when it was applied.
    /// Nothing of the refused line's page or after it was written; the pages before it were (<see cref="ImportedCount"/>),
    /// and importing the corrected file again resumes after them. A file of one page wrote nothing.
    /// </summary>
    public ImportRejection? Rejection { get; init; }

    /// <summary>True unless refused.</summary>
    public bool Succeeded => Rejection is null;
}

/// <summary>One malformed line of an import file.</summary>
/// <param name="Line">The 1-based line number.</param>
/// <param name="Message">What is wrong with it and what to do.</param>
public sealed record ImportLineError(int Line, string Message);

/// <summary>An import file had malformed lines; nothing was written.</summary>
public sealed class AuditImportException : Exception
{
    /// <summary>Creates the exception for these lines.</summary>
    /// <param name="errors">Every malformed line, in file order.</param>
    public AuditImportException(IReadOnlyList<ImportLineError> errors)
        : base(Describe(errors)) => Errors = errors;

    /// <summary>Creates the exception with a message only (serializers and tests).</summary>
    public AuditImportException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public AuditImportException(string message)
        : base(message) => Errors = [];

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AuditImportException(string message, Exception innerException)
        : base(message, innerException) => Errors = [];

    /// <summary>Every malformed line, in file order.</summary>
    public IReadOnlyList<ImportLineError> Errors { get; }

    private static string Describe(IReadOnlyList<ImportLineError> errors) =>
        errors.Count == 0
            ? "The import file is malformed; nothing was imported."
            : $"The import file has {errors.Count} malformed line(s); nothing was imported. First: line {errors[0].Line}: {errors[0].Message}";
}

/// <summary>How far a rebuild has gone. The log is read once for every projection, so progress is counted in events.</summary>
/// <param name="Projection">What is rebuilt: every projection at once, in one pass over the log.</param>
/// <param name="Done">0 while the pass runs, 1 once every projection is rebuilt.</param>
/// <param name="Total">1.</param>
public sealed record RebuildProgress(string Projection, int Done, int Total)
{
    /// <summary>Events of the log read and applied to every projection so far (including those of a resumed rebuild's earlier run); reported once per page.</summary>
    public long EventsDone { get; init; }

    /// <summary>Events in the log when the rebuild started (each is read once).</summary>
    public long EventsTotal { get; init; }
}
