using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;
using static Weasel.Postgresql.SchemaUtils;

namespace VppLedger.Storage;

/// <summary>
/// Stops a tenant's writes in one database while it moves to another (docs/scale-out.md), created with the schema in
/// every database:
/// <list type="bullet">
/// <item><c>vpp_tenant_gate</c>: one row per tenant whose writes are stopped here (moving away, or moved away: the row
/// stays, so a process that still routes the tenant here is refused instead of writing to the old copy).</item>
/// <item><c>vpp_tenant_open</c>: called in every command's transaction (and every import page's): holds a shared
/// advisory lock of the tenant until the commit, and raises SQLSTATE <see cref="ClosedState"/> when the tenant has a
/// gate row. The move inserts the row, then takes the same lock exclusively once: that waits for every transaction
/// that passed the check before the row was visible, so after it no write of the tenant can commit here (the cut).</item>
/// </list>
/// </summary>
internal static class TenantGate
{
    public const string TableName = "vpp_tenant_gate";
    public const string OpenFunction = "vpp_tenant_open";

    /// <summary>The SQLSTATE a write of a gated tenant fails with; the runner turns it into <c>TenantMoving</c>.</summary>
    public const string ClosedState = "VL001";

    /// <summary>The first key of the tenant's advisory lock ("VPMV"); the second is <c>hashtext(tenant)</c>.</summary>
    private const int LockClass = 0x56504D56;

    public static void Register(StoreOptions options)
    {
        var schema = options.DatabaseSchemaName;
        var table = new Table(new PostgresqlObjectName(schema, TableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("state").NotNull();
        table.AddColumn("since", "timestamptz").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
        options.Storage.ExtendedSchemaObjects.Add(new Function(new PostgresqlObjectName(schema, OpenFunction, IdentifierUsage.General), OpenSql(schema)));
        SequenceRanges.Register(options);
    }

    /// <summary>The statement queued in a write transaction of a tenant: fails it when the tenant's writes are stopped here.</summary>
    public static string OpenStatement(string schema) =>
        $"insert into {SchemaNames.Quote(schema)}.{ReadGuards.StampTable} (tenant_id, key, stamp) select '', '', 0 where not {SchemaNames.Quote(schema)}.{OpenFunction}(?)";

    /// <summary>True when <paramref name="e"/> is a write refused by a closed gate.</summary>
    public static bool IsClosed(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: ClosedState })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Stops the tenant's writes in the database of <paramref name="connection"/> and waits for every write of it in
    /// flight there to commit or roll back. Safe to repeat.
    /// </summary>
    public static async Task CloseAsync(NpgsqlConnection connection, string schema, string tenant, string state, CancellationToken cancellationToken)
    {
        await using (var close = new NpgsqlCommand(
            $"insert into {SchemaNames.Quote(schema)}.{TableName} (tenant_id, state, since) values (@t, @s, now()) on conflict (tenant_id) do update set state = excluded.state", connection))
        {
            close.Parameters.AddWithValue("t", tenant);
            close.Parameters.AddWithValue("s", state);
            await close.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await BarrierAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
    }

    // The exclusive lock once, after the gate row committed: waits for every write that passed the check before.
    private static async Task BarrierAsync(NpgsqlConnection connection, string tenant, CancellationToken cancellationToken)
    {
        await using var barrier = new NpgsqlCommand(
            $"select pg_advisory_lock({LockClass}, hashtext(@t)); select pg_advisory_unlock({LockClass}, hashtext(@t))", connection);
        barrier.Parameters.AddWithValue("t", tenant);
        await barrier.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the tenant's writes in the database of <paramref name="connection"/> unless they are stopped already in
    /// another state (a rebuild never takes over a move's gate), then waits for every write in flight as
    /// <see cref="CloseAsync"/> does. Returns the gate's state afterwards: <paramref name="state"/>, or the other one
    /// (then nothing was changed and nothing waited for).
    /// </summary>
    public static async Task<string> CloseUnlessClosedAsync(NpgsqlConnection connection, string schema, string tenant, string state, CancellationToken cancellationToken)
    {
        string now;
        await using (var close = new NpgsqlCommand(
            $"insert into {SchemaNames.Quote(schema)}.{TableName} (tenant_id, state, since) values (@t, @s, now()) on conflict (tenant_id) do nothing; "
            + $"select state from {SchemaNames.Quote(schema)}.{TableName} where tenant_id = @t", connection))
        {
            close.Parameters.AddWithValue("t", tenant);
            close.Parameters.AddWithValue("s", state);
            now = (string)(await close.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        if (now == state)
        {
            await BarrierAsync(connection, tenant, cancellationToken).ConfigureAwait(false);
        }

        return now;
    }

    /// <summary>The state of the tenant's gate row in the database of <paramref name="connection"/>, or null when its writes are open there.</summary>
    public static async Task<string?> StateAsync(NpgsqlConnection connection, string schema, string tenant, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select state from {SchemaNames.Quote(schema)}.{TableName} where tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", tenant);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>Opens the tenant's writes again in the database of <paramref name="connection"/>, when its gate row is in <paramref name="state"/>.</summary>
    public static async Task OpenAsync(NpgsqlConnection connection, string schema, string tenant, string state, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"delete from {SchemaNames.Quote(schema)}.{TableName} where tenant_id = @t and state = @s", connection);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("s", state);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Seals the database of <paramref name="sealer"/> at least through the tenant's last event (its writes are stopped,
    /// so that number is final): gaps other tenants' open transactions hold below it are waited for, not those above.
    /// </summary>
    public static async Task SealTenantAsync(NpgsqlConnection connection, string schema, AuditSealer sealer, string tenant, CancellationToken cancellationToken)
    {
        await using var last = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {SchemaNames.Quote(schema)}.mt_events where tenant_id = @t", connection);
        last.Parameters.AddWithValue("t", tenant);
        var through = (long)(await last.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        while ((await sealer.SealAsync(cancellationToken).ConfigureAwait(false)).SealedThrough < through)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }

    // The shared lock first, then the row: a check that saw no row holds the lock until its commit, so the move's
    // exclusive lock, taken after its row committed, waits for it.
    private static string OpenSql(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.{OpenFunction}(p_tenant varchar)
        RETURNS boolean LANGUAGE plpgsql AS $function$
        BEGIN
          IF NOT pg_try_advisory_xact_lock_shared({LockClass}, hashtext(p_tenant))
             OR EXISTS (SELECT 1 FROM {schema}.{TableName} g WHERE g.tenant_id = p_tenant) THEN
            RAISE EXCEPTION USING ERRCODE = '{ClosedState}', MESSAGE = 'vppledger: the writes of tenant ' || p_tenant || ' are stopped here (moving or moved to another database)';
          END IF;
          RETURN true;
        END;
        $function$;
        """;
}
