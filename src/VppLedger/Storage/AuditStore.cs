using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NodaTime;
using Npgsql;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>The audit of one tenant over the Marten store: the audit table, the log, imports and the chain.</summary>
internal sealed class TenantAudit(MartenLicenseLedger ledger, string tenantId) : ITenantAudit
{
    /// <summary>Malformed lines listed by <see cref="AuditImportException"/>; the rest are counted in its last entry.</summary>
    public const int MaxListedImportErrors = 1000;

    /// <summary>How many times an import is checked again on fresh facts when other writers change the same streams meanwhile.</summary>
    private const int MaxImportAttempts = 5;

    private const string Columns =
        "a.tenant_id, a.seq, a.stream, a.version, a.event_name, a.occurred_at, a.token, a.adam_id, a.holder_kind, a.holder_id, a.queue_position, "
        + "a.action, a.reason, a.rule_id, a.actor, a.correlation_id, a.causation_id, c.chain_position, c.hash";

    private static readonly JsonSerializer Json = JsonSerializer.Create(NewtonsoftSerializer.CreateSettings());

    private static readonly Dictionary<string, Type> TypeByName = EventNames.All.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);

    private static readonly string[] PoolAndTokenNames = [.. EventNames.All
        .Where(e => typeof(IPoolEvent).IsAssignableFrom(e.Type) || typeof(ITokenEvent).IsAssignableFrom(e.Type))
        .Select(e => e.Name)];

    public TenantId Tenant { get; } = new(tenantId);

    private string TenantId { get; } = tenantId;

    private string Table => AuditSchema.Qualified(ledger.Options.SchemaName);

    public IAsyncEnumerable<AuditEntry> HistoryAsync(AuditQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new AuditQuery();
        InputRules.ThrowIfInvalid(query, nameof(query)); // checked when called, not at the first row
        InputRules.ThrowIfOutOfRange(query.From, "query.From");
        InputRules.ThrowIfOutOfRange(query.To, "query.To");
        return QueryHistoryAsync(query, cancellationToken);
    }

    private async IAsyncEnumerable<AuditEntry> QueryHistoryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (entry, _) in QueryRowsAsync(query, withData: false, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    // The rows of a query; withData adds each event's data as stored (for the NDJSON export that import reads back).
    private async IAsyncEnumerable<(AuditEntry Entry, string? Data)> QueryRowsAsync(AuditQuery query, bool withData, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var where = new StringBuilder("a.tenant_id = @tenant");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue("tenant", TenantId);
        if (query.Holder is { } holder)
        {
            where.Append(" and a.holder_id = @holder");
            command.Parameters.AddWithValue("holder", AuditPseudonym.Of(TenantId, holder));
        }

        if (query.Token is { } token)
        {
            where.Append(" and a.token = @token");
            command.Parameters.AddWithValue("token", token.Value);
        }

        if (query.App is { } app)
        {
            where.Append(" and a.adam_id = @adam");
            command.Parameters.AddWithValue("adam", app.Value);
        }

        if (query.From is { } from)
        {
            where.Append(" and a.occurred_at >= @from");
            command.Parameters.AddWithValue("from", from.ToDateTimeUtc());
        }

        if (query.To is { } to)
        {
            where.Append(" and a.occurred_at < @to");
            command.Parameters.AddWithValue("to", to.ToDateTimeUtc());
        }

        await foreach (var row in RowsAsync(command, where.ToString(), withData, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    private async IAsyncEnumerable<(AuditEntry Entry, string? Data)> RowsAsync(NpgsqlCommand command, string where, bool withData, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var data = withData
            ? $", e.data::text from {Table} a left join {SchemaNames.Quote(ledger.Options.SchemaName)}.mt_events e on e.seq_id = a.seq"
            : $" from {Table} a";
        command.CommandText = $"select {Columns}{data} left join {AuditSchema.Chain(ledger.Options.SchemaName)} c on c.tenant_id = a.tenant_id and c.seq = a.seq where {where} order by a.seq";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return (ReadEntry(reader), withData && !reader.IsDBNull(19) ? reader.GetString(19) : null);
        }
    }

    public async Task<AuditRange<PoolPosition>> PoolChangesAsync(PoolId pool, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        InputRules.ThrowIfInvalid(pool, nameof(pool));
        ThrowIfNotARange(from, to);
        var start = await PoolAsOfAsync(pool, from, cancellationToken).ConfigureAwait(false);
        var end = await PoolAsOfAsync(pool, to, cancellationToken).ConfigureAwait(false);
        return new AuditRange<PoolPosition>(from, to, start, end, ChangesAsync(
            "a.token = @token and a.adam_id = @adam and a.stream = @stream",
            c =>
            {
                c.Parameters.AddWithValue("token", pool.Token.Value);
                c.Parameters.AddWithValue("adam", pool.AppKey);
                c.Parameters.AddWithValue("stream", Streams.Pool(pool));
            },
            from,
            to,
            cancellationToken));
    }

    public async Task<AuditRange<HolderPosition>> HolderChangesAsync(Holder holder, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        InputRules.ThrowIfInvalid(holder, nameof(holder));
        ThrowIfNotARange(from, to);
        var start = await HolderAsOfAsync(holder, from, cancellationToken).ConfigureAwait(false);
        var end = await HolderAsOfAsync(holder, to, cancellationToken).ConfigureAwait(false);
        var pseudonym = AuditPseudonym.Of(TenantId, holder);
        return new AuditRange<HolderPosition>(from, to, start, end, ChangesAsync(
            "a.holder_id = @holder",
            c => c.Parameters.AddWithValue("holder", pseudonym),
            from,
            to,
            cancellationToken));
    }

    private static void ThrowIfNotARange(Instant from, Instant to)
    {
        InputRules.ThrowIfOutOfRange(from, nameof(from));
        InputRules.ThrowIfOutOfRange(to, nameof(to));
        if (to < from)
        {
            throw new ArgumentException($"to ({to}) is before from ({from}); give the earlier instant first.", nameof(to));
        }
    }

    // The rows whose business time lies in (from, to], in log order, read when enumerated, on a connection of their own.
    private async IAsyncEnumerable<AuditEntry> ChangesAsync(string filter, Action<NpgsqlCommand> bind, Instant from, Instant to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue("tenant", TenantId);
        command.Parameters.AddWithValue("from", from.ToDateTimeUtc());
        command.Parameters.AddWithValue("to", to.ToDateTimeUtc());
        bind(command);
        await foreach (var (entry, _) in RowsAsync(command, $"a.tenant_id = @tenant and {filter} and a.occurred_at > @from and a.occurred_at <= @to", withData: false, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public async Task<PoolPosition?> PoolAsOfAsync(PoolId pool, Instant asOf, CancellationToken cancellationToken = default)
    {
        // The pool's nearest book checkpoint whose events all occurred by then, then only the pool's later events
        // that occurred by then (docs/audit.md "Checkpoints"), in one snapshot.
        InputRules.ThrowIfInvalid(pool, nameof(pool));
        var stream = Streams.Pool(pool);
        var fold = new PoolAsOfFold(pool, asOf);
        var checkpoints = ledger.Checkpoints;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var snapshot = await CheckpointStore.BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
        var from = await checkpoints.LoadAsync(connection, TenantId, stream, asOf, cancellationToken).ConfigureAwait(false);
        if (from is { Positions: [var book] })
        {
            fold.StartFrom(PoolBook.Restore(book.Pool!, book.Holders ?? [], book.Queue ?? []), from.EventCount, new ChainHead(from.ChainPosition, from.Seq, Convert.ToHexStringLower(from.Hash)));
        }

        var ranges = await checkpoints.RangesAfterAsync(connection, TenantId, stream, from?.Seq ?? 0, asOf, cancellationToken).ConfigureAwait(false);
        await foreach (var e in checkpoints.EventsAsync(connection, TenantId, ranges, asOf, withLinks: false, cancellationToken, pool).ConfigureAwait(false))
        {
            fold.Apply((IPoolEvent)e.Event);
        }

        return fold.Result();
    }

    /// <summary>The pool as-of folded from the pool's first event, without checkpoints (the reference the tests compare with).</summary>
    internal async Task<PoolPosition?> PoolAsOfByFullFoldAsync(PoolId pool, Instant asOf, CancellationToken cancellationToken = default)
    {
        var fold = new PoolAsOfFold(pool, asOf);
        await foreach (var e in StreamAsync(Streams.Pool(pool), cancellationToken).ConfigureAwait(false))
        {
            if (e.Data is IPoolEvent p)
            {
                fold.Apply(p);
            }
        }

        return fold.Result();
    }

    public async Task<TokenPosition?> TokenAsOfAsync(TokenId token, Instant asOf, CancellationToken cancellationToken = default)
    {
        InputRules.ThrowIfInvalid(token, nameof(token));
        var fold = new TokenAsOfFold(asOf, ledger.Options.Policy);
        await foreach (var e in StreamAsync(Streams.Token(token), cancellationToken).ConfigureAwait(false))
        {
            if (e.Data is ITokenEvent t)
            {
                fold.Apply(t);
            }
        }

        return fold.Result();
    }

    public async Task<HolderPosition> HolderAsOfAsync(Holder holder, Instant asOf, CancellationToken cancellationToken = default)
    {
        InputRules.ThrowIfInvalid(holder, nameof(holder));
        var fold = new HolderAsOfFold(holder, asOf);
        await foreach (var entry in HistoryAsync(new AuditQuery { Holder = holder }, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Stream.StartsWith("pool:", StringComparison.Ordinal))
            {
                fold.Apply(entry);
            }
        }

        return fold.Result();
    }

    public async Task<TenantPosition> TenantAsOfAsync(Instant asOf, CancellationToken cancellationToken = default)
    {
        // The nearest checkpoint whose events all occurred by then, then only the later events that occurred by
        // then: those of the tail and of the segments whose earliest business time is not after the instant. One
        // snapshot, so a checkpoint written meanwhile changes nothing.
        var fold = new TenantAsOfFold(asOf, ledger.Options.Policy);
        var checkpoints = ledger.Checkpoints;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var snapshot = await CheckpointStore.BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
        var from = await checkpoints.LoadAsync(connection, TenantId, "", asOf, cancellationToken).ConfigureAwait(false);
        if (from is not null)
        {
            fold.StartFrom(from);
        }

        var ranges = await checkpoints.RangesAfterAsync(connection, TenantId, "", from?.Seq ?? 0, asOf, cancellationToken).ConfigureAwait(false);
        await foreach (var e in checkpoints.EventsAsync(connection, TenantId, ranges, asOf, withLinks: false, cancellationToken).ConfigureAwait(false))
        {
            fold.Apply(e.Stream, e.Event);
        }

        return fold.Result();
    }

    /// <summary>The whole-tenant as-of folded from the beginning of the log, without checkpoints (the reference the tests compare with).</summary>
    internal async Task<TenantPosition> TenantAsOfByFullFoldAsync(Instant asOf, CancellationToken cancellationToken = default)
    {
        var fold = new TenantAsOfFold(asOf, ledger.Options.Policy);
        await using var session = ledger.QuerySession(TenantId);
        var events = session.Events.QueryAllRawEvents()
            .Where(e => PoolAndTokenNames.Contains(e.EventTypeName))
            .OrderBy(e => e.Sequence)
            .ToAsyncEnumerable(cancellationToken);
        await foreach (var e in events.ConfigureAwait(false))
        {
            if (e.Data is ILedgerEvent data)
            {
                fold.Apply(e.StreamKey!, data);
            }
        }

        return fold.Result();
    }

    public async Task<LicenseExplanation> ExplainAsync(Holder holder, PoolId pool, Instant asOf, CancellationToken cancellationToken = default)
    {
        InputRules.ThrowIfInvalid(holder, nameof(holder));
        InputRules.ThrowIfInvalid(pool, nameof(pool));
        var explainer = new LicenseExplainer(holder, pool, asOf);
        await foreach (var e in StreamAsync(Streams.Pool(pool), cancellationToken).ConfigureAwait(false))
        {
            if (e.Data is IPoolEvent p)
            {
                explainer.Apply(e.Version, e.EventTypeName, p);
            }
        }

        return explainer.Result();
    }

    public Task<ChainVerification> VerifyChainAsync(CancellationToken cancellationToken = default) => VerifyChainAsync(null, cancellationToken);

    public async Task<ChainVerification> VerifyChainAsync(ChainHead? recordedHead, CancellationToken cancellationToken = default) =>
        await VerifyChainInAsync(await ledger.DatabaseOfAsync(TenantId, cancellationToken).ConfigureAwait(false), recordedHead, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Verifies the tenant's chain in one given database (a tenant's rebuild, and a move's target before the registry
    /// names it): seals that database first, then checks every link against the events and the audit rows there.
    /// </summary>
    public async Task<ChainVerification> VerifyChainInAsync(Marten.Storage.IMartenDatabase database, ChainHead? recordedHead, CancellationToken cancellationToken)
    {
        await ledger.SealerFor(database).SealAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        // One snapshot for the watermark and the links: the background sealer may commit between two reads, and a link
        // past the watermark read before it would look like a deleted event.
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var status = await StatusAsync(connection, cancellationToken).ConfigureAwait(false);
        var schema = ledger.Options.SchemaName;

        // The tenant's sealed events, audit rows and links, joined by sequence, in log order; any of the three may be missing.
        await using var command = new NpgsqlCommand(
            $"""
            with e as (select e.seq_id as seq, e.stream_id as stream, e.version, {AuditSchema.EventHashSql("e")} as eh
                       from {SchemaNames.Quote(schema)}.mt_events e where e.tenant_id = @tenant and e.seq_id <= @through and e.type = any(@types)),
                 a as (select a.seq, a.stream, a.version, {AuditSchema.RowCanonicalSql("a")} as rc
                       from {Table} a where a.tenant_id = @tenant and a.seq <= @through),
                 c as (select c.seq, c.stream, c.version, c.chain_position, c.prev_hash, c.event_hash, c.hash
                       from {AuditSchema.Chain(schema)} c where c.tenant_id = @tenant)
            select coalesce(c.seq, e.seq, a.seq), coalesce(c.stream, e.stream, a.stream), coalesce(c.version, e.version, a.version),
                   e.eh, a.rc, c.chain_position, c.prev_hash, c.event_hash, c.hash
            from c full join e on e.seq = c.seq full join a on a.seq = coalesce(c.seq, e.seq)
            order by 1, c.chain_position
            """,
            connection);
        command.Parameters.AddWithValue("tenant", TenantId);
        command.Parameters.AddWithValue("through", status.SealedThrough);
        command.Parameters.AddWithValue("types", MartenLicenseLedger.LedgerTypes.ToArray());
        var verifier = new ChainVerifier(recordedHead);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var entry = new ChainEntry(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetInt64(2),
                    Bytes(reader, 3),
                    NullableString(reader, 4),
                    reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    Bytes(reader, 6),
                    Bytes(reader, 7),
                    Bytes(reader, 8));
                if (!verifier.Add(entry))
                {
                    break;
                }
            }
        }

        return verifier.Complete(status.Head, status.UnsealedCount);
    }

    public async Task<SealStatus> SealAsync(CancellationToken cancellationToken = default)
    {
        await (await ledger.SealerOfAsync(TenantId, cancellationToken).ConfigureAwait(false)).SealAsync(cancellationToken).ConfigureAwait(false);
        return await SealStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SealStatus> WaitForSealAsync(CancellationToken cancellationToken = default)
    {
        long target;
        await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var last = new NpgsqlCommand($"select coalesce(max(seq), 0) from {Table} where tenant_id = @tenant", connection);
            last.Parameters.AddWithValue("tenant", TenantId);
            target = (long)(await last.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        // Waits for open transactions below a gap to end: a short pause between rounds, longer while nothing moves.
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var (through, _) = await (await ledger.SealerOfAsync(TenantId, cancellationToken).ConfigureAwait(false)).SealAsync(cancellationToken).ConfigureAwait(false);
            if (through >= target)
            {
                return await SealStatusAsync(cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 200));
        }
    }

    public async Task<SealStatus> SealStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StatusAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SealStatus> StatusAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var schema = ledger.Options.SchemaName;
        await using var command = new NpgsqlCommand(
            $"""
            select coalesce((select sealed_seq from {AuditSchema.Seal(schema)} where id = 1), 0),
                   h.chain_position, h.seq, h.hash
            from (select 1) one left join {AuditSchema.Head(schema)} h on h.tenant_id = @tenant
            """,
            connection);
        command.Parameters.AddWithValue("tenant", TenantId);
        long through;
        ChainHead? head;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            through = reader.GetInt64(0);
            head = reader.IsDBNull(1) ? null : new ChainHead(reader.GetInt64(1), reader.GetInt64(2), Convert.ToHexStringLower((byte[])reader[3]));
        }

        await using var tail = new NpgsqlCommand($"select count(*) from {Table} where tenant_id = @tenant and seq > @through", connection);
        tail.Parameters.AddWithValue("tenant", TenantId);
        tail.Parameters.AddWithValue("through", through);
        var unsealed = (long)(await tail.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new SealStatus(head, through, unsealed);
    }

    private static byte[]? Bytes(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : (byte[])r[i];

    public async Task<long> ExportAsync(Stream output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            return await ExportAsync(writer, format, from, to, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<long> ExportAsync(TextWriter output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        InputRules.ThrowIfInvalid(format, nameof(format));
        InputRules.ThrowIfOutOfRange(from, nameof(from));
        InputRules.ThrowIfOutOfRange(to, nameof(to));
        if (format == AuditExportFormat.Csv)
        {
            AuditFormats.WriteCsvHeader(output);
        }

        long count = 0;
        var ndjson = format == AuditExportFormat.Ndjson;
        await foreach (var (entry, data) in QueryRowsAsync(new AuditQuery { From = from, To = to }, ndjson, cancellationToken).ConfigureAwait(false))
        {
            if (ndjson)
            {
                AuditFormats.WriteNdjson(output, entry, data);
            }
            else
            {
                AuditFormats.WriteCsv(output, entry);
            }

            if (++count % 1000 == 0)
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    public async Task<ImportResult> ImportAsync(Stream ndjson, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ndjson);
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.Has(Permissions.ImportHistory))
        {
            // Checked before the file is read: an actor without the permission learns nothing of the tenant.
            return new ImportResult(0, 0, 0)
            {
                Rejection = new ImportRejection(0, LedgerRejections.PermissionDenied(actor, Permissions.ImportHistory, $"import history into tenant {TenantId}")),
            };
        }

        // Pass 1: every line's form, in bounded memory, before anything is written. A stream that cannot seek is
        // copied to a temporary file as it is read, for pass 2.
        var stats = ledger.Options.ImportReaderStats;
        var start = ndjson.CanSeek ? ndjson.Position : 0;
        await using var spool = ndjson.CanSeek ? null : new FileStream(
            Path.Combine(Path.GetTempPath(), $"vppledger-import-{Guid.NewGuid():N}.ndjson"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var lineCount = 0;
        await using (var first = spool is null ? null : new TeeStream(ndjson, spool))
        {
            var (count, errors) = await CheckFormAsync(first ?? ndjson, stats, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                throw new AuditImportException(errors);
            }

            lineCount = count;
        }

        // Pass 2: pages of ImportPageSize lines, each checked by the rules of live history on the facts its
        // predecessors committed, and committed with its import keys (rule I4): running the file again after a crash
        // or a refusal skips what committed and resumes with the rest.
        Stream second;
        if (spool is null)
        {
            ndjson.Position = start;
            second = ndjson;
        }
        else
        {
            await spool.FlushAsync(cancellationToken).ConfigureAwait(false);
            spool.Position = 0;
            second = spool;
        }

        var imported = 0;
        var already = 0;
        var pageNumber = 0;
        await foreach (var page in ImportReader.PagesAsync(second, ledger.Options.ImportPageSize, stats, cancellationToken).ConfigureAwait(false))
        {
            var lines = page.Select(l => ParseLine(l.Number, l.Text!)).OfType<ImportLine>().ToList(); // pass 1 read them all
            var result = await ImportPageAsync(lines, actor, cancellationToken).ConfigureAwait(false);
            imported += result.ImportedCount;
            already += result.AlreadyImportedCount;
            if (result.Rejection is { } rejection)
            {
                return new ImportResult(lineCount, imported, already) { Rejection = rejection };
            }

            ledger.Options.AfterImportPageCommitted?.Invoke(pageNumber++);
        }

        return new ImportResult(lineCount, imported, already);
    }

    /// <summary>One page, checked again on fresh facts when another writer changed the same streams meanwhile.</summary>
    private async Task<ImportResult> ImportPageAsync(List<ImportLine> lines, Actor actor, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ImportOnceAsync(lines, actor, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (TenantGate.IsClosed(e))
            {
                return new ImportResult(lines.Count, 0, 0) { Rejection = new ImportRejection(lines[0].Line, LedgerRejections.TenantMoving(TenantId)) };
            }
            catch (Exception e) when (attempt < MaxImportAttempts && IsConflict(e))
            {
                // A live command or another import wrote to the same streams since the facts were read: check again on fresh facts.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 20 * attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<ImportResult> ImportOnceAsync(List<ImportLine> lines, Actor actor, CancellationToken cancellationToken)
    {
        await using var session = ledger.LightweightSession(TenantId);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in lines.Select(l => l.Key).Distinct(StringComparer.Ordinal).Chunk(1000))
        {
            var found = await session.LoadByKeysAsync<ImportRecordDoc>(chunk, cancellationToken).ConfigureAwait(false);
            known.UnionWith(found.Select(f => f.Id));
        }

        var fresh = lines.Where(l => known.Add(l.Key)).ToList();
        if (fresh.Count == 0)
        {
            return new ImportResult(lines.Count, 0, lines.Count);
        }

        // Versions first, facts after: a fact newer than its version only makes the commit conflict, never pass stale.
        // The tenant's token stream covers the token count and the claims (T1, T4), as for a live upload.
        var tenantTokens = await session.Events.FetchStreamStateAsync(Streams.TenantTokens, cancellationToken).ConfigureAwait(false);
        var versions = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var stream in fresh.Select(l => l.Stream).Distinct(StringComparer.Ordinal))
        {
            var state = await session.Events.FetchStreamStateAsync(stream, cancellationToken).ConfigureAwait(false);
            versions[stream] = state?.Version;
        }

        // Rule T4: the page takes the claims of the locations it changes in the control database before it commits,
        // and settles them after (LocationGuard), as a live upload, migration or deletion does.
        var claims = new PageClaims(ledger.Runner.Guard, session, TenantId, "import:" + fresh[0].Key[..16]);
        try
        {
            return await ImportCheckedAsync(session, lines, fresh, tenantTokens, versions, claims, actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await claims.SettleAsync().ConfigureAwait(false);
        }
    }

    private async Task<ImportResult> ImportCheckedAsync(
        IDocumentSession session,
        List<ImportLine> lines,
        List<ImportLine> fresh,
        JasperFx.Events.StreamState? tenantTokens,
        Dictionary<string, long?> versions,
        PageClaims claims,
        Actor actor,
        CancellationToken cancellationToken)
    {
        var facts = await HistoryFactsAsync(session, fresh, claims, cancellationToken).ConfigureAwait(false);
        var verdict = HistoryRules.Check(facts, fresh.Select(l => new HistoryLine(l.Line, l.Stream, l.Event)));
        if (verdict.Rejection is { } rejection)
        {
            return new ImportResult(lines.Count, 0, lines.Count - fresh.Count) { Rejection = rejection };
        }

        foreach (var released in verdict.Claims.Where(c => !c.Claimed))
        {
            await claims.TakeAsync(released.Location, cancellationToken).ConfigureAwait(false);
        }

        session.CorrelationId = claims.CommandId;
        session.CausationId = session.CorrelationId;
        foreach (var stream in fresh.GroupBy(l => l.Stream, StringComparer.Ordinal))
        {
            var version = versions[stream.Key] ?? 0;
            var items = stream.ToList();
            var action = versions[stream.Key] is null
                ? session.Events.StartStream(stream.Key, items.Select(i => i.Event).ToArray())
                : session.Events.Append(stream.Key, version + items.Count, items.Select(i => i.Event).ToArray());
            for (var i = 0; i < items.Count; i++)
            {
                action.Events[i].UserName = items[i].Actor ?? actor.Name;
                session.Insert(new ImportRecordDoc(items[i].Key, stream.Key, version + i + 1, items[i].Line));
            }
        }

        if (verdict.TokenCounts.Count > 0)
        {
            var version = tenantTokens?.Version ?? 0;
            var action = session.Events.Append(Streams.TenantTokens, version + verdict.TokenCounts.Count, [.. verdict.TokenCounts.Select(c => (object)c.Event)]);
            var actorOf = fresh.ToDictionary(l => l.Line, l => l.Actor);
            for (var i = 0; i < verdict.TokenCounts.Count; i++)
            {
                action.Events[i].UserName = actorOf[verdict.TokenCounts[i].Line] ?? actor.Name;
            }
        }

        session.QueueSqlCommand(TenantGate.OpenStatement(ledger.Options.SchemaName), TenantId); // stopped while the tenant moves
        await session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new ImportResult(lines.Count, fresh.Count, lines.Count - fresh.Count);
    }

    /// <summary>What the history rules read: every token of the tenant, the pools and seats the file names, the locations other tenants claim.</summary>
    private async Task<HistoryFacts> HistoryFactsAsync(IDocumentSession session, List<ImportLine> fresh, PageClaims claims, CancellationToken cancellationToken)
    {
        var tokenDocs = await session.Query<TokenDoc>().ToListAsync(cancellationToken).ConfigureAwait(false);
        var tokens = tokenDocs.Where(d => d.State.Id is not null).ToDictionary(d => d.State.Id!.Value, d => d.State);

        var poolEvents = fresh.Select(l => l.Event).OfType<IPoolEvent>().ToList();
        var pools = new Dictionary<PoolId, PoolState>();
        foreach (var chunk in poolEvents.Select(e => Streams.Pool(e.Pool)).Distinct(StringComparer.Ordinal).Chunk(1000))
        {
            foreach (var doc in await session.LoadByKeysAsync<PoolDoc>(chunk, cancellationToken).ConfigureAwait(false))
            {
                pools[doc.State.Pool] = doc.State;
            }
        }

        var seatKeys = poolEvents
            .Select(e => (e.Pool, Holder: HolderOf(e)))
            .Where(p => p.Holder is not null)
            .Select(p => (p.Pool, p.Holder!.Key))
            .Distinct()
            .ToDictionary(p => Streams.Seat(p.Pool, p.Key), StringComparer.Ordinal);
        var seats = new Dictionary<(PoolId, string), SeatStatus>();
        foreach (var chunk in seatKeys.Keys.Chunk(1000))
        {
            foreach (var doc in await session.LoadByKeysAsync<SeatDoc>(chunk, cancellationToken).ConfigureAwait(false))
            {
                seats[seatKeys[doc.Id]] = doc.Status;
            }
        }

        var named = poolEvents.Where(e => e is LicenseGranted or HolderQueued).Select(HolderOf).OfType<Holder>().ToList();
        var users = new Dictionary<UserId, UserState>();
        foreach (var chunk in named.Select(h => h.User).OfType<UserId>().Distinct().Select(Streams.User).Chunk(1000))
        {
            foreach (var doc in await session.LoadByKeysAsync<UserDoc>(chunk, cancellationToken).ConfigureAwait(false))
            {
                if (doc.State.Id is { } user)
                {
                    users[user] = doc.State;
                }
            }
        }

        var devices = new Dictionary<DeviceId, DeviceState>();
        foreach (var chunk in named.Select(h => h.Device).OfType<DeviceId>().Distinct().Select(Streams.Device).Chunk(1000))
        {
            foreach (var doc in await session.LoadByKeysAsync<DeviceDoc>(chunk, cancellationToken).ConfigureAwait(false))
            {
                if (doc.State.Id is { } device)
                {
                    devices[device] = doc.State;
                }
            }
        }

        // Rule A6's first in, first out: each promotion or departure can uncover one more entry of the queue's head.
        var queueHeads = new Dictionary<PoolId, IReadOnlyList<QueuedHolder>>();
        foreach (var pool in poolEvents
            .Where(e => e is LicenseGranted { Reason: GrantReason.PromotedFromQueue } or HolderLeftQueue)
            .GroupBy(e => e.Pool))
        {
            if (!pools.TryGetValue(pool.Key, out var state) || state.QueuedCount == 0)
            {
                continue;
            }

            var key = Streams.Pool(pool.Key);
            var head = await session.Query<SeatDoc>()
                .Where(x => x.PoolKey == key && x.Status == SeatStatus.Queued)
                .OrderBy(x => x.QueuePosition)
                .Take(pool.Count())
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            queueHeads[pool.Key] = [.. head.Select(x => new QueuedHolder(Holder.FromKey(x.HolderKey), x.QueuePosition))];
        }

        var locations = fresh.Select(l => l.Event switch
            {
                TokenUploaded u => u.Location.Value,
                TokenMigratedFromLegacyVpp m => m.Location.Value,
                _ => null,
            })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var elsewhere = new HashSet<LocationKey>();
        foreach (var location in locations.Order(StringComparer.Ordinal).Select(l => new LocationKey(l)))
        {
            if (!await claims.TakeAsync(location, cancellationToken).ConfigureAwait(false))
            {
                elsewhere.Add(location);
            }
        }

        return new HistoryFacts { Tokens = tokens, Pools = pools, Seats = seats, QueueHeads = queueHeads, Users = users, Devices = devices, LocationsClaimedElsewhere = elsewhere };
    }

    private static Holder? HolderOf(IPoolEvent e) => e switch
    {
        LicenseGranted g => g.Holder,
        HolderQueued q => q.Holder,
        HolderLeftQueue l => l.Holder,
        LicenseReclaimed r => r.Holder,
        _ => null,
    };

    private static bool IsConflict(Exception e) => e switch
    {
        JasperFx.ConcurrencyException => true,
        Marten.Exceptions.ExistingStreamIdCollisionException => true,
        JasperFx.Events.ExistingStreamIdCollisionException => true,
        JasperFx.DocumentAlreadyExistsException => true,
        Marten.Exceptions.MartenCommandException { InnerException: PostgresException { SqlState: "23505" or "40001" } } => true,
        _ => false,
    };

    private sealed record ImportLine(int Line, string Key, string Stream, string? Actor, ILedgerEvent Event);

    /// <summary>
    /// Pass 1: the form of every line (JSON, event name, stream, data, time order), holding one line at a time and at
    /// most <see cref="MaxListedImportErrors"/> errors. Returns the number of lines with an event.
    /// </summary>
    private static async Task<(int Count, List<ImportLineError> Errors)> CheckFormAsync(Stream ndjson, ImportReaderStats? stats, CancellationToken cancellationToken)
    {
        var errors = new List<ImportLineError>();
        var unlisted = 0;
        var count = 0;
        Instant? previous = null;
        await foreach (var (number, text) in ImportReader.LinesAsync(ndjson, stats, cancellationToken).ConfigureAwait(false))
        {
            string? error = null;
            if (text is null)
            {
                error = $"The line is longer than {ImportReader.MaxLineChars} characters; give one event a line.";
            }
            else if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            else
            {
                try
                {
                    if (ParseLine(number, text) is not { } line)
                    {
                        continue;
                    }

                    if (previous is { } p && line.Event.OccurredAt < p)
                    {
                        error = $"OccurredAt {line.Event.OccurredAt} is before the previous line's {p}; lines must be in time order.";
                    }
                    else
                    {
                        previous = line.Event.OccurredAt;
                        count++;
                    }
                }
                catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
                {
                    error = e.Message;
                }
            }

            if (error is not null)
            {
                if (errors.Count < MaxListedImportErrors)
                {
                    errors.Add(new ImportLineError(number, error));
                }
                else
                {
                    unlisted++;
                }
            }
        }

        if (unlisted > 0)
        {
            errors.Add(new ImportLineError(errors[^1].Line, $"... and {unlisted} more malformed lines after this one, not listed."));
        }

        return (count, errors);
    }

    // Null for a line the ledger writes itself (the tenant's token counts, a large operation's pages): an export carries
    // it, an import recomputes the counts and runs no operation.
    private static ImportLine? ParseLine(int number, string text)
    {
        using var textReader = new StringReader(text);
        using var jsonReader = new JsonTextReader(textReader) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal };
        var json = JObject.Load(jsonReader);
        var name = (string?)json["event"] ?? throw new FormatException("Missing \"event\": give the stable event name, for example vpp.pool.license_granted.v1.");
        if (!TypeByName.TryGetValue(name, out var type))
        {
            throw new FormatException($"Unknown event name '{name}'; use one of the stable names listed in docs/audit.md.");
        }

        var stream = (string?)json["stream"] ?? throw new FormatException("Missing \"stream\": give the stream id, for example pool:tok-1:361309726.");
        if (json["data"] is not JObject data)
        {
            throw new FormatException("Missing \"data\": give the event's fields as a JSON object.");
        }

        if (data["OccurredAt"] is null || data["OccurredAt"]!.Type == JTokenType.Null)
        {
            throw new FormatException("The event's data has no OccurredAt: give the business time as an ISO-8601 instant, for example 2025-01-31T09:00:00Z.");
        }

        var @event = (ILedgerEvent?)data.ToObject(type, Json) ?? throw new FormatException("The event's data is null.");
        if (@event is IPoolEvent pe && (pe.Pool.Token == default || pe.Pool.AdamId == default || (pe is LicenseGranted or HolderQueued or HolderLeftQueue or LicenseReclaimed && HolderOf(pe) is null)))
        {
            throw new FormatException("The event's data lacks its Pool or Holder: give Pool as {\"Token\":...,\"AdamId\":...} and Holder as u.{userId}.managed, u.{userId}.personal or d.{deviceId}.");
        }

        if (@event is TenantTokensChanged or Operations.IOperationEvent)
        {
            return null;
        }

        if (@event is TokenUploaded { Location.Value: null } or TokenUploaded { File: null } or TokenMigratedFromLegacyVpp { Location.Value: null } or TokenMigratedFromLegacyVpp { File: null })
        {
            throw new FormatException("The token event's data lacks its Location or File: give Location as apple:{locationId} and File with OrganizationName, ExpiresAt and Fingerprint.");
        }

        var expected = ExpectedStream(@event, stream);
        if (!string.Equals(expected, stream, StringComparison.Ordinal))
        {
            throw new FormatException($"Event {name} cannot be appended to stream '{stream}'; its stream is '{expected}'.");
        }

        // The text of a line reaches PostgreSQL as it is: refuse what it cannot store (NUL, a lone surrogate) or what
        // would break a log line, with the same checks commands get (rule I3), before anything is written.
        if (InputRules.Problem(@event, type, "data") is { } invalid)
        {
            throw new FormatException($"The event's {invalid}.");
        }

        var actor = (string?)json["actor"];
        if (actor is not null && InputRules.OneLineProblem(actor, InputRules.MaxNameLength) is { } badActor)
        {
            throw new FormatException($"The line's \"actor\" {badActor}; give who recorded the event as one line of text, at most {InputRules.MaxNameLength} characters.");
        }

        var id = (string?)json["id"];
        if (id is not null && InputRules.OneLineProblem(id, IdentifierText.MaxLength) is { } badId)
        {
            throw new FormatException($"The line's \"id\" {badId}; give a stable key of at most {IdentifierText.MaxLength} characters, or leave it out.");
        }

        var key = id
            ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + stream + "\n" + data.ToString(Formatting.None))));
        return new ImportLine(number, "import:" + key, stream, actor, @event);
    }

    private static string ExpectedStream(ILedgerEvent e, string stream)
    {
        var colon = stream.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon > 0 ? stream[..colon] : stream;
        var rest = colon > 0 ? stream[(colon + 1)..] : "";
        return e switch
        {
            IPoolEvent p => Streams.Pool(p.Pool),
            IAssignmentEvent a => Streams.Assignment(a.Pool, a.Group),
            TokenUploaded u => Streams.Token(u.Token),
            TenantTokensChanged => Streams.TenantTokens,
            UserRecorded u => Streams.User(u.User),
            DeviceRecorded d => Streams.Device(d.Device),
            GroupCreated g => Streams.Group(g.Group),
            ITokenEvent when prefix == "token" && rest.Length > 0 => Streams.Token(new TokenId(rest)),
            IUserEvent when prefix == "user" && rest.Length > 0 => Streams.User(new UserId(rest)),
            IDeviceEvent when prefix == "device" && rest.Length > 0 => Streams.Device(new DeviceId(rest)),
            IGroupEvent when prefix == "group" && rest.Length > 0 => Streams.Group(new GroupId(rest)),
            ITokenEvent => "token:{tokenId}",
            IUserEvent => "user:{userId}",
            IDeviceEvent => "device:{deviceId}",
            IGroupEvent => "group:{groupId}",
            _ => "(none)",
        };
    }

    private IAsyncEnumerable<IEvent> StreamAsync(string stream, CancellationToken cancellationToken)
    {
        return Iterate();

        async IAsyncEnumerable<IEvent> Iterate()
        {
            await using var session = ledger.QuerySession(TenantId);
            var events = session.Events.QueryAllRawEvents()
                .Where(e => e.StreamKey == stream)
                .OrderBy(e => e.Version)
                .ToAsyncEnumerable(cancellationToken);
            await foreach (var e in events.ConfigureAwait(false))
            {
                yield return e;
            }
        }
    }

    // The tenant's own database: its log, audit rows, chain and checkpoints live there only.
    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => ledger.OpenAsync(TenantId, cancellationToken);

    private static AuditEntry ReadEntry(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.GetString(2),
        r.GetInt64(3),
        r.GetString(4),
        Instant.FromDateTimeUtc(DateTime.SpecifyKind(r.GetDateTime(5), DateTimeKind.Utc)),
        NullableString(r, 6),
        NullableString(r, 7),
        NullableString(r, 8),
        NullableString(r, 9),
        r.IsDBNull(10) ? null : r.GetInt64(10),
        r.GetString(11),
        NullableString(r, 12),
        NullableString(r, 13),
        NullableString(r, 14),
        NullableString(r, 15),
        NullableString(r, 16),
        r.IsDBNull(17) ? null : r.GetInt64(17),
        r.IsDBNull(18) ? null : Convert.ToHexStringLower((byte[])r[18]));

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
