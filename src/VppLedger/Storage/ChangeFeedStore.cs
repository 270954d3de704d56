using JasperFx.Events;
using Marten;
using Npgsql;
using VppLedger.Feed;
using Weasel.Postgresql;
using static Weasel.Postgresql.SchemaUtils;
using Weasel.Postgresql.Tables;

namespace VppLedger.Storage;

/// <summary>
/// The change feed (issue 15): reads through Marten's event store, up to the audit sealer's gap-free prefix, and
/// checkpoints in <c>vpp_feed_checkpoint</c> (one row per tenant and subscription, moved forward only by
/// <c>greatest()</c> in one statement, so two committers never move it back).
/// </summary>
internal sealed class MartenChangeFeed(MartenLicenseLedger ledger, string tenantId, string subscription) : IChangeFeed
{
    public const string TableName = "vpp_feed_checkpoint";

    /// <summary>Most events one read returns.</summary>
    public const int MaxBatch = 10_000;

    private static readonly string[] LedgerEventNames = [.. EventNames.All.Select(e => e.Name)];

    public string Subscription { get; } = subscription;

    private string Table => $"{SchemaNames.Quote(ledger.Options.SchemaName)}.{TableName}";

    public static string CheckName(string subscription)
    {
        if (string.IsNullOrWhiteSpace(subscription) || subscription.Length > VppLedger.TenantId.MaxLength
            || !subscription.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException(
                $"Subscription name '{subscription}' is not valid: use 1 to {VppLedger.TenantId.MaxLength} letters, digits, '.', '_' or '-' (for example siem).",
                nameof(subscription));
        }

        return subscription;
    }

    public static void Register(StoreOptions options)
    {
        var table = new Table(new PostgresqlObjectName(options.DatabaseSchemaName, TableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("subscription_name").NotNull().AsPrimaryKey();
        table.AddColumn<long>("checkpoint_seq").NotNull();
        table.AddColumn("committed_at", "timestamptz").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    public Task<long> CheckpointAsync(CancellationToken cancellationToken = default) =>
        InfrastructureFaults.ReadAsync("a feed checkpoint was read", () => ledger.ReadPlacedAsync(tenantId, async () =>
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"select checkpoint_seq from {Table} where tenant_id = @t and subscription_name = @s", connection);
            command.Parameters.AddWithValue("t", tenantId);
            command.Parameters.AddWithValue("s", Subscription);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0L;
        }, cancellationToken), cancellationToken);

    public Task<long> CommitAsync(long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return InfrastructureFaults.ReadAsync("a feed checkpoint was committed", async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var database = await ledger.DatabaseOfAsync(tenantId, cancellationToken).ConfigureAwait(false);
                try
                {
                    return await CommitInAsync(database, position, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (TenantGate.IsClosed(e))
                {
                    // Gated like a command: moved away (the registry names another database now), commit there; moving
                    // or rebuilding, refused (nothing written), retryable.
                    if (attempt < 3 && ledger.Tenancy is LedgerTenancy tenancy
                        && !await tenancy.StillHomeAsync(tenantId, database, ledger.Options.SchemaName, cancellationToken).ConfigureAwait(false))
                    {
                        continue;
                    }

                    throw new LedgerUnavailableException(
                        $"The checkpoint of subscription '{Subscription}' of tenant '{tenantId}' was not committed: the tenant is being moved to another database, or its projections rebuilt; nothing was written. "
                        + "Commit it again in a few seconds (a checkpoint only moves forward); a feed that stops here delivers the events after its last committed checkpoint again (at least once).",
                        outcomeUnknown: false,
                        e);
                }
            }
        }, cancellationToken, writes: true);
    }

    // The tenant's gate (TenantGate) in the same statement: a checkpoint is never written into a database the tenant is
    // leaving (after the move's barrier) or has left.
    private async Task<long> CommitInAsync(Marten.Storage.IMartenDatabase database, long position, CancellationToken cancellationToken)
    {
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            insert into {Table} as c (tenant_id, subscription_name, checkpoint_seq, committed_at)
            select @t, @s, @p, now() where {SchemaNames.Quote(ledger.Options.SchemaName)}.{TenantGate.OpenFunction}(@t)
            on conflict (tenant_id, subscription_name) do update set checkpoint_seq = greatest(c.checkpoint_seq, excluded.checkpoint_seq),
                committed_at = case when excluded.checkpoint_seq > c.checkpoint_seq then excluded.committed_at else c.committed_at end
            returning checkpoint_seq
            """,
            connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("s", Subscription);
        command.Parameters.AddWithValue("p", position);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public Task<IReadOnlyList<FeedEvent>> ReadAsync(long after, int max = 500, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxBatch);
        return InfrastructureFaults.ReadAsync("the change feed was read", () => ledger.ReadPlacedAsync<IReadOnlyList<FeedEvent>>(tenantId, async () =>
        {
            // Only the sealed prefix: below it no transaction can still commit an event (AuditSealer), so a feed that
            // moved past a position never misses an event that lands under it later.
            var (through, _) = await (await ledger.SealerOfAsync(tenantId, cancellationToken).ConfigureAwait(false)).SealAsync(cancellationToken).ConfigureAwait(false);
            if (through <= after)
            {
                return [];
            }

            await using var session = ledger.QuerySession(tenantId);
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > after && e.Sequence <= through && LedgerEventNames.Contains(e.EventTypeName))
                .OrderBy(e => e.Sequence)
                .Take(max)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. events.Select(ToFeedEvent)];
        }, cancellationToken), cancellationToken);
    }

    public async Task<long> RunAsync(IChangeSink sink, ChangeFeedOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        options ??= new ChangeFeedOptions();
        var checkpoint = await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var batch = await ReadAsync(checkpoint, options.BatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                if (!options.Follow)
                {
                    return checkpoint;
                }

                await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await sink.DeliverAsync(new TenantId(tenantId), batch, cancellationToken).ConfigureAwait(false);
            checkpoint = await CommitAsync(batch[^1].Position, cancellationToken).ConfigureAwait(false);
        }
    }

    private static FeedEvent ToFeedEvent(IEvent e) =>
        new(e.Sequence, e.StreamKey!, e.Version, e.EventTypeName, (ILedgerEvent)e.Data, e.UserName, e.CorrelationId);

    // The tenant's own database: its log, audit rows, chain and checkpoints live there only.
    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => ledger.OpenAsync(tenantId, cancellationToken);
}
