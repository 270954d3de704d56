using Marten;
using Npgsql;
using NpgsqlTypes;
using VppLedger.Audit;

namespace VppLedger.Storage;

/// <summary>
/// Links the events of the log into their tenants' hash chains (rule I1), outside every command's transaction, in
/// pages, one set-based INSERT per page, over the gap-free prefix of the log only.
/// <para>
/// Why it never skips an event that commits late. Sequence numbers are taken by <c>nextval</c> inside the writing
/// transaction and become visible at its commit, so the log can show a gap: a number taken by a transaction that
/// is still open (it will fill it) or by one that rolled back (it never will). The sealer seals up to the first gap.
/// A gap below a visible event was taken before that event's number, hence before the moment the sealer saw the gap
/// (<c>clock_timestamp()</c> in the statement that read the page, whose snapshot already showed the later event):
/// the transaction that took it began before that moment. The gap is declared dead only when, after that moment, no
/// client transaction of this database that began at or before it is still open (<c>pg_stat_activity.xact_start</c>;
/// this covers a transaction that called <c>nextval</c> and has no transaction id yet), no transaction id older
/// than that snapshot's <c>xmax</c> is still in progress (<c>pg_snapshot_xip</c>, visible to every role), and a
/// fresh read still does not show the number. Then its transaction has ended without the event: it rolled back.
/// This is the same argument as Marten's gap liveness probe of its high-water detection, without its timeout: the
/// sealer waits, it never skips on time. The lag is therefore bounded by the sealer's interval plus the longest
/// transaction open when a gap is seen (commands are short; a long-running transaction of the host delays sealing,
/// it never breaks it). In a database where writers run under other roles, give the ledger's role
/// <c>pg_read_all_stats</c> so that their <c>xact_start</c> is visible.
/// </para>
/// </summary>
internal sealed class AuditSealer
{
    /// <summary>Events read and linked per page (one transaction each).</summary>
    public const int PageSize = 5000;

    private readonly Marten.Storage.IMartenDatabase _database;
    private readonly string _schema;
    private readonly string[] _ledgerTypes;
    private readonly long _lockKey;
    private readonly VppLedgerOptions _options;

    // Each tenant's running fold for its checkpoints, valid through _checkpointsThrough (the watermark this sealer
    // last wrote); dropped whenever another sealer moved the watermark or a page failed, and loaded again from the
    // tenant's latest checkpoint plus the sealed events after it.
    private readonly Dictionary<string, TenantCheckpointer> _checkpointers = new(StringComparer.Ordinal);
    private long _checkpointsThrough = -1;

    // The database's numbering (several databases), once the schema step set it: it never changes afterwards.
    private SequenceRanges.Range? _range;
    private long _checkpointTicks;

    /// <summary>A sealer of one database: each database holds its own log, chain and checkpoints (docs/scale-out.md).</summary>
    public AuditSealer(Marten.Storage.IMartenDatabase database, VppLedgerOptions options)
    {
        _database = database;
        _options = options;
        var schema = options.SchemaName;
        _schema = schema;
        Checkpoints = new CheckpointStore(schema, options.CheckpointFullEvery);
        _ledgerTypes = [.. EventNames.All.Select(e => e.Name)];
        _lockKey = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(schema + ".vpp_audit_seal")), 0);
    }

    /// <summary>The checkpoints of positions this sealer writes.</summary>
    public CheckpointStore Checkpoints { get; }

    /// <summary>Where this database's seals and rebuilds spend their time, step by step (the scale generator reports it).</summary>
    public StepMeter Meter { get; } = new();

    /// <summary>Time this sealer spent folding pages into checkpoints and writing them, in the pages' transactions, since it was created (the scale generator reports it).</summary>
    public TimeSpan CheckpointTime => TimeSpan.FromTicks(Interlocked.Read(ref _checkpointTicks));

    /// <summary>The event type names that belong to the chain (every ledger event).</summary>
    public IReadOnlyList<string> LedgerTypes => _ledgerTypes;

    /// <summary>
    /// Seals as far as is safe now, page after page. Returns the global sequence through which the log is sealed,
    /// and whether it stopped before the visible end (a gap that an open transaction may still fill, or another sealer).
    /// With <paramref name="waitForTurn"/> (every caller but the background loop) a call made while another sealer
    /// works waits for it to finish and then seals what is left, so that what was committed before the call is
    /// sealed when it returns (unless an open transaction holds a gap below it); without, it returns at once.
    /// </summary>
    public async Task<(long SealedThrough, bool Blocked)> SealAsync(CancellationToken cancellationToken, bool waitForTurn = true)
    {
        await using var connection = _database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"insert into {AuditSchema.Seal(_schema)} (id, sealed_seq, sealed_at) values (1, 0, now()) on conflict do nothing", cancellationToken).ConfigureAwait(false);
        await using (var takeLock = new NpgsqlCommand(waitForTurn ? "select true from (select pg_advisory_lock(@k)) turn" : "select pg_try_advisory_lock(@k)", connection))
        {
            takeLock.Parameters.AddWithValue("k", _lockKey);

            // Waiting for another sealer's turn lasts as long as its backlog (minutes after a bulk load of millions of
            // events), not as long as a statement: no command timeout, the caller's token ends the wait. With Npgsql's
            // 30 s default a host waiting for the seal after a large load got "database unavailable".
            takeLock.CommandTimeout = waitForTurn ? 0 : takeLock.CommandTimeout;
            if (!(bool)(await takeLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return (await SealedThroughAsync(connection, cancellationToken).ConfigureAwait(false), true);
            }
        }

        try
        {
            while (true)
            {
                var (sealedThrough, more, blocked) = await SealPageAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!more)
                {
                    return (sealedThrough, blocked);
                }
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(@k)", connection);
            unlock.Parameters.AddWithValue("k", _lockKey);
            await unlock.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async Task<long> SealedThroughAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select coalesce((select sealed_seq from {AuditSchema.Seal(_schema)} where id = 1), 0)", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // Chained: the event already has its chain row (a tenant moved here from another database arrives sealed, with its
    // chain, its events keeping their sequence numbers): it counts for the gap-free prefix and is not linked again.
    private sealed record PageRow(long Seq, string Tenant, string Stream, long Version, bool Ledger, byte[]? EventHash, string? RowCanonical, string Type, string? Data, bool Chained = false);

    private async Task<(long SealedThrough, bool More, bool Blocked)> SealPageAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var sealedThrough = await SealedThroughAsync(connection, cancellationToken).ConfigureAwait(false);

        // One statement: the page, and the moment and xmax of its snapshot (for the gap probe below).
        var rows = new List<PageRow>(PageSize);
        DateTime observed = default;
        long xmax = 0;
        var reading = Meter.Measure("seal: read page (hashes, canonical rows)");
        // The page first, then its audit row and its link (if any) looked up per event: a join over the whole tables
        // let PostgreSQL merge from the tenant's first row (the audit rows) or hash the whole chain, every page, so
        // that each page cost O(log) and sealing a large backlog O(log²) (issue 11: the sealer fell behind a bulk
        // load). 'offset 0' keeps each lookup a parameterized index probe: O(page) whatever the statistics say.
        await using (var read = new NpgsqlCommand(
            $"with page as materialized (select * from {SchemaNames.Quote(_schema)}.mt_events e where e.seq_id > @from order by e.seq_id limit @page) "
            + "select e.seq_id, e.tenant_id, e.stream_id, e.version, e.type = any(@types), "
            + $"case when e.type = any(@types) then {AuditSchema.EventHashSql("e")} end, "
            + $"case when a.seq is not null then {AuditSchema.RowCanonicalSql("a")} end, "
            + "clock_timestamp(), pg_snapshot_xmax(pg_current_snapshot())::text::bigint, "
            + "e.type, case when e.type = any(@folded) then e.data::text end, "
            + "c.seq is not null "
            + $"from page e left join lateral (select * from {AuditSchema.Qualified(_schema)} a where a.tenant_id = e.tenant_id and a.seq = e.seq_id offset 0) a on true "
            + $"left join lateral (select c.seq from {AuditSchema.Chain(_schema)} c where c.tenant_id = e.tenant_id and c.seq = e.seq_id offset 0) c on true "
            + "order by e.seq_id",
            connection))
        {
            read.Parameters.AddWithValue("types", _ledgerTypes);
            read.Parameters.AddWithValue("folded", _options.BuildCheckpoints ? CheckpointStore.PoolAndTokenNames : Array.Empty<string>());
            read.Parameters.AddWithValue("from", sealedThrough);
            read.Parameters.AddWithValue("page", PageSize);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new PageRow(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetInt64(3),
                    reader.GetBoolean(4),
                    reader.IsDBNull(5) ? null : (byte[])reader[5],
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetString(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10),
                    reader.GetBoolean(11)));
                observed = reader.GetDateTime(7);
                xmax = reader.GetInt64(8);
            }
        }

        reading.Dispose();
        Meter.Count("seal: read page (hashes, canonical rows)", rows.Count);
        if (rows.Count == 0)
        {
            return (sealedThrough, false, false);
        }

        // The gap-free prefix: stop at the first missing number unless every gap of the page is proven dead.
        var ceiling = rows[^1].Seq;
        if (_range is null && _options.Databases.IsMultiple)
        {
            _range = await SequenceRanges.LoadAsync(connection, _schema, cancellationToken).ConfigureAwait(false);
        }

        var firstGap = FirstGap(rows, sealedThrough, _range);
        var blocked = false;
        if (firstGap is { } gap)
        {
            using var probe = Meter.Measure("seal: gap probe");
            if (!await GapsAreDeadAsync(connection, observed, xmax, sealedThrough, ceiling, rows.Count, cancellationToken).ConfigureAwait(false))
            {
                ceiling = gap - 1;
                blocked = true;
            }
        }

        var sealable = rows.Where(r => r.Seq <= ceiling).ToList();
        if (sealable.Count == 0)
        {
            return (sealedThrough, false, true);
        }

        if (sealable.FirstOrDefault(r => r.Ledger && !r.Chained && r.RowCanonical is null) is { } missing)
        {
            throw new InvalidOperationException(
                $"Event {missing.Seq} ({missing.Stream} v{missing.Version}) of tenant {missing.Tenant} has no audit row, so it cannot be sealed. Run RebuildAsync (vppledger rebuild) to rebuild the audit rows from the log.");
        }

        await WriteAsync(connection, sealable.Where(r => r.Ledger && !r.Chained).ToList(), ceiling, sealedThrough, cancellationToken).ConfigureAwait(false);
        return (ceiling, !blocked && rows.Count == PageSize, blocked);
    }

    // The first number after the watermark that this database can still make and the page does not show. With a range
    // (several databases, SequenceRanges) that is the next number of its own residue; a number of another residue is a
    // copied event (a moved tenant's, chained already), never one an open transaction of this database may still fill.
    private static long? FirstGap(List<PageRow> rows, long sealedThrough, SequenceRanges.Range? range)
    {
        var expected = range?.NextAfter(sealedThrough) ?? sealedThrough + 1;
        foreach (var r in rows)
        {
            if (r.Seq > expected)
            {
                return expected;
            }

            if (r.Seq == expected)
            {
                expected = range?.NextAfter(r.Seq) ?? r.Seq + 1;
            }
        }

        return null;
    }

    private async Task<bool> GapsAreDeadAsync(NpgsqlConnection connection, DateTime observed, long xmax, long after, long through, int seen, CancellationToken cancellationToken)
    {
        await using var probe = new NpgsqlCommand(
            "select (select count(*) from pg_stat_activity a where a.datname = current_database() and a.pid <> pg_backend_pid() "
            + "and a.backend_type = 'client backend' and a.xact_start is not null and a.xact_start <= @observed) "
            + "+ (select count(*) from pg_snapshot_xip(pg_current_snapshot()) x where x::text::bigint < @xmax)",
            connection);
        probe.Parameters.AddWithValue("observed", NpgsqlDbType.TimestampTz, DateTime.SpecifyKind(observed, DateTimeKind.Utc));
        probe.Parameters.AddWithValue("xmax", xmax);
        var open = (long)(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (open > 0)
        {
            return false;
        }

        // Every transaction that may have taken a missing number has ended: a fresh read shows whether one committed.
        await using var recount = new NpgsqlCommand($"select count(*) from {SchemaNames.Quote(_schema)}.mt_events where seq_id > @after and seq_id <= @through", connection);
        recount.Parameters.AddWithValue("after", after);
        recount.Parameters.AddWithValue("through", through);
        return (long)(await recount.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == seen;
    }

    private async Task WriteAsync(NpgsqlConnection connection, List<PageRow> rows, long ceiling, long sealedThrough, CancellationToken cancellationToken)
    {
        var tenants = rows.Select(r => r.Tenant).Distinct(StringComparer.Ordinal).ToArray();
        var heads = new Dictionary<string, (long Position, byte[] Hash)>(StringComparer.Ordinal);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (tenants.Length > 0)
        {
            using var loadHeads = Meter.Measure("seal: load heads");
            await using var load = new NpgsqlCommand($"select tenant_id, chain_position, hash from {AuditSchema.Head(_schema)} where tenant_id = any(@t)", connection, transaction);
            load.Parameters.AddWithValue("t", tenants);
            await using var reader = await load.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                heads[reader.GetString(0)] = (reader.GetInt64(1), (byte[])reader[2]);
            }
        }

        var n = rows.Count;
        var tenant = new string[n];
        var position = new long[n];
        var seq = new long[n];
        var stream = new string[n];
        var version = new long[n];
        var eventHash = new byte[n][];
        var prev = new byte[]?[n];
        var hash = new byte[n][];
        var headSeq = new Dictionary<string, long>(StringComparer.Ordinal);
        var folded = new List<(PageRow Row, long Position, byte[] Hash)>();
        var linking = Meter.Measure("seal: link (SHA-256)", n);
        for (var i = 0; i < n; i++)
        {
            var r = rows[i];
            var (p, h) = heads.TryGetValue(r.Tenant, out var head) ? head : (0L, []);
            var next = p + 1;
            var link = AuditChain.Link(h, r.EventHash!, r.RowCanonical!, next);
            tenant[i] = r.Tenant;
            position[i] = next;
            seq[i] = r.Seq;
            stream[i] = r.Stream;
            version[i] = r.Version;
            eventHash[i] = r.EventHash!;
            prev[i] = p == 0 ? null : h;
            hash[i] = link;
            heads[r.Tenant] = (next, link);
            headSeq[r.Tenant] = r.Seq;
            if (r.Data is not null)
            {
                folded.Add((r, next, link));
            }
        }

        linking.Dispose();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var checkpointing = Meter.Measure("seal: checkpoints (read, fold, write)", folded.Count);
            if (_options.BuildCheckpoints)
            {
                await CheckpointAsync(connection, transaction, folded, sealedThrough, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            ForgetCheckpointers();
            throw;
        }
        finally
        {
            Interlocked.Add(ref _checkpointTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        }

        var writing = Meter.Measure("seal: write links, heads, watermark, commit", n);
        if (n > 0)
        {
            await using var insert = new NpgsqlCommand(
                $"insert into {AuditSchema.Chain(_schema)} (tenant_id, chain_position, seq, stream, version, event_hash, prev_hash, hash) "
                + "select * from unnest(@tenant, @position, @seq, @stream, @version, @event_hash, @prev, @hash)",
                connection, transaction);
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("position", position);
            insert.Parameters.AddWithValue("seq", seq);
            insert.Parameters.AddWithValue("stream", stream);
            insert.Parameters.AddWithValue("version", version);
            insert.Parameters.AddWithValue("event_hash", NpgsqlDbType.Array | NpgsqlDbType.Bytea, eventHash);
            insert.Parameters.AddWithValue("prev", NpgsqlDbType.Array | NpgsqlDbType.Bytea, prev);
            insert.Parameters.AddWithValue("hash", NpgsqlDbType.Array | NpgsqlDbType.Bytea, hash);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            var moved = headSeq.Keys.ToArray();
            await using var upsert = new NpgsqlCommand(
                $"insert into {AuditSchema.Head(_schema)} (tenant_id, chain_position, seq, hash, sealed_at) "
                + "select t, p, s, h, now() from unnest(@t, @p, @s, @h) as u(t, p, s, h) "
                + "on conflict (tenant_id) do update set chain_position = excluded.chain_position, seq = excluded.seq, hash = excluded.hash, sealed_at = excluded.sealed_at",
                connection, transaction);
            upsert.Parameters.AddWithValue("t", moved);
            upsert.Parameters.AddWithValue("p", moved.Select(t => heads[t].Position).ToArray());
            upsert.Parameters.AddWithValue("s", moved.Select(t => headSeq[t]).ToArray());
            upsert.Parameters.AddWithValue("h", NpgsqlDbType.Array | NpgsqlDbType.Bytea, moved.Select(t => heads[t].Hash).ToArray());
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var mark = new NpgsqlCommand($"update {AuditSchema.Seal(_schema)} set sealed_seq = @to, sealed_at = now() where id = 1 and sealed_seq = @from", connection, transaction))
        {
            mark.Parameters.AddWithValue("to", ceiling);
            mark.Parameters.AddWithValue("from", sealedThrough);
            if (await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new InvalidOperationException("Another sealer moved the seal watermark while this one held the sealer lock; nothing was written.");
            }
        }

        try
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ForgetCheckpointers();
            throw;
        }
        finally
        {
            writing.Dispose();
        }

        _checkpointsThrough = ceiling;
    }

    /// <summary>
    /// Removes the tenant checkpoints of earlier versions (<see cref="AuditSchema.DropLegacyCheckpointsSql"/>) while
    /// holding the sealer's lock, and forgets this sealer's running folds with them, so that no page cuts a checkpoint
    /// on a state that is gone. Checkpoints derive from the sealed log: the next seal of a tenant folds its log again
    /// from the beginning and writes them, <c>RebuildAsync</c> writes them all; meanwhile an as-of answer folds from
    /// further back, with the same result.
    /// </summary>
    public async Task DropLegacyCheckpointsAsync(CancellationToken cancellationToken)
    {
        await using var connection = _database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var held = await HoldLockAsync(connection, cancellationToken).ConfigureAwait(false);

        try
        {
            await ExecuteAsync(connection, AuditSchema.DropLegacyCheckpointsSql(_schema), cancellationToken).ConfigureAwait(false);
            ForgetCheckpointers();
        }
        finally
        {
            await held.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal void ForgetCheckpointers()
    {
        _checkpointers.Clear();
        _checkpointsThrough = -1;
    }

    // Folds the page's pool and token events into their tenants' checkpointers and writes the checkpoints they cut,
    // in the page's transaction: a checkpoint is committed with the links it covers, or not at all.
    private async Task CheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(PageRow Row, long Position, byte[] Hash)> folded, long sealedThrough, CancellationToken cancellationToken)
    {
        if (_checkpointsThrough != sealedThrough)
        {
            ForgetCheckpointers();
        }

        var cuts = new List<(string Tenant, string Scope, Checkpoint Checkpoint)>();
        var books = new List<(string Tenant, string Stream, long Seq, long Position, byte[] Hash)>();
        long deserializing = 0;
        foreach (var (row, position, hash) in folded)
        {
            if (!_checkpointers.TryGetValue(row.Tenant, out var checkpointer))
            {
                using var reload = Meter.Measure("seal: checkpoints: reload a tenant's fold");
                checkpointer = await LoadCheckpointerAsync(connection, row.Tenant, sealedThrough, cuts, cancellationToken).ConfigureAwait(false);
                _checkpointers[row.Tenant] = checkpointer;
            }

            var reading = System.Diagnostics.Stopwatch.GetTimestamp();
            var read = CheckpointStore.Read(row.Type, row.Data!);
            deserializing += System.Diagnostics.Stopwatch.GetTimestamp() - reading;
            if (read is { } e)
            {
                cuts.AddRange(checkpointer.Apply(row.Seq, position, hash, row.Stream, e).Select(c => (row.Tenant, "", c)));
                if (checkpointer.PoolBookDue(row.Stream))
                {
                    books.Add((row.Tenant, row.Stream, row.Seq, position, hash));
                }
            }
        }

        Meter.Add("seal: checkpoints: deserialize (elapsed only)", deserializing, folded.Count);
        using var write = Meter.Measure("seal: checkpoints: write", cuts.Count);
        await Checkpoints.WriteAsync(connection, transaction, cuts, cancellationToken).ConfigureAwait(false);
        foreach (var b in books)
        {
            await Checkpoints.CheckpointPoolAsync(connection, transaction, b.Tenant, b.Stream, b.Seq, b.Position, b.Hash, cancellationToken).ConfigureAwait(false);
        }
    }

    internal TenantCheckpointer NewCheckpointer(CheckpointState? from) =>
        new(_options.CheckpointEveryEvents, NodaTime.Duration.FromTimeSpan(_options.CheckpointPeriod), Checkpoints.FullEveryCuts, from);

    // A tenant's running fold: its latest checkpoint, then its sealed events after it (whose pool book checkpoints
    // the sealer that sealed them wrote already).
    internal async Task<TenantCheckpointer> LoadCheckpointerAsync(
        NpgsqlConnection connection,
        string tenant,
        long sealedThrough,
        List<(string Tenant, string Scope, Checkpoint Checkpoint)> cuts,
        CancellationToken cancellationToken)
    {
        var state = await Checkpoints.LoadAsync(connection, tenant, "", null, cancellationToken).ConfigureAwait(false);
        var checkpointer = NewCheckpointer(state);
        var events = new List<CheckpointStore.FoldEvent>();
        await foreach (var e in Checkpoints.EventsAsync(connection, tenant, [(state?.Seq ?? 0, sealedThrough)], null, withLinks: true, cancellationToken).ConfigureAwait(false))
        {
            events.Add(e);
        }

        foreach (var e in events)
        {
            cuts.AddRange(checkpointer.Apply(e.Seq, e.ChainPosition, e.Hash!, e.Stream, e.Event).Select(c => (tenant, "", c)));
        }

        return checkpointer;
    }

    /// <summary>
    /// Writes every tenant's checkpoints again from the sealed log (part of <c>RebuildAsync</c>), or one tenant's
    /// (<paramref name="onlyTenant"/>, part of a tenant's rebuild: the others' are not touched), holding the sealer lock so
    /// that no seal runs meanwhile: the sealed pool and token events are read once, in log order, with their links, and
    /// the checkpoints written in batches.
    /// </summary>
    public async Task RebuildCheckpointsAsync(CancellationToken cancellationToken, string? onlyTenant = null)
    {
        await using var read = _database.CreateConnection();
        await read.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var write = _database.CreateConnection();
        await write.OpenAsync(cancellationToken).ConfigureAwait(false);
        var held = await HoldLockAsync(write, cancellationToken).ConfigureAwait(false);

        try
        {
            ForgetCheckpointers();
            if (onlyTenant is null)
            {
                await ExecuteAsync(write, $"truncate {AuditSchema.Checkpoint(_schema)}, {AuditSchema.CheckpointState(_schema)}, {AuditSchema.CheckpointBook(_schema)}", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await using var delete = new NpgsqlCommand(
                    $"delete from {AuditSchema.Checkpoint(_schema)} where tenant_id = @t; delete from {AuditSchema.CheckpointState(_schema)} where tenant_id = @t; "
                    + $"delete from {AuditSchema.CheckpointBook(_schema)} where tenant_id = @t",
                    write);
                delete.Parameters.AddWithValue("t", onlyTenant);
                await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var sealedThrough = await SealedThroughAsync(write, cancellationToken).ConfigureAwait(false);
            var checkpointers = new Dictionary<string, TenantCheckpointer>(StringComparer.Ordinal);
            var cuts = new List<(string Tenant, string Scope, Checkpoint Checkpoint)>();
            // The log in its order, each event's link looked up by key (a lateral subquery the planner cannot turn into a
            // hash join): rows stream from the first one. As a join the planner hashed the chain and sorted the whole log
            // first, and on the 5.2M-event tenant no row came within Npgsql's 30 s command timeout after a rebuild. A
            // long read by design: no command timeout, the caller's token ends it.
            await using var command = new NpgsqlCommand(
                $"select e.tenant_id, e.seq_id, e.stream_id, e.type, e.data::text, c.chain_position, c.hash from {SchemaNames.Quote(_schema)}.mt_events e "
                + $"cross join lateral (select c.chain_position, c.hash from {AuditSchema.Chain(_schema)} c where c.tenant_id = e.tenant_id and c.seq = e.seq_id offset 0) c "
                + $"where e.seq_id <= @through and e.type = any(@types) {(onlyTenant is null ? "" : "and e.tenant_id = @t ")}order by e.seq_id",
                read) { CommandTimeout = 0 };
            if (onlyTenant is not null)
            {
                command.Parameters.AddWithValue("t", onlyTenant);
            }

            command.Parameters.AddWithValue("through", sealedThrough);
            command.Parameters.AddWithValue("types", CheckpointStore.PoolAndTokenNames);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var tenant = reader.GetString(0);
                if (CheckpointStore.Read(reader.GetString(3), reader.GetString(4)) is not { } e)
                {
                    continue;
                }

                if (!checkpointers.TryGetValue(tenant, out var checkpointer))
                {
                    checkpointers[tenant] = checkpointer = NewCheckpointer(null);
                }

                var (seq, position, hash, stream) = (reader.GetInt64(1), reader.GetInt64(5), (byte[])reader[6], reader.GetString(2));
                cuts.AddRange(checkpointer.Apply(seq, position, hash, stream, e).Select(c => (tenant, "", c)));
                if (checkpointer.PoolBookDue(stream))
                {
                    await using var transaction = await write.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await Checkpoints.CheckpointPoolAsync(write, transaction, tenant, stream, seq, position, hash, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                if (cuts.Count >= 64)
                {
                    await WriteCheckpointsAsync(write, cuts, cancellationToken).ConfigureAwait(false);
                }
            }

            await WriteCheckpointsAsync(write, cuts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await held.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Takes the sealer's lock on the connection, waiting as long as another sealer's backlog lasts (no command timeout:
    // the caller's token ends the wait); disposing the handle releases it.
    internal async Task<IAsyncDisposable> HoldLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var takeLock = new NpgsqlCommand("select pg_advisory_lock(@k)", connection) { CommandTimeout = 0 };
        takeLock.Parameters.AddWithValue("k", _lockKey);
        await takeLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return new SealerLock(connection, _lockKey);
    }

    private sealed class SealerLock(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(@k)", connection);
            unlock.Parameters.AddWithValue("k", key);
            await unlock.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task WriteCheckpointsAsync(NpgsqlConnection connection, List<(string Tenant, string Scope, Checkpoint Checkpoint)> cuts, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await Checkpoints.WriteAsync(connection, transaction, cuts, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        cuts.Clear();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The sealer's background loop, owned by the ledger facade: started with it, stopped when it is disposed. Seals
/// every <see cref="VppLedgerOptions.SealInterval"/>; an error (for example the schema not applied yet) is kept for
/// <see cref="LastError"/> and retried at the next round.
/// </summary>
internal sealed partial class SealLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private long _caughtUpAt = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Seals every database the ledger has, each pass, all at once: a database that is down does not stop or delay the others.</summary>
    public SealLoop(Func<CancellationToken, Task<IReadOnlyList<AuditSealer>>> sealers, TimeSpan interval, string schema, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        LedgerDiagnostics.Track(this, schema);
        _loop = Task.Run(() => RunAsync(sealers, interval, _stop.Token));
    }

    /// <summary>The last failure of a pass (of any database), null once a pass sealed every database.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Seconds since a pass last sealed through the visible end of the log of every database.</summary>
    public double LagSeconds => System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _caughtUpAt)).TotalSeconds;

    private async Task RunAsync(Func<CancellationToken, Task<IReadOnlyList<AuditSealer>>> sealers, TimeSpan interval, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Exception? failed = null;
            var caughtUp = true;
            try
            {
                // Every database at once: one that does not answer (a connect timeout) delays no other database's seal.
                var rounds = (await sealers(stop).ConfigureAwait(false)).Select(async sealer =>
                {
                    try
                    {
                        var (_, blocked) = await sealer.SealAsync(stop, waitForTurn: false).ConfigureAwait(false); // a caller waiting for its turn seals what this pass skips
                        return (Blocked: blocked, Error: (Exception?)null);
                    }
                    catch (Exception e) when (e is NpgsqlException or InvalidOperationException or PostgresException)
                    {
                        return (Blocked: true, Error: e);
                    }
                });
                foreach (var (blocked, error) in await Task.WhenAll(rounds).ConfigureAwait(false))
                {
                    caughtUp &= !blocked;
                    failed ??= error;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            if (caughtUp)
            {
                Interlocked.Exchange(ref _caughtUpAt, System.Diagnostics.Stopwatch.GetTimestamp());
            }

            if (failed is null)
            {
                if (LastError is not null)
                {
                    SealRecovered(_logger);
                }
            }
            else if (LastError is null)
            {
                SealFailed(_logger, failed);
            }

            LastError = failed;

            try
            {
                await Task.Delay(interval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 20, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The background sealer failed and retries at its next round; new events wait to be linked into the chain")]
    private static partial void SealFailed(Microsoft.Extensions.Logging.ILogger logger, Exception error);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 21, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "The background sealer works again")]
    private static partial void SealRecovered(Microsoft.Extensions.Logging.ILogger logger);

    public async ValueTask DisposeAsync()
    {
        LedgerDiagnostics.Untrack(this);
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
