using JasperFx.Events.Projections;
using Marten;
using Weasel.Postgresql;
using static Weasel.Postgresql.SchemaUtils;
using Weasel.Postgresql.Tables;

namespace VppLedger.Storage;

/// <summary>
/// The audit table (<c>vpp_audit</c>, one row per event, a projection), the hash chain over the log
/// (<c>vpp_audit_chain</c>, written only by the sealer, never by a command and never by a rebuild), each tenant's
/// sealed head (<c>vpp_audit_head</c>) and the sealer's watermark (<c>vpp_audit_seal</c>). docs/audit.md documents
/// every column for psql users.
/// </summary>
internal static class AuditSchema
{
    public const string TableName = "vpp_audit";
    public const string ChainTableName = "vpp_audit_chain";
    public const string HeadTableName = "vpp_audit_head";
    public const string SealTableName = "vpp_audit_seal";
    public const string ProjectionName = "vpp_audit";
    public const string CheckpointTableName = "vpp_checkpoint";
    public const string CheckpointStateTableName = "vpp_checkpoint_state";
    public const string LegacyCheckpointPositionTableName = "vpp_checkpoint_position";
    public const string CheckpointBookTableName = "vpp_checkpoint_book";

    /// <summary>Registers the tables, the projection and the import keys (rule I1, I2, I5).</summary>
    public static void Register(StoreOptions options)
    {
        var schema = options.DatabaseSchemaName;
        options.Storage.ExtendedSchemaObjects.Add(Table(schema));
        options.Storage.ExtendedSchemaObjects.Add(ChainTable(schema));
        options.Storage.ExtendedSchemaObjects.Add(HeadTable(schema));
        options.Storage.ExtendedSchemaObjects.Add(SealTable(schema));
        options.Storage.ExtendedSchemaObjects.Add(CheckpointTable(schema));
        options.Storage.ExtendedSchemaObjects.Add(CheckpointStateTable(schema));
        options.Storage.ExtendedSchemaObjects.Add(CheckpointBookTable(schema));
        options.Projections.Add(new AuditProjection(schema), ProjectionLifecycle.Inline, ProjectionName);
        options.Schema.For<ImportRecordDoc>();
    }

    public static string Qualified(string schema) => $"{SchemaNames.Quote(schema)}.{TableName}";

    /// <summary>
    /// Removes the sealing trigger and functions of earlier versions (the trigger took a per-tenant lock in every
    /// command's transaction). Run after the schema is applied; nothing to do on a schema created by this version.
    /// </summary>
    public static async Task DropLegacySealingAsync(Marten.Storage.IMartenDatabase database, string schema, CancellationToken cancellationToken)
    {
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var drop = new Npgsql.NpgsqlCommand(
            $"drop trigger if exists {TableName}_sealed on {Qualified(schema)}; "
            + $"drop function if exists {SchemaNames.Quote(schema)}.vpp_audit_seal_rows(); drop function if exists {SchemaNames.Quote(schema)}.vpp_audit_seal(varchar);",
            connection);
        await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The statement that removes the tenant checkpoints of earlier versions, whose stream states were JSON rows of
    /// <c>vpp_checkpoint_position</c>: their <c>vpp_checkpoint</c> rows are deleted with the table, in one transaction.
    /// Run by <see cref="AuditSealer.DropLegacyCheckpointsAsync"/>, under the sealer's lock. Nothing to do on a schema
    /// created by this version.
    /// </summary>
    public static string DropLegacyCheckpointsSql(string schema) =>
        $"""
        do $$ begin
          if to_regclass('{SchemaNames.Quote(schema).Replace("'", "''", StringComparison.Ordinal)}.{LegacyCheckpointPositionTableName}') is not null then
            delete from {Checkpoint(schema)} where scope = '';
            drop table {SchemaNames.Quote(schema)}.{LegacyCheckpointPositionTableName};
          end if;
        end $$;
        """;

    public static string Chain(string schema) => $"{SchemaNames.Quote(schema)}.{ChainTableName}";

    public static string Head(string schema) => $"{SchemaNames.Quote(schema)}.{HeadTableName}";

    public static string Seal(string schema) => $"{SchemaNames.Quote(schema)}.{SealTableName}";

    public static string Checkpoint(string schema) => $"{SchemaNames.Quote(schema)}.{CheckpointTableName}";

    public static string CheckpointState(string schema) => $"{SchemaNames.Quote(schema)}.{CheckpointStateTableName}";

    public static string CheckpointBook(string schema) => $"{SchemaNames.Quote(schema)}.{CheckpointBookTableName}";

    /// <summary>
    /// The canonical text of one audit row (without its chain position), hashed into the chain. One SQL expression,
    /// used by the sealer and by the verification, so that an auditor can recompute the chain with psql alone
    /// (docs/audit.md). Every column is written, nulls as empty text, separated by the ASCII unit separator (0x1F).
    /// </summary>
    public static string RowCanonicalSql(string row) =>
        $"concat_ws(chr(31), {row}.tenant_id, {row}.seq::text, {row}.stream, {row}.version::text, {row}.event_name, "
        + $"to_char({row}.occurred_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        + $"coalesce({row}.token, ''), coalesce({row}.adam_id, ''), coalesce({row}.holder_kind, ''), coalesce({row}.holder_id, ''), "
        + $"coalesce({row}.queue_position::text, ''), {row}.action, coalesce({row}.reason, ''), coalesce({row}.rule_id, ''), "
        + $"coalesce({row}.actor, ''), coalesce({row}.correlation_id, ''), coalesce({row}.causation_id, ''))";

    /// <summary>
    /// The hash of one stored event (a row of Marten's <c>mt_events</c>): SHA-256 of tenant, sequence, stream, version,
    /// type name, the stored JSON data as PostgreSQL's canonical jsonb text (it holds the business time OccurredAt),
    /// actor (user name), correlation and causation, joined by 0x1F.
    /// </summary>
    public static string EventHashSql(string e) =>
        $"sha256(convert_to(concat_ws(chr(31), {e}.tenant_id, {e}.seq_id::text, {e}.stream_id, {e}.version::text, {e}.type, "
        + $"{e}.data::text, coalesce({e}.user_name, ''), coalesce({e}.correlation_id, ''), coalesce({e}.causation_id, '')), 'UTF8'))";

    private static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("stream").NotNull().AsPrimaryKey();
        table.AddColumn<long>("version").NotNull().AsPrimaryKey();
        table.AddColumn<long>("seq").NotNull();
        table.AddColumn<string>("event_name").NotNull();
        table.AddColumn("occurred_at", "timestamptz").NotNull();
        table.AddColumn("token", "varchar");
        table.AddColumn("adam_id", "varchar");
        table.AddColumn("holder_kind", "varchar");
        table.AddColumn("holder_id", "varchar");
        table.AddColumn("queue_position", "bigint");
        table.AddColumn<string>("action").NotNull();
        table.AddColumn("reason", "varchar");
        table.AddColumn("rule_id", "varchar");
        table.AddColumn("actor", "varchar");
        table.AddColumn("correlation_id", "varchar");
        table.AddColumn("causation_id", "varchar");
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_seq") { Columns = ["tenant_id", "seq"], IsUnique = true });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_time") { Columns = ["tenant_id", "occurred_at"] });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_pool") { Columns = ["tenant_id", "token", "adam_id", "seq"] });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_adam") { Columns = ["tenant_id", "adam_id", "seq"] });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_holder") { Columns = ["tenant_id", "holder_id", "seq"] });
        return table;
    }

    // One link per sealed event: hash = SHA-256(prev_hash || event_hash || UTF-8(row canonical || 0x1F || position)).
    private static Table ChainTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, ChainTableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<long>("chain_position").NotNull().AsPrimaryKey();
        table.AddColumn<long>("seq").NotNull();
        table.AddColumn<string>("stream").NotNull();
        table.AddColumn<long>("version").NotNull();
        table.AddColumn("event_hash", "bytea").NotNull();
        table.AddColumn("prev_hash", "bytea");
        table.AddColumn("hash", "bytea").NotNull();
        table.Indexes.Add(new IndexDefinition($"ix_{ChainTableName}_seq") { Columns = ["tenant_id", "seq"], IsUnique = true });
        return table;
    }

    private static Table HeadTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, HeadTableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<long>("chain_position").NotNull();
        table.AddColumn<long>("seq").NotNull();
        table.AddColumn("hash", "bytea").NotNull();
        table.AddColumn("sealed_at", "timestamptz").NotNull();
        return table;
    }

    // One row per checkpoint of positions (docs/audit.md "Checkpoints"); written by the sealer and by a rebuild only.
    // Scope '' is the whole tenant (every pool's counters and every token); a pool stream id, that pool's book.
    private static Table CheckpointTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, CheckpointTableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("scope").NotNull().AsPrimaryKey();
        table.AddColumn<long>("seq").NotNull().AsPrimaryKey();
        table.AddColumn<long>("from_seq").NotNull();
        table.AddColumn<long>("chain_position").NotNull();
        table.AddColumn("hash", "bytea").NotNull();
        table.AddColumn("max_occurred_at", "timestamptz").NotNull();
        table.AddColumn("segment_min_occurred_at", "timestamptz").NotNull();
        table.AddColumn<long>("event_count").NotNull();
        table.AddColumn<int>("cut_number").NotNull();
        table.AddColumn<bool>("full_state").NotNull();
        table.Indexes.Add(new IndexDefinition($"ix_{CheckpointTableName}_time") { Columns = ["tenant_id", "scope", "max_occurred_at", "seq"] });
        return table;
    }

    // The stream states of a tenant checkpoint, one value a checkpoint in the binary encoding of CheckpointStateCodec:
    // every stream of a full one, the streams changed in its segment otherwise.
    private static Table CheckpointStateTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, CheckpointStateTableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<long>("checkpoint_seq").NotNull().AsPrimaryKey();
        table.AddColumn<int>("position_count").NotNull();
        table.AddColumn("positions", "bytea").NotNull();
        return table;
    }

    // A pool book checkpoint's book (scope = the pool stream): the counters as JSON, the holders and queue in the
    // binary encoding of PoolBookCodec, the whole book for a full checkpoint, the delta from the one before otherwise.
    private static Table CheckpointBookTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, CheckpointBookTableName, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("scope").NotNull().AsPrimaryKey();
        table.AddColumn<long>("checkpoint_seq").NotNull().AsPrimaryKey();
        table.AddColumn("state", "jsonb").NotNull();
        table.AddColumn("book", "bytea").NotNull();
        return table;
    }

    private static Table SealTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, SealTableName, IdentifierUsage.General));
        table.AddColumn<int>("id").NotNull().AsPrimaryKey();
        table.AddColumn<long>("sealed_seq").NotNull();
        table.AddColumn("sealed_at", "timestamptz").NotNull();
        return table;
    }
}

/// <summary>The key of one imported line (rule I4 for imports): a re-import finds it and writes nothing.</summary>
internal sealed record ImportRecordDoc(string Id, string Stream, long Version, int Line);
