using JasperFx.Events;
using Marten;
using Newtonsoft.Json;
using Npgsql;
using VppLedger.Audit;

namespace VppLedger.Storage;

/// <summary>
/// Rebuilds every projection from the log (rule I2) in one pass: the log is read once, in pages in log order, and
/// each page is applied to every projection at once (the six write states, the seat and member rows, the audit rows)
/// in one transaction, which also records how far the rebuild got. A rebuild that stops (a crash, a cancellation)
/// resumes from that page when run again instead of starting over. The hash chain is not a projection: it is the
/// evidence that the log was not changed, so a rebuild keeps it and then seals what was not sealed yet; the
/// checkpoints of positions are folded in the same pass from the events sealed before it (<see cref="RebuildCheckpoints"/>). Rebuilt audit rows equal the live ones, so the
/// kept chain verifies over them; a changed event stays detected.
/// </summary>
internal static class AuditRebuild
{
    /// <summary>The name a rebuild's progress reports carry: there is one step.</summary>
    private const string OnePass = "every projection, one pass over the log";

    /// <summary>The type name Marten gives the placeholder rows it writes for failed appends.</summary>
    private const string Tombstone = "tombstone";

    private static readonly JsonSerializer Json = JsonSerializer.Create(NewtonsoftSerializer.CreateSettings());

    private static readonly Dictionary<string, Type> TypeByName = EventNames.All.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);

    private static readonly Type[] DocumentTypes =
        [typeof(TokenDoc), typeof(PoolDoc), typeof(AssignmentDoc), typeof(UserDoc), typeof(DeviceDoc), typeof(GroupDoc), typeof(SeatDoc), typeof(MemberDoc), typeof(ReleaseDoc),
         typeof(AppleSideDoc), typeof(AppleSeatDoc), typeof(AppleUserDoc), typeof(AppleNotificationDoc), typeof(FindingDoc)];

    /// <summary>
    /// Rebuilds one database (each holds its own log, projections and chain, docs/scale-out.md): the ledger runs it for
    /// every database in turn, and a rebuild that stopped resumes per database.
    /// </summary>
    public static async Task RunAsync(DocumentStore store, Marten.Storage.IMartenDatabase database, VppLedgerOptions options, AuditSealer sealer, IProgress<RebuildProgress>? progress, CancellationToken cancellationToken)
    {
        var schema = SchemaNames.Quote(options.SchemaName);
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            $"create table if not exists {schema}.vpp_rebuild (id int primary key, through_seq bigint not null, started_at timestamptz not null); "
            + $"create table if not exists {schema}.vpp_rebuild_index (name text primary key, ddl text not null); "
            + RebuildCheckpoints.PendingBooksDdl(options.SchemaName),
            cancellationToken).ConfigureAwait(false);
        var through = await ResumeFromAsync(connection, schema, cancellationToken).ConfigureAwait(false);

        var last = await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", cancellationToken).ConfigureAwait(false);
        var total = await ScalarAsync(connection, $"select count(*) from {schema}.mt_events", cancellationToken).ConfigureAwait(false);
        var read = (through ?? 0) == 0 ? 0 : await ScalarAsync(connection, $"select count(*) from {schema}.mt_events where seq_id <= {through}", cancellationToken).ConfigureAwait(false);
        var projections = new Projections(options.SchemaName);

        // The sealer's lock, from before the first delete until the books due are cut: no seal meanwhile writes a
        // checkpoint or looks for an audit row the rebuild deleted. The checkpoints of positions are folded in the pass.
        var checkpoints = await RebuildCheckpoints.BeginAsync(sealer, options.SchemaName, connection, null, through ?? 0, cancellationToken).ConfigureAwait(false);
        try
        {
            if (through is null)
            {
                // A fresh rebuild: nothing of the live state survives into the rebuilt one.
                foreach (var type in DocumentTypes)
                {
                    await database.DeleteDocumentsByTypeAsync(type, cancellationToken).ConfigureAwait(false);
                }

                // The audit and seat rows are written without their secondary indexes, which are built again, sorted, after
                // the last page (one row inserted into seven indexes, most of them random, was most of a page's server time).
                // Their definitions are kept in vpp_rebuild_index in the same transaction, so a rebuild resumed after a crash
                // builds them too. Primary keys and unique indexes stay: lookups by key and uniqueness never go away.
                await ExecuteAsync(
                    connection,
                    $"""
                    begin;
                    truncate {AuditSchema.Qualified(options.SchemaName)};
                    {RebuildCheckpoints.ClearSql(options.SchemaName, oneTenant: false)}
                    insert into {schema}.vpp_rebuild values (1, 0, now());
                    delete from {schema}.vpp_rebuild_index;
                    insert into {schema}.vpp_rebuild_index (name, ddl)
                      select i.indexname, i.indexdef from pg_indexes i join pg_index x on x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
                      where i.schemaname = {Literal(options.SchemaName)} and i.tablename in ({string.Join(", ", DeferredIndexTables.Select(Literal))}) and not x.indisunique;
                    {DropDeferredIndexesSql(schema)}
                    commit;
                    """,
                    cancellationToken).ConfigureAwait(false);
                through = 0;
            }

            // With RebuildReadAhead the next page is read and deserialized (on this connection) while the current one is
            // folded and written (on the session's): the log is not a projection, so reading ahead never sees a page's own
            // writes. Without, it is read after the current page is committed.
            Task<Page>? next = through < last
                ? ReadPageAsync(store, connection, schema, through.Value, options.RebuildPageSize, null, sealer.Meter, cancellationToken)
                : null;
            try
            {
                while (next is not null)
                {
                    var page = await next.ConfigureAwait(false);
                    next = null;
                    if (page.Rows == 0)
                    {
                        break;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    through = page.LastRead;
                    next = through < last && options.RebuildReadAhead ? ReadPageAsync(store, connection, schema, through.Value, options.RebuildPageSize, null, sealer.Meter, cancellationToken) : null;
                    await ApplyAsync(store, database, projections, checkpoints, page, schema, through.Value, sealer.Meter, cancellationToken).ConfigureAwait(false);
                    next ??= through < last && !options.RebuildReadAhead ? ReadPageAsync(store, connection, schema, through.Value, options.RebuildPageSize, null, sealer.Meter, cancellationToken) : null;
                    read += page.Rows;
                    progress?.Report(new RebuildProgress(OnePass, 0, 1) { EventsDone = read, EventsTotal = total });
                }
            }
            finally
            {
                // A page that fails or is cancelled leaves the page read ahead unused: wait for it before the connection goes.
                if (next is not null)
                {
                    await Task.WhenAny(next).ConfigureAwait(false);
                    _ = next.Exception;
                }
            }

            // The secondary indexes dropped for the pages, built again before anything reads through them (the books below).
            using (sealer.Meter.Measure("rebuild: build the deferred indexes"))
            {
                await BuildDeferredIndexesAsync(connection, schema, cancellationToken).ConfigureAwait(false);
            }

            using (sealer.Meter.Measure("rebuild: pool book checkpoints"))
            {
                await checkpoints.WriteBooksAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await checkpoints.DisposeAsync().ConfigureAwait(false);
        }

        // Seal the rest of the log (no command is in flight, so every gap is dead and the loop ends).
        using (sealer.Meter.Measure("rebuild: seal the rest"))
        {
            while ((await sealer.SealAsync(cancellationToken).ConfigureAwait(false)).Blocked)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
        }
        await ExecuteAsync(connection, $"delete from {schema}.vpp_rebuild", cancellationToken).ConfigureAwait(false);
        progress?.Report(new RebuildProgress(OnePass, 1, 1) { EventsDone = read, EventsTotal = total });
    }

    /// <summary>
    /// The projection tables of a tenant: what a rebuild deletes and writes again from the log (the write states, the
    /// seat, member and Apple-side rows, the audit rows, the checkpoints of positions). Everything else of a tenant is
    /// not derived from its log and is never rebuilt: the log itself (<c>mt_streams</c>, <c>mt_events</c>), the chain
    /// and its head (the evidence), the idempotency records, the operations, the token secrets, the import keys, the
    /// Apple outbox's requests, the read stamps and the change feed's checkpoints.
    /// </summary>
    public static IReadOnlyList<string> ProjectionTables { get; } =
        [.. DocumentTypes.Select(t => $"mt_doc_{t.Name.ToLowerInvariant()}"), AuditSchema.TableName,
         AuditSchema.CheckpointTableName, AuditSchema.CheckpointStateTableName, AuditSchema.CheckpointBookTableName];

    /// <summary>
    /// Rebuilds one tenant's projections in <paramref name="database"/> from its log alone (docs/scale-out.md): its
    /// projection rows and checkpoints of positions are deleted and written again page by page, in log order. Other tenants of the database are not touched and may keep writing meanwhile.
    /// The caller stops the tenant's own writes first and seals its log (every event of the tenant has its chain row,
    /// so the sealer never needs the audit rows this deletes); it checks the chain against the rebuilt rows afterwards.
    /// A rebuild that stops is run again from the start.
    /// </summary>
    public static async Task<long> RunTenantAsync(DocumentStore store, Marten.Storage.IMartenDatabase database, VppLedgerOptions options, AuditSealer sealer, string tenant, IProgress<RebuildProgress>? progress, CancellationToken cancellationToken)
    {
        var schema = SchemaNames.Quote(options.SchemaName);
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, RebuildCheckpoints.PendingBooksDdl(options.SchemaName), cancellationToken).ConfigureAwait(false);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var table in ProjectionTables.Take(DocumentTypes.Length + 1))
            {
                await using var delete = new NpgsqlCommand($"delete from {schema}.{SchemaNames.Quote(table)} where tenant_id = @t", connection, transaction);
                delete.Parameters.AddWithValue("t", tenant);
                await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var clear = new NpgsqlCommand(RebuildCheckpoints.ClearSql(options.SchemaName, oneTenant: true), connection, transaction))
            {
                clear.Parameters.AddWithValue("t", tenant);
                await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        long total;
        await using (var count = new NpgsqlCommand($"select count(*) from {schema}.mt_events where tenant_id = @t", connection))
        {
            count.Parameters.AddWithValue("t", tenant);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var (through, read) = (0L, 0L);
        var projections = new Projections(options.SchemaName);
        await using (var checkpoints = await RebuildCheckpoints.BeginAsync(sealer, options.SchemaName, connection, tenant, 0, cancellationToken).ConfigureAwait(false))
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await ReadPageAsync(store, connection, schema, through, options.RebuildPageSize, tenant, sealer.Meter, cancellationToken).ConfigureAwait(false);
                if (page.Rows == 0)
                {
                    break;
                }

                through = page.LastRead;
                await ApplyAsync(store, database, projections, checkpoints, page, schema, null, sealer.Meter, cancellationToken).ConfigureAwait(false);
                read += page.Rows;
                progress?.Report(new RebuildProgress(OnePass, 0, 1) { EventsDone = read, EventsTotal = total });
            }

            await checkpoints.WriteBooksAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new RebuildProgress(OnePass, 1, 1) { EventsDone = read, EventsTotal = total });
        return read;
    }

    private sealed class Projections(string schema)
    {
        public TokenDocProjection Tokens { get; } = new();

        public PoolDocProjection Pools { get; } = new();

        public AssignmentDocProjection Assignments { get; } = new();

        public UserDocProjection Users { get; } = new();

        public DeviceDocProjection Devices { get; } = new();

        public GroupDocProjection Groups { get; } = new();

        public SeatsAndMembersProjection SeatsAndMembers { get; } = new();

        public AppleSideDocProjection AppleSide { get; } = new();

        public AppleSideRowsProjection AppleSideRows { get; } = new();

        public AuditProjection Audit { get; } = new(schema);
    }

    private static async Task<long?> ResumeFromAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select through_seq from {schema}.vpp_rebuild where id = 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : null;
    }

    // A page of the log: its ledger events, the chain links of its sealed pool and token events (for the checkpoints),
    // the last sequence read and how many rows were read (Marten's own 'tombstone' rows, written for failed appends, are
    // read past and applied to nothing, as the daemon does).
    private sealed record Page(List<IEvent> Events, Dictionary<long, (long Position, byte[] Hash)> Links, long LastRead, int Rows);

    private static async Task<Page> ReadPageAsync(DocumentStore store, NpgsqlConnection connection, string schema, long after, int pageSize, string? tenant, StepMeter meter, CancellationToken cancellationToken)
    {
        var raw = new List<(long Seq, string Tenant, string Stream, long Version, string Type, string Data, DateTimeOffset At, string? User, string? Correlation, string? Causation)>(pageSize);
        var links = new Dictionary<long, (long Position, byte[] Hash)>();
        var (lastRead, rows) = (after, 0);
        using (meter.Measure("rebuild: read"))
        {
            // Each link looked up by key ('offset 0': a parameterized index probe, never a join over the whole chain).
            await using var command = new NpgsqlCommand(
                $"with page as materialized (select * from {schema}.mt_events where seq_id > @after {(tenant is null ? "" : "and tenant_id = @t ")}order by seq_id limit @page) "
                + "select e.seq_id, e.tenant_id, e.stream_id, e.version, e.type, e.data::text, e.timestamp, e.user_name, e.correlation_id, e.causation_id, c.chain_position, c.hash from page e "
                + $"left join lateral (select c.chain_position, c.hash from {schema}.{AuditSchema.ChainTableName} c where c.tenant_id = e.tenant_id and c.seq = e.seq_id and e.type = any(@folded) offset 0) c on true "
                + "order by e.seq_id",
                connection);
            command.Parameters.AddWithValue("after", after);
            if (tenant is not null)
            {
                command.Parameters.AddWithValue("t", tenant);
            }

            command.Parameters.AddWithValue("page", pageSize);
            command.Parameters.AddWithValue("folded", RebuildCheckpoints.FoldedNames);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                (lastRead, rows) = (reader.GetInt64(0), rows + 1);
                raw.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
                if (!reader.IsDBNull(10))
                {
                    links[reader.GetInt64(0)] = (reader.GetInt64(10), (byte[])reader[11]);
                }
            }
        }

        using var deserialize = meter.Measure("rebuild: deserialize", rows);
        var page = new List<IEvent>(pageSize);
        foreach (var r in raw)
        {
            if (r.Type == Tombstone)
            {
                continue;
            }

            if (!TypeByName.TryGetValue(r.Type, out var type))
            {
                throw new InvalidOperationException($"Event {r.Seq} has the unknown type '{r.Type}': the rebuild stops rather than skip it.");
            }

            var data = Json.Deserialize(new StringReader(r.Data), type)!;
            var e = store.Events.BuildEvent(data);
            e.Sequence = r.Seq;
            e.TenantId = r.Tenant;
            e.StreamKey = r.Stream;
            e.Version = r.Version;
            e.Timestamp = r.At;
            e.UserName = r.User;
            e.CorrelationId = r.Correlation;
            e.CausationId = r.Causation;
            page.Add(e);
        }

        return new Page(page, links, lastRead, rows);
    }

    // One page, every projection, one transaction (with the rebuild's watermark, for a whole database's rebuild): the
    // audit rows and the documents no earlier page wrote go by COPY (text format, CopyText) on the session's connection, in its
    // transaction, before its SaveChanges writes the rest (deletes, rows that exist already, the watermark) and commits.
    private static async Task ApplyAsync(DocumentStore store, Marten.Storage.IMartenDatabase database, Projections p, RebuildCheckpoints checkpoints, Page read, string schema, long? through, StepMeter meter, CancellationToken cancellationToken)
    {
        var page = read.Events;
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForDatabase(database));
        await session.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var copy = new DocumentCopy();
        var fold = meter.Measure("rebuild: load and fold (write states)");
        foreach (var tenant in page.GroupBy(e => e.TenantId))
        {
            var ops = session.ForTenant(tenant.Key);
            var streams = tenant.GroupBy(e => e.StreamKey!).ToList();
            await EvolveAsync<TokenDoc>(ops, tenant.Key, streams, "token:", (d, id, e) => p.Tokens.Evolve(d, id, e), copy, cancellationToken).ConfigureAwait(false);
            await EvolveAsync<PoolDoc>(ops, tenant.Key, streams, "pool:", (d, id, e) => p.Pools.Evolve(d, id, e), copy, cancellationToken).ConfigureAwait(false);
            await EvolveAsync<AssignmentDoc>(ops, tenant.Key, streams, "assignment:", (d, id, e) => p.Assignments.Evolve(d, id, e), copy, cancellationToken).ConfigureAwait(false);
            await EvolveAsync<UserDoc>(ops, tenant.Key, streams, "user:", (d, id, e) => p.Users.Evolve(d, id, e), copy, cancellationToken).ConfigureAwait(false);
            await EvolveAsync<DeviceDoc>(ops, tenant.Key, streams, "device:", (d, id, e) => p.Devices.Evolve(d, id, e), copy, cancellationToken).ConfigureAwait(false);
            await EvolveAsync<GroupDoc>(ops, tenant.Key, streams, "group:", (d, id, e) => p.Groups.Evolve(d, id, e), copy, cancellationToken).ConfigureAwait(false);
            await EvolveAsync<AppleSideDoc>(ops, tenant.Key, streams, "apple:", (d, id, e) => p.AppleSide.Evolve(d, id, e), copy, cancellationToken).ConfigureAwait(false);
        }

        fold.Dispose();
        List<AuditProjection.AuditRow> audit;
        using (meter.Measure("rebuild: fold (rows, audit)"))
        {
            await p.SeatsAndMembers.ApplyAsync(session, page, copy, cancellationToken).ConfigureAwait(false);
            await p.AppleSideRows.ApplyAsync(session, page, cancellationToken).ConfigureAwait(false);
            audit = AuditProjection.RowsOf(page);
        }

        using (meter.Measure("rebuild: write (COPY audit rows)", audit.Count))
        {
            await p.Audit.CopyAsync((NpgsqlConnection)session.Connection!, audit, cancellationToken).ConfigureAwait(false);
        }

        using (meter.Measure("rebuild: write (COPY documents)", copy.Count))
        {
            await copy.WriteAsync(session, meter, cancellationToken).ConfigureAwait(false);
        }

        using (meter.Measure("rebuild: checkpoints (fold, write)"))
        {
            await checkpoints.FoldAsync((NpgsqlConnection)session.Connection!, page, read.Links, cancellationToken).ConfigureAwait(false);
        }

        // SaveChanges commits the session's transaction only when something is queued: the watermark, else a no-op.
        if (through is { } watermark)
        {
            session.QueueSqlCommand($"update {schema}.vpp_rebuild set through_seq = ? where id = 1", watermark);
        }
        else
        {
            session.QueueSqlCommand("select 1");
        }

        using (meter.Measure("rebuild: write (SaveChanges)", page.Count))
        {
            await session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // A write state is folded from the stored one (written by an earlier page) and this page's events of its stream;
    // only the streams of its kind are read (the filter by event type each single-stream projection needs).
    private static async Task EvolveAsync<TDoc>(IDocumentOperations ops, string tenant, List<IGrouping<string, IEvent>> streams, string prefix, Func<TDoc?, string, IEvent, TDoc?> evolve, DocumentCopy copy, CancellationToken cancellationToken)
        where TDoc : class
    {
        var mine = streams.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (mine.Count == 0)
        {
            return;
        }

        var stored = new Dictionary<string, TDoc>(StringComparer.Ordinal);
        foreach (var chunk in mine.Select(s => s.Key).Chunk(1000))
        {
            foreach (var doc in await ops.LoadByKeysAsync<TDoc>(chunk, cancellationToken).ConfigureAwait(false))
            {
                stored[IdOf(doc)] = doc;
            }
        }

        var folded = new List<TDoc>(mine.Count);
        foreach (var stream in mine)
        {
            var doc = stored.GetValueOrDefault(stream.Key);
            foreach (var e in stream)
            {
                doc = evolve(doc, stream.Key, e);
            }

            if (doc is not null)
            {
                folded.Add(doc);
            }
        }

        // One set-based upsert per document type and page (a page of directory events touches thousands of users or
        // devices: one statement each was most of such a page's time).
        await DocumentUpserts.QueueAsync(ops, tenant, folded, IdOf, cancellationToken, copy).ConfigureAwait(false);
    }

    private static string IdOf<TDoc>(TDoc doc) => doc switch
    {
        TokenDoc d => d.Id,
        PoolDoc d => d.Id,
        AssignmentDoc d => d.Id,
        UserDoc d => d.Id,
        DeviceDoc d => d.Id,
        GroupDoc d => d.Id,
        AppleSideDoc d => d.Id,
        _ => throw new InvalidOperationException($"{typeof(TDoc).Name} is not a write state."),
    };

    /// <summary>The tables whose secondary (not unique) indexes a fresh rebuild drops before its first page and builds after its last.</summary>
    internal static readonly string[] DeferredIndexTables = [AuditSchema.TableName, "mt_doc_seatdoc"];

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    // Drops every index recorded in vpp_rebuild_index (one statement, run in the transaction that recorded them).
    private static string DropDeferredIndexesSql(string schema) =>
        $"""
        do $$ declare r record; begin
          for r in select name from {schema}.vpp_rebuild_index loop execute format('drop index if exists %s.%I', '{schema.Replace("'", "''", StringComparison.Ordinal)}', r.name); end loop;
        end $$;
        """;

    // Builds each recorded index that does not exist (a resumed rebuild may find some built already), then forgets them.
    private static async Task BuildDeferredIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        var pending = new List<(string Name, string Ddl)>();
        await using (var list = new NpgsqlCommand($"select name, ddl from {schema}.vpp_rebuild_index order by name", connection))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                pending.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (name, ddl) in pending)
        {
            // pg_indexes gives "CREATE [UNIQUE] INDEX name ON ...": IF NOT EXISTS makes the step safe to run again.
            var create = ddl.Replace(" INDEX ", " INDEX IF NOT EXISTS ", StringComparison.Ordinal);
            await using var command = new NpgsqlCommand($"{create}; delete from {schema}.vpp_rebuild_index where name = @name", connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("name", name);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
