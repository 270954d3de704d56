using System.Runtime.CompilerServices;
using Newtonsoft.Json;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using VppLedger.Audit;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>
/// Reads and writes the checkpoints of positions (<c>vpp_checkpoint</c>, <c>vpp_checkpoint_state</c>,
/// <c>vpp_checkpoint_book</c>) and the pool and token events around them. It loads, pages and writes; the fold and
/// the cut are the domain's (<see cref="TenantCheckpointer"/>, <see cref="PoolBookCheckpoint"/>, <see cref="TenantAsOfFold"/>).
/// </summary>
/// <param name="schema">The ledger's schema.</param>
/// <param name="fullEvery">Every how many checkpoints of a tenant, or book checkpoints of a pool, one is full.</param>
internal sealed class CheckpointStore(string schema, int fullEvery = CheckpointStore.FullEvery)
{
    /// <summary>
    /// By default, every how many checkpoints one holds every stream (the others hold the streams changed since the
    /// one before), and every how many book checkpoints of a pool one holds the whole book (the others a delta).
    /// </summary>
    public const int FullEvery = 16;

    /// <summary>Every how many checkpoints one is full.</summary>
    public int FullEveryCuts { get; } = Math.Max(1, fullEvery);

    private static readonly JsonSerializer Json = JsonSerializer.Create(NewtonsoftSerializer.CreateSettings());

    private static readonly Dictionary<string, Type> TypeByName = EventNames.All
        .Where(e => typeof(IPoolEvent).IsAssignableFrom(e.Type) || typeof(ITokenEvent).IsAssignableFrom(e.Type))
        .ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);

    /// <summary>The stable names of the pool and token events (the only ones a checkpoint folds).</summary>
    public static string[] PoolAndTokenNames { get; } = [.. TypeByName.Keys];

    /// <summary>One event read for a fold: its position, stream, chain link (when asked for) and data.</summary>
    public sealed record FoldEvent(long Seq, string Stream, long ChainPosition, byte[]? Hash, ILedgerEvent Event);

    /// <summary>Deserializes a stored pool or token event; null for another type.</summary>
    public static ILedgerEvent? Read(string type, string data) =>
        TypeByName.TryGetValue(type, out var t) ? (ILedgerEvent?)Json.Deserialize(new StringReader(data), t) : null;

    /// <summary>
    /// Begins the one snapshot an as-of answer reads in (repeatable read), without PostgreSQL's JIT compilation: the
    /// planner cannot size the log ranges an answer reads, so it costs them as millions of rows and compiles the plan,
    /// which took 300 ms of the answer for 30,000 events read (the reads themselves are index probes).
    /// </summary>
    public static async Task<NpgsqlTransaction> BeginSnapshotAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var noJit = new NpgsqlCommand("set local jit = off", connection, snapshot);
        await noJit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>
    /// The tenant's fold state at its checkpoint nearest before <paramref name="asOf"/> (the last one whose events all
    /// occurred at or before it), or at its latest checkpoint when <paramref name="asOf"/> is null; null when none fits.
    /// </summary>
    public async Task<CheckpointState?> LoadAsync(NpgsqlConnection connection, string tenant, string scope, Instant? asOf, CancellationToken cancellationToken)
    {
        await using var pick = new NpgsqlCommand(
            $"select seq, chain_position, hash, max_occurred_at, event_count, cut_number from {AuditSchema.Checkpoint(schema)} c where tenant_id = @t and scope = @scope "

            // A book checkpoint of an earlier version (its book inside vpp_checkpoint_position) counts as absent.
            + (scope.Length == 0 ? "" : $"and exists (select 1 from {AuditSchema.CheckpointBook(schema)} b where b.tenant_id = c.tenant_id and b.scope = c.scope and b.checkpoint_seq = c.seq) ")
            + (asOf is null ? "order by seq desc limit 1" : "and max_occurred_at <= @at order by max_occurred_at desc, seq desc limit 1"),
            connection);
        pick.Parameters.AddWithValue("t", tenant);
        pick.Parameters.AddWithValue("scope", scope);
        if (asOf is { } at)
        {
            pick.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, Bounded(at));
        }

        long seq, position, count;
        byte[] hash;
        Instant max;
        int cut;
        await using (var reader = await pick.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (seq, position, hash, max, count, cut) = (reader.GetInt64(0), reader.GetInt64(1), (byte[])reader[2], ToInstant(reader.GetDateTime(3)), reader.GetInt64(4), reader.GetInt32(5));
        }

        if (scope.Length > 0)
        {
            return new CheckpointState(seq, position, hash, max, count, cut, [await LoadBookAsync(connection, tenant, scope, seq, count, cancellationToken).ConfigureAwait(false)]);
        }

        // The last full checkpoint at or before it, then every one after it up to it; the newest state of each stream wins.
        await using var positions = new NpgsqlCommand(
            $"""
            select p.positions from {AuditSchema.CheckpointState(schema)} p
            where p.tenant_id = @t and p.checkpoint_seq <= @s
              and p.checkpoint_seq >= (select max(c.seq) from {AuditSchema.Checkpoint(schema)} c where c.tenant_id = @t and c.scope = '' and c.seq <= @s and c.full_state)
            order by p.checkpoint_seq desc
            """,
            connection);
        positions.Parameters.AddWithValue("t", tenant);
        positions.Parameters.AddWithValue("s", seq);
        var stored = new List<byte[]>();
        await using (var reader = await positions.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored.Add(reader.GetFieldValue<byte[]>(0));
            }
        }

        if (stored.Count == 0)
        {
            // No full checkpoint at or before it (a checkpoint of an earlier version was dropped under it): fold from
            // further back rather than from an empty state.
            return null;
        }

        var list = CheckpointStateCodec.Read(stored);
        return new CheckpointState(seq, position, hash, max, count, cut, list);
    }

    // A pool's book at its checkpoint at seq: the last whole book at or before it, then each delta after it in order
    // (at most FullEvery - 1 of them); the counters of the checkpoint itself.
    private async Task<CheckpointPosition> LoadBookAsync(NpgsqlConnection connection, string tenant, string scope, long seq, long count, CancellationToken cancellationToken)
    {
        await using var books = new NpgsqlCommand(
            $"""
            select b.checkpoint_seq = @s, case when b.checkpoint_seq = @s then b.state::text end, b.book
            from {AuditSchema.CheckpointBook(schema)} b
            where b.tenant_id = @t and b.scope = @scope and b.checkpoint_seq <= @s
              and b.checkpoint_seq >= (select max(c.seq) from {AuditSchema.Checkpoint(schema)} c join {AuditSchema.CheckpointBook(schema)} w
                on w.tenant_id = c.tenant_id and w.scope = c.scope and w.checkpoint_seq = c.seq where c.tenant_id = @t and c.scope = @scope and c.seq <= @s and c.full_state)
            order by b.checkpoint_seq
            """,
            connection);
        books.Parameters.AddWithValue("t", tenant);
        books.Parameters.AddWithValue("scope", scope);
        books.Parameters.AddWithValue("s", seq);
        var stored = new List<byte[]>();
        PoolState? state = null;
        await using (var reader = await books.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored.Add(reader.GetFieldValue<byte[]>(2));
                if (reader.GetBoolean(0))
                {
                    state = Json.Deserialize<PoolState>(new JsonTextReader(new StringReader(reader.GetString(1))));
                }
            }
        }

        var (holders, queue) = PoolBookCodec.Read(stored);
        return new CheckpointPosition(scope, state ?? throw new InvalidOperationException($"The book checkpoint of {scope} at {seq} has no book row; rebuild the checkpoints (RebuildAsync)."), null, count, holders, queue);
    }

    /// <summary>
    /// The log ranges <c>(from, to]</c> after position <paramref name="after"/> that may hold an event of the tenant
    /// that occurred at or before <paramref name="asOf"/>: the segments whose earliest business time is not after it,
    /// and the tail after the last checkpoint.
    /// </summary>
    public async Task<List<(long From, long To)>> RangesAfterAsync(NpgsqlConnection connection, string tenant, string scope, long after, Instant asOf, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select from_seq, seq from {AuditSchema.Checkpoint(schema)} where tenant_id = @t and scope = @scope and seq > @after and segment_min_occurred_at <= @at
            union all
            select coalesce(max(seq), 0), {long.MaxValue} from {AuditSchema.Checkpoint(schema)} where tenant_id = @t and scope = @scope
            order by 1
            """,
            connection);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("scope", scope);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, Bounded(asOf));
        var ranges = new List<(long From, long To)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (from, to) = (Math.Max(after, reader.GetInt64(0)), reader.GetInt64(1));
            if (ranges.Count > 0 && ranges[^1].To >= from)
            {
                ranges[^1] = (ranges[^1].From, Math.Max(ranges[^1].To, to));
            }
            else if (to > from)
            {
                ranges.Add((from, to));
            }
        }

        return ranges;
    }

    /// <summary>
    /// The tenant's pool and token events in the given log ranges, in log order, streamed; only those that occurred at
    /// or before <paramref name="asOf"/> when it is given; with their chain links when <paramref name="withLinks"/>.
    /// </summary>
    public async IAsyncEnumerable<FoldEvent> EventsAsync(
        NpgsqlConnection connection,
        string tenant,
        IReadOnlyList<(long From, long To)> ranges,
        Instant? asOf,
        bool withLinks,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        PoolId? pool = null)
    {
        if (ranges.Count == 0)
        {
            yield break;
        }

        // One pool's events are found through the audit table's pool index, the tenant's through the log's sequence.
        // The chain link and the business time are looked up for each event read, by index (a lateral subquery that
        // cannot be flattened): the planner cannot size the ranges, and as joins it hashed the whole audit table or
        // chain of the tenant (11 s on the 5.2M-event tenant for 30,000 events read; docs/benchmarks.md).
        var links = withLinks ? "c.chain_position, c.hash" : "0::bigint, null::bytea";
        var chain = withLinks ? $"cross join lateral (select c.chain_position, c.hash from {AuditSchema.Chain(schema)} c where c.tenant_id = e.tenant_id and c.seq = e.seq_id offset 0) c " : "";
        await using var command = new NpgsqlCommand(
            pool is null
                ? $"select e.seq_id, e.stream_id, e.type, e.data::text, {links} "
                    + $"from unnest(@lo, @hi) r(lo, hi) join {SchemaNames.Quote(schema)}.mt_events e on e.seq_id > r.lo and e.seq_id <= r.hi {chain}"
                    + (asOf is null ? "" : $"left join lateral (select a.occurred_at from {AuditSchema.Qualified(schema)} a where a.tenant_id = e.tenant_id and a.seq = e.seq_id offset 0) a on true ")
                    + "where e.tenant_id = @t and e.type = any(@types) "
                    + (asOf is null ? "" : "and (a.occurred_at is null or a.occurred_at <= @at) ")
                    + "order by e.seq_id"
                : $"select e.seq_id, e.stream_id, e.type, e.data::text, {links} "
                    + $"from unnest(@lo, @hi) r(lo, hi) join {AuditSchema.Qualified(schema)} a "
                    + "on a.tenant_id = @t and a.token = @token and a.adam_id = @adam and a.seq > r.lo and a.seq <= r.hi "
                    + $"join {SchemaNames.Quote(schema)}.mt_events e on e.seq_id = a.seq and e.tenant_id = a.tenant_id {chain}"
                    + "where a.stream = @stream and e.type = any(@types) "
                    + (asOf is null ? "" : "and a.occurred_at <= @at ")
                    + "order by e.seq_id",
            connection);
        command.Parameters.AddWithValue("t", tenant);
        if (pool is { } p)
        {
            command.Parameters.AddWithValue("token", p.Token.Value);
            command.Parameters.AddWithValue("adam", p.AppKey);
            command.Parameters.AddWithValue("stream", Streams.Pool(p));
        }

        command.Parameters.AddWithValue("lo", ranges.Select(r => r.From).ToArray());
        command.Parameters.AddWithValue("hi", ranges.Select(r => r.To).ToArray());
        command.Parameters.AddWithValue("types", PoolAndTokenNames);
        if (asOf is { } at)
        {
            command.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, Bounded(at));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Read(reader.GetString(2), reader.GetString(3)) is { } e)
            {
                yield return new FoldEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(4), reader.IsDBNull(5) ? null : (byte[])reader[5], e);
            }
        }
    }

    /// <summary>
    /// Cuts and writes the book checkpoint of one pool at <paramref name="seq"/>: its previous book checkpoint and
    /// its events after it, read through the audit table's pool index (O(events since the last one + holders)).
    /// </summary>
    public async Task CheckpointPoolAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, string stream, long seq, long chainPosition, byte[] hash, CancellationToken cancellationToken)
    {
        var previous = await LoadAsync(connection, tenant, stream, null, cancellationToken).ConfigureAwait(false);
        var pool = PoolOf(stream);
        var events = new List<ILedgerEvent>();
        await foreach (var e in EventsAsync(connection, tenant, [(previous?.Seq ?? 0, seq)], null, withLinks: false, cancellationToken, pool).ConfigureAwait(false))
        {
            events.Add(e.Event);
        }

        var checkpoint = PoolBookCheckpoint.Cut(pool, stream, previous, events, seq, chainPosition, hash, FullEveryCuts);
        await WriteAsync(connection, transaction, [(tenant, stream, checkpoint)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pool of a pool stream id, <c>pool:{token}:{appKey}</c> (<see cref="Streams.Pool"/>; a token id holds no ':', an app key may: <c>{adamId}:PLUS</c>).</summary>
    internal static PoolId PoolOf(string stream)
    {
        var colon = stream.IndexOf(':', 5);
        return PoolId.FromAppKey(stream[5..colon], stream[(colon + 1)..]);
    }

    /// <summary>Writes checkpoints of one or more tenants with set-based statements (the checkpoints, the pool books, the tenant positions), in the caller's transaction (scope '' for a tenant's, the pool stream for a pool's book; null: the connection's open one).</summary>
    public async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<(string Tenant, string Scope, Checkpoint Checkpoint)> checkpoints, CancellationToken cancellationToken)
    {
        if (checkpoints.Count == 0)
        {
            return;
        }

        await using (var insert = new NpgsqlCommand(
            $"insert into {AuditSchema.Checkpoint(schema)} (tenant_id, scope, seq, from_seq, chain_position, hash, max_occurred_at, segment_min_occurred_at, event_count, cut_number, full_state) "
            + "select * from unnest(@t, @scope, @s, @f, @p, @h, @max, @min, @n, @cut, @full)",
            connection,
            transaction))
        {
            insert.Parameters.AddWithValue("t", checkpoints.Select(c => c.Tenant).ToArray());
            insert.Parameters.AddWithValue("scope", checkpoints.Select(c => c.Scope).ToArray());
            insert.Parameters.AddWithValue("s", checkpoints.Select(c => c.Checkpoint.Seq).ToArray());
            insert.Parameters.AddWithValue("f", checkpoints.Select(c => c.Checkpoint.FromSeq).ToArray());
            insert.Parameters.AddWithValue("p", checkpoints.Select(c => c.Checkpoint.ChainPosition).ToArray());
            insert.Parameters.AddWithValue("h", NpgsqlDbType.Array | NpgsqlDbType.Bytea, checkpoints.Select(c => c.Checkpoint.Hash).ToArray());
            insert.Parameters.AddWithValue("max", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, checkpoints.Select(c => c.Checkpoint.MaxOccurredAt.ToDateTimeUtc()).ToArray());
            insert.Parameters.AddWithValue("min", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, checkpoints.Select(c => c.Checkpoint.SegmentMinOccurredAt.ToDateTimeUtc()).ToArray());
            insert.Parameters.AddWithValue("n", checkpoints.Select(c => c.Checkpoint.EventCount).ToArray());
            insert.Parameters.AddWithValue("cut", checkpoints.Select(c => c.Checkpoint.CutNumber).ToArray());
            insert.Parameters.AddWithValue("full", checkpoints.Select(c => c.Checkpoint.Full).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var books = checkpoints.Where(c => c.Scope.Length > 0).SelectMany(c => c.Checkpoint.Positions.Select(p => (c.Tenant, c.Scope, c.Checkpoint.Seq, Position: p))).ToList();
        if (books.Count > 0)
        {
            await using var book = new NpgsqlCommand(
                $"insert into {AuditSchema.CheckpointBook(schema)} (tenant_id, scope, checkpoint_seq, state, book) "
                + "select t, sc, s, j::jsonb, b from unnest(@t, @sc, @s, @j, @b) as u(t, sc, s, j, b)",
                connection,
                transaction);
            book.Parameters.AddWithValue("t", books.Select(r => r.Tenant).ToArray());
            book.Parameters.AddWithValue("sc", books.Select(r => r.Scope).ToArray());
            book.Parameters.AddWithValue("s", books.Select(r => r.Seq).ToArray());
            book.Parameters.AddWithValue("j", books.Select(r => ToJson(r.Position.Pool)).ToArray());
            book.Parameters.AddWithValue("b", NpgsqlDbType.Array | NpgsqlDbType.Bytea, books.Select(r => r.Position.Delta is { } delta
                ? PoolBookCodec.EncodeDelta(delta)
                : PoolBookCodec.EncodeBook(r.Position.Holders ?? [], r.Position.Queue ?? [])).ToArray());
            await book.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var tenants = checkpoints.Where(c => c.Scope.Length == 0).ToList();
        if (tenants.Count == 0)
        {
            return;
        }

        await using var states = new NpgsqlCommand(
            $"insert into {AuditSchema.CheckpointState(schema)} (tenant_id, checkpoint_seq, position_count, positions) select * from unnest(@t, @s, @n, @p)",
            connection,
            transaction);
        states.Parameters.AddWithValue("t", tenants.Select(c => c.Tenant).ToArray());
        states.Parameters.AddWithValue("s", tenants.Select(c => c.Checkpoint.Seq).ToArray());
        states.Parameters.AddWithValue("n", tenants.Select(c => c.Checkpoint.Positions.Count).ToArray());
        states.Parameters.AddWithValue("p", NpgsqlDbType.Array | NpgsqlDbType.Bytea, tenants.Select(c => CheckpointStateCodec.Encode(c.Checkpoint.Positions)).ToArray());
        await states.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ToJson(object? state)
    {
        using var text = new StringWriter();
        Json.Serialize(text, state);
        return text.ToString();
    }

    // An instant outside the years 1 to 9999 (NodaTime allows them, PostgreSQL and DateTime do not) reads as the nearest
    // one inside: every stored business time lies inside, so the answer is the same; the fold keeps the real instant.
    private static DateTime Bounded(Instant at) =>
        at < MinSql ? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)
        : at > MaxSql ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)
        : at.ToDateTimeUtc();

    private static readonly Instant MinSql = Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));

    private static readonly Instant MaxSql = Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));

    private static Instant ToInstant(DateTime value) => Instant.FromDateTimeUtc(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
