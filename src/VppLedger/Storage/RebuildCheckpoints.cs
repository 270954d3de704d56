using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;
using VppLedger.Audit;

namespace VppLedger.Storage;

/// <summary>
/// The checkpoints of positions folded in a rebuild's one pass over the log (a whole database's or one tenant's),
/// instead of a second pass over the sealed log after it: each page's pool and token events, already read and
/// deserialized for the projections, with their chain links read with them, go through the same
/// <see cref="TenantCheckpointer"/> the sealer uses, and the checkpoints they cut are written in the page's transaction.
/// The chain is not rebuilt: the links of the sealed prefix exist before the pass, so only events sealed when the pass
/// began are folded; the sealer cuts the checkpoints of the rest when it seals them after the pass. A whole database's
/// pass holds the sealer's lock, so no seal writes a checkpoint meanwhile; a tenant's pass takes it only to make the
/// sealer forget its folds (the tenant is stopped and sealed: the sealer has nothing of it to seal, and keeps sealing
/// the other tenants meanwhile). A pool's book checkpoint reads the pool's events through
/// the audit table's pool index, which a whole rebuild builds only after its last page: the books due are recorded in
/// <c>vpp_rebuild_book</c> in the page's transaction and cut after the pages (<see cref="WriteBooksAsync"/>), so a
/// rebuild resumed after a crash cuts them too. A resumed pass loads each tenant's fold from its latest checkpoint, as
/// the sealer does.
/// </summary>
internal sealed class RebuildCheckpoints : IAsyncDisposable
{
    private static readonly HashSet<string> Folded = new(CheckpointStore.PoolAndTokenNames, StringComparer.Ordinal);

    private readonly AuditSealer _sealer;
    private readonly string _schema;
    private readonly string? _tenant;
    private readonly long _resumedThrough;
    private readonly IAsyncDisposable _lock;
    private readonly Dictionary<string, TenantCheckpointer> _checkpointers = new(StringComparer.Ordinal);

    private RebuildCheckpoints(AuditSealer sealer, string schema, string? tenant, long resumedThrough, long sealedThrough, IAsyncDisposable held)
    {
        (_sealer, _schema, _tenant, _resumedThrough, SealedThrough, _lock) = (sealer, schema, tenant, resumedThrough, sealedThrough, held);
    }

    /// <summary>The names of the pool and token events (the only ones a checkpoint folds): the links read with a page are theirs.</summary>
    public static string[] FoldedNames => CheckpointStore.PoolAndTokenNames;

    /// <summary>Through which global sequence the log was sealed when the pass began: the events it folds.</summary>
    public long SealedThrough { get; }

    /// <summary>
    /// The table of the book checkpoints due and not cut yet. Its column is <c>tenant</c>, not <c>tenant_id</c>: it is the
    /// rebuild's own bookkeeping, not a tenant's data, and a tenant's move copies every table with a <c>tenant_id</c>.
    /// </summary>
    public static string PendingBooksDdl(string schema) =>
        $"create table if not exists {SchemaNames.Quote(schema)}.vpp_rebuild_book (tenant varchar not null, stream varchar not null, seq bigint not null, "
        + "chain_position bigint not null, hash bytea not null, primary key (tenant, seq))";

    /// <summary>Deletes the checkpoints of positions (and books still due), of every tenant or of <c>@t</c>: a rebuild's first step, in its first transaction.</summary>
    public static string ClearSql(string schema, bool oneTenant) => oneTenant
        ? $"delete from {AuditSchema.Checkpoint(schema)} where tenant_id = @t; delete from {AuditSchema.CheckpointState(schema)} where tenant_id = @t; "
            + $"delete from {AuditSchema.CheckpointBook(schema)} where tenant_id = @t; delete from {SchemaNames.Quote(schema)}.vpp_rebuild_book where tenant = @t;"
        : $"truncate {AuditSchema.Checkpoint(schema)}, {AuditSchema.CheckpointState(schema)}, {AuditSchema.CheckpointBook(schema)}, {SchemaNames.Quote(schema)}.vpp_rebuild_book;";

    /// <summary>
    /// Takes the sealer's lock on <paramref name="connection"/> (for a whole database held until disposed, for one
    /// tenant released at once) and starts the fold of a pass that begins after <paramref name="resumedThrough"/> (0:
    /// from the log's start).
    /// </summary>
    public static async Task<RebuildCheckpoints> BeginAsync(AuditSealer sealer, string schema, NpgsqlConnection connection, string? tenant, long resumedThrough, CancellationToken cancellationToken)
    {
        var held = await sealer.HoldLockAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            sealer.ForgetCheckpointers();
            var sealedThrough = await sealer.SealedThroughAsync(connection, cancellationToken).ConfigureAwait(false);
            if (tenant is not null)
            {
                await held.DisposeAsync().ConfigureAwait(false);
                held = NotHeld.Instance;
            }

            return new RebuildCheckpoints(sealer, schema, tenant, resumedThrough, sealedThrough, held);
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Folds a page's sealed pool and token events and writes the checkpoints they cut (and the books due) on the connection's open transaction.</summary>
    public async Task FoldAsync(NpgsqlConnection connection, IReadOnlyList<IEvent> page, IReadOnlyDictionary<long, (long Position, byte[] Hash)> links, CancellationToken cancellationToken)
    {
        var cuts = new List<(string Tenant, string Scope, Checkpoint Checkpoint)>();
        var books = new List<(string Tenant, string Stream, long Seq, long Position, byte[] Hash)>();
        foreach (var e in page)
        {
            if (e.Sequence > SealedThrough || !Folded.Contains(e.EventTypeName))
            {
                continue;
            }

            if (!links.TryGetValue(e.Sequence, out var link))
            {
                continue; // a link deleted from the chain: verify names it; the checkpoints skip the event, as the sealer's rewrite did
            }

            if (!_checkpointers.TryGetValue(e.TenantId, out var checkpointer))
            {
                // A resumed pass: the fold of the pages committed before the stop, from the tenant's latest checkpoint.
                checkpointer = _resumedThrough == 0
                    ? _sealer.NewCheckpointer(null)
                    : await _sealer.LoadCheckpointerAsync(connection, e.TenantId, Math.Min(_resumedThrough, SealedThrough), cuts, cancellationToken).ConfigureAwait(false);
                _checkpointers[e.TenantId] = checkpointer;
            }

            var stream = e.StreamKey!;
            cuts.AddRange(checkpointer.Apply(e.Sequence, link.Position, link.Hash, stream, (ILedgerEvent)e.Data).Select(c => (e.TenantId, "", c)));
            if (checkpointer.PoolBookDue(stream))
            {
                books.Add((e.TenantId, stream, e.Sequence, link.Position, link.Hash));
            }
        }

        await _sealer.Checkpoints.WriteAsync(connection, null, cuts, cancellationToken).ConfigureAwait(false);
        if (books.Count > 0)
        {
            await using var due = new NpgsqlCommand($"insert into {SchemaNames.Quote(_schema)}.vpp_rebuild_book select * from unnest(@t, @s, @q, @p, @h)", connection);
            due.Parameters.AddWithValue("t", books.Select(b => b.Tenant).ToArray());
            due.Parameters.AddWithValue("s", books.Select(b => b.Stream).ToArray());
            due.Parameters.AddWithValue("q", books.Select(b => b.Seq).ToArray());
            due.Parameters.AddWithValue("p", books.Select(b => b.Position).ToArray());
            due.Parameters.AddWithValue("h", NpgsqlDbType.Array | NpgsqlDbType.Bytea, books.Select(b => b.Hash).ToArray());
            await due.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cuts the book checkpoints recorded as due, in log order, each in a transaction that also forgets it.</summary>
    public async Task WriteBooksAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var due = new List<(string Tenant, string Stream, long Seq, long Position, byte[] Hash)>();
        await using (var list = new NpgsqlCommand(
            $"select tenant, stream, seq, chain_position, hash from {SchemaNames.Quote(_schema)}.vpp_rebuild_book {(_tenant is null ? "" : "where tenant = @t ")}order by seq",
            connection))
        {
            if (_tenant is not null)
            {
                list.Parameters.AddWithValue("t", _tenant);
            }

            await using var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                due.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), (byte[])reader[4]));
            }
        }

        foreach (var (tenant, stream, seq, position, hash) in due)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await _sealer.Checkpoints.CheckpointPoolAsync(connection, transaction, tenant, stream, seq, position, hash, cancellationToken).ConfigureAwait(false);
            await using (var done = new NpgsqlCommand($"delete from {SchemaNames.Quote(_schema)}.vpp_rebuild_book where tenant = @t and seq = @s", connection, transaction))
            {
                done.Parameters.AddWithValue("t", tenant);
                done.Parameters.AddWithValue("s", seq);
                await done.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the sealer's lock.</summary>
    public ValueTask DisposeAsync() => _lock.DisposeAsync();

    private sealed class NotHeld : IAsyncDisposable
    {
        public static readonly NotHeld Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
