using Marten.Storage;
using Npgsql;

namespace VppLedger.Storage;

/// <summary>
/// Moves a tenant to another database (docs/scale-out.md "How to move a tenant"): marks the move in the control
/// database, stops the tenant's writes in its database (<see cref="TenantGate"/>: every command committed before the
/// cut or is refused with <c>TenantMoving</c>), settles its location claims, seals its log, copies what cannot be
/// derived from the log (the log with its sequence numbers, the chain and its head, the idempotency records, the
/// operations, the token secrets, the import keys, the outbox, the read stamps, the feed checkpoints) to the target in
/// one transaction, rebuilds the tenant's projections there from the copied log (<see cref="TenantRebuild"/>), verifies
/// the chain there (same head, every event hash, every rebuilt audit row), switches the registry (the commit point),
/// removes the old copy and lifts the mark. Run again after a crash, it starts the copy again (before the switch) or finishes the removal (after).
/// </summary>
internal sealed class TenantMover(MartenLicenseLedger ledger)
{
    public const string MoveTable = "vpp_tenant_move";

    // Tables of the guard (claims are global, tickets and gates belong to a database) are never copied.
    private static readonly HashSet<string> NotCopied = new(StringComparer.Ordinal)
    {
        LocationGuard.ClaimTableName, LocationGuard.TicketTableName, TenantGate.TableName, LedgerTenancy.RegistryTable, MoveTable,
    };

    // The projections (AuditRebuild.ProjectionTables) are rebuilt in the target from the copied log, not copied.
    private static readonly HashSet<string> Rebuilt = new(AuditRebuild.ProjectionTables, StringComparer.Ordinal);

    /// <summary>The type name of the rows Marten writes for failed appends.</summary>
    private const string Tombstone = "tombstone";

    private string Schema => ledger.Options.SchemaName;

    private string Quoted => SchemaNames.Quote(Schema);

    public async Task MoveAsync(TenantId tenant, string toDatabase, IProgress<TenantMoveProgress>? progress, CancellationToken cancellationToken)
    {
        var id = tenant.Value;
        if (ledger.Tenancy is not LedgerTenancy { UsesRegistry: true } tenancy)
        {
            throw new InvalidOperationException(
                $"Tenant '{id}' cannot be moved: a move switches the tenant's placement in the registry of tenant databases, and this ledger has none. Call options.Databases.UseRegistry() (docs/scale-out.md).");
        }

        if (!tenancy.Databases.TryGetValue(toDatabase, out var target))
        {
            throw new UnknownDatabaseException(toDatabase, tenancy.Databases.Keys);
        }

        var from = await tenancy.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new TenantNotPlacedException(tenant);
        var marked = await MarkAsync(tenancy, id, from, toDatabase, cancellationToken).ConfigureAwait(false);
        if (string.Equals(from, toDatabase, StringComparison.Ordinal) && marked is null)
        {
            return; // already there, nothing under way
        }

        var source = tenancy.Databases[marked?.From ?? from];
        if (!string.Equals(from, toDatabase, StringComparison.Ordinal))
        {
            progress?.Report(new TenantMoveProgress(TenantMoveStep.StoppingWrites, 0));
            await using (var connection = await OpenAsync(source, cancellationToken).ConfigureAwait(false))
            {
                await TenantGate.CloseAsync(connection, Schema, id, "moving", cancellationToken).ConfigureAwait(false);
            }

            await SettleClaimsAsync(id, cancellationToken).ConfigureAwait(false);
            progress?.Report(new TenantMoveProgress(TenantMoveStep.Sealing, 0));
            await using (var connection = await OpenAsync(source, cancellationToken).ConfigureAwait(false))
            {
                await TenantGate.SealTenantAsync(connection, Schema, ledger.SealerFor(source), id, cancellationToken).ConfigureAwait(false);
            }

            var copied = await CopyAsync(source, target, id, progress, cancellationToken).ConfigureAwait(false);

            // The projections are not copied: they are rebuilt from the copied log, and the chain checked over them.
            progress?.Report(new TenantMoveProgress(TenantMoveStep.Rebuilding, copied));
            var rebuilt = await new TenantRebuild(ledger).RebuildInAsync(target, id, null, cancellationToken).ConfigureAwait(false);
            if (!rebuilt.IsIntact)
            {
                throw new InvalidOperationException(
                    $"The projections of tenant '{id}' rebuilt from its copied log do not verify against its chain ({rebuilt.FirstMismatch}); the tenant stays where it is. Run the move again.");
            }

            progress?.Report(new TenantMoveProgress(TenantMoveStep.Verifying, copied));
            await VerifyAsync(source, target, id, cancellationToken).ConfigureAwait(false);

            // The commit point: from here the target is the tenant's only home.
            progress?.Report(new TenantMoveProgress(TenantMoveStep.Switching, copied));
            await tenancy.SwitchAsync(id, toDatabase, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new TenantMoveProgress(TenantMoveStep.RemovingOldCopy, 0));
        await using (var connection = await OpenAsync(source, cancellationToken).ConfigureAwait(false))
        {
            await RemoveAsync(connection, id, cancellationToken).ConfigureAwait(false);
        }

        await UnmarkAsync(tenancy, id, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TenantMoveProgress(TenantMoveStep.Done, 0));
    }

    private sealed record Mark(string From, string To);

    // The mark in the control database: one move per tenant at a time; a move run again resumes its own.
    private async Task<Mark?> MarkAsync(LedgerTenancy tenancy, string tenant, string from, string to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(tenancy.Databases[TenantDatabaseOptions.Control], cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"create table if not exists {Quoted}.{MoveTable} (tenant_id varchar primary key, from_database varchar not null, to_database varchar not null, started_at timestamptz not null); "
            + (string.Equals(from, to, StringComparison.Ordinal) ? "" : $"insert into {Quoted}.{MoveTable} values (@t, @f, @d, now()) on conflict (tenant_id) do nothing; ")
            + $"select from_database, to_database from {Quoted}.{MoveTable} where tenant_id = @t",
            connection);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("f", from);
        command.Parameters.AddWithValue("d", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var mark = new Mark(reader.GetString(0), reader.GetString(1));
        if (!string.Equals(mark.To, to, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Tenant '{tenant}' is already being moved from '{mark.From}' to '{mark.To}': run that move again to finish it, then move the tenant to '{to}'.");
        }

        return mark;
    }

    private async Task UnmarkAsync(LedgerTenancy tenancy, string tenant, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(tenancy.Databases[TenantDatabaseOptions.Control], cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"delete from {Quoted}.{MoveTable} where tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", tenant);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // A claim left changing by a command of the tenant is settled now, in the source, where its ticket lives.
    private async Task SettleClaimsAsync(string tenant, CancellationToken cancellationToken)
    {
        var guard = ledger.Runner.Guard;
        foreach (var commandId in await guard.ChangingCommandsOfAsync(tenant, cancellationToken).ConfigureAwait(false))
        {
            await guard.SettleCommandAsync(tenant, commandId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every table of the schema with a tenant column, streams first, then events, then the rest by name.</summary>
    private async Task<List<(string Table, string[] Columns)>> TenantTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select c.table_name, array_agg(c.column_name::text order by c.ordinal_position) from information_schema.columns c "
            + "join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE' "
            + "where c.table_schema = @s group by c.table_name having bool_or(c.column_name = 'tenant_id')",
            connection);
        command.Parameters.AddWithValue("s", Schema);
        var tables = new List<(string Table, string[] Columns)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!NotCopied.Contains(reader.GetString(0)))
                {
                    tables.Add((reader.GetString(0), (string[])reader[1]));
                }
            }
        }

        static int Rank(string table) => table switch { "mt_streams" => 0, "mt_events" => 1, _ => 2 };
        return [.. tables.OrderBy(t => Rank(t.Table)).ThenBy(t => t.Table, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Copies every row of the tenant that its log cannot give back, in one transaction of the target (whatever an
    /// earlier attempt left there is deleted first); events keep their sequence numbers, which the chain hashes; the
    /// target's sequence is moved past them, within its own residue (<see cref="SequenceRanges"/>), so the tenant's next
    /// events follow them and no number is ever made twice.
    /// </summary>
    private async Task<long> CopyAsync(IMartenDatabase source, IMartenDatabase target, string tenant, IProgress<TenantMoveProgress>? progress, CancellationToken cancellationToken)
    {
        await using var read = await OpenAsync(source, cancellationToken).ConfigureAwait(false);
        await using var write = await OpenAsync(target, cancellationToken).ConfigureAwait(false);
        var tables = await TenantTablesAsync(read, cancellationToken).ConfigureAwait(false);
        var targetColumns = (await TenantTablesAsync(write, cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Table, t => t.Columns, StringComparer.Ordinal);
        long rows = 0;
        await using var transaction = await write.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var table in targetColumns.Keys.OrderByDescending(t => t == "mt_streams" ? 0 : t == "mt_events" ? 1 : 2).ThenByDescending(t => t, StringComparer.Ordinal))
        {
            await ExecuteAsync(write, $"delete from {Quoted}.{SchemaNames.Quote(table)} where tenant_id = @t", tenant, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(write, $"delete from {Quoted}.{TenantGate.TableName} where tenant_id = @t", tenant, cancellationToken).ConfigureAwait(false);
        foreach (var (table, columns) in tables.Where(t => !Rebuilt.Contains(t.Table)))
        {
            if (!targetColumns.TryGetValue(table, out var there))
            {
                throw new InvalidOperationException($"Table {Schema}.{table} of tenant '{tenant}' is missing in the target database: apply the schema to every database first (ApplySchemaAsync, or vppledger migrate).");
            }

            var shared = string.Join(", ", columns.Where(c => there.Contains(c, StringComparer.Ordinal)).Select(SchemaNames.Quote));
            var quotedTenant = tenant.Replace("'", "''", StringComparison.Ordinal);
            // Marten's tombstones (rows it writes for failed appends, such as the writes the gate refuses) are not the log.
            var rowsOfTenant = $"tenant_id = '{quotedTenant}'" + (table == "mt_events" ? $" and type <> '{Tombstone}'" : "");
            await using (var output = await read.BeginRawBinaryCopyAsync($"copy (select {shared} from {Quoted}.{SchemaNames.Quote(table)} where {rowsOfTenant}) to stdout (format binary)", cancellationToken).ConfigureAwait(false))
            await using (var input = await write.BeginRawBinaryCopyAsync($"copy {Quoted}.{SchemaNames.Quote(table)} ({shared}) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
            {
                await output.CopyToAsync(input, cancellationToken).ConfigureAwait(false);
            }

            rows += await CountAsync(write, $"select count(*) from {Quoted}.{SchemaNames.Quote(table)} where tenant_id = @t", tenant, cancellationToken).ConfigureAwait(false);
            progress?.Report(new TenantMoveProgress(TenantMoveStep.Copying, rows));
        }

        // The tenant's next events follow its copied ones, numbered in the target's own residue (SequenceRanges).
        var range = await SequenceRanges.LoadAsync(write, Schema, cancellationToken, transaction).ConfigureAwait(false);
        await ExecuteAsync(write, SequenceRanges.MovePastSql(Schema, range), tenant, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    /// <summary>The chain on the target: the same head as the source, as long, and every event hashing to its chain row.</summary>
    private async Task VerifyAsync(IMartenDatabase source, IMartenDatabase target, string tenant, CancellationToken cancellationToken)
    {
        var chain = AuditSchema.Chain(Schema);
        var head = $"select coalesce((select encode(hash, 'hex') || ':' || chain_position from {AuditSchema.Head(Schema)} where tenant_id = @t), '') "
            + $"|| '/' || (select count(*) from {chain} where tenant_id = @t) || '/' || (select count(*) from {Quoted}.mt_events where tenant_id = @t and type <> '{Tombstone}')";
        string before, after;
        long broken;
        await using (var connection = await OpenAsync(source, cancellationToken).ConfigureAwait(false))
        {
            before = await ScalarTextAsync(connection, head, tenant, cancellationToken).ConfigureAwait(false);
        }

        await using (var connection = await OpenAsync(target, cancellationToken).ConfigureAwait(false))
        {
            after = await ScalarTextAsync(connection, head, tenant, cancellationToken).ConfigureAwait(false);
            broken = await CountAsync(connection,
                $"select count(*) from {chain} c left join {Quoted}.mt_events e on e.tenant_id = c.tenant_id and e.seq_id = c.seq "
                + $"where c.tenant_id = @t and (e.seq_id is null or c.event_hash <> {AuditSchema.EventHashSql("e")})",
                tenant, cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(before, after, StringComparison.Ordinal) || broken > 0)
        {
            throw new InvalidOperationException(
                $"The copy of tenant '{tenant}' does not verify (source head/chain/events {before}, target {after}, {broken} events that do not hash to their chain row); the tenant stays where it is. Run the move again.");
        }
    }

    private async Task RemoveAsync(NpgsqlConnection connection, string tenant, CancellationToken cancellationToken)
    {
        var tables = await TenantTablesAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (table, _) in tables.AsEnumerable().Reverse())
        {
            await ExecuteAsync(connection, $"delete from {Quoted}.{SchemaNames.Quote(table)} where tenant_id = @t", tenant, cancellationToken).ConfigureAwait(false);
        }

        // The gate row stays: a process that still routes the tenant here is refused (TenantMoving) and reads the registry again.
        await ExecuteAsync(connection, $"update {Quoted}.{TenantGate.TableName} set state = 'moved' where tenant_id = @t", tenant, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<NpgsqlConnection> OpenAsync(IMartenDatabase database, CancellationToken cancellationToken)
    {
        var connection = database.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string tenant, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("t", tenant);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, string tenant, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("t", tenant);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<string> ScalarTextAsync(NpgsqlConnection connection, string sql, string tenant, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("t", tenant);
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
