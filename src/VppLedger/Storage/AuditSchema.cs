using JasperFx.Events.Projections;
using Marten;
using Weasel.Postgresql;
using static Weasel.Postgresql.SchemaUtils;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;

namespace VppLedger.Storage;

/// <summary>
/// The audit table (<c>vpp_audit</c>) and its hash-chain function (<c>vpp_audit_seal</c>), created with the rest of
/// the schema, and the inline projection that fills them. docs/audit.md documents every column for psql users.
/// </summary>
internal static class AuditSchema
{
    public const string TableName = "vpp_audit";
    public const string SealFunctionName = "vpp_audit_seal";
    public const string TriggerFunctionName = "vpp_audit_seal_rows";
    public const string ProjectionName = "vpp_audit";

    /// <summary>Registers the table, the function, the projection and the import keys (rule I1, I2, I5).</summary>
    public static void Register(StoreOptions options)
    {
        var schema = options.DatabaseSchemaName;
        options.Storage.ExtendedSchemaObjects.Add(Table(schema));
        options.Storage.ExtendedSchemaObjects.Add(new Function(new PostgresqlObjectName(schema, SealFunctionName, IdentifierUsage.General), SealFunctionSql(schema)));
        options.Storage.ExtendedSchemaObjects.Add(new Function(new PostgresqlObjectName(schema, TriggerFunctionName, IdentifierUsage.General), TriggerSql(schema)));
        options.Projections.Add(new AuditProjection(schema), ProjectionLifecycle.Inline, ProjectionName, MartenSetup.Rebuild);
        options.Schema.For<ImportRecordDoc>();
    }

    public static string Qualified(string schema) => $"{schema}.{TableName}";

    /// <summary>
    /// The canonical text of one row, hashed into the chain. One SQL expression, used by the seal function and by
    /// the verification, so that an auditor can recompute the chain with psql alone (docs/audit.md). Every column
    /// is written, nulls as empty text, separated by the ASCII unit separator (0x1F).
    /// </summary>
    public static string CanonicalSql(string row, string position) =>
        $"concat_ws(chr(31), {row}.tenant_id, {row}.seq::text, {row}.stream, {row}.version::text, {row}.event_name, "
        + $"to_char({row}.occurred_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        + $"coalesce({row}.token, ''), coalesce({row}.adam_id, ''), coalesce({row}.holder_kind, ''), coalesce({row}.holder_id, ''), "
        + $"coalesce({row}.queue_position::text, ''), {row}.action, coalesce({row}.reason, ''), coalesce({row}.rule_id, ''), "
        + $"coalesce({row}.actor, ''), coalesce({row}.correlation_id, ''), coalesce({row}.causation_id, ''), {position}::text)";

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
        table.AddColumn("chain_position", "bigint");
        table.AddColumn("prev_hash", "bytea");
        table.AddColumn("hash", "bytea");
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_seq") { Columns = ["tenant_id", "seq"], IsUnique = true });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_time") { Columns = ["tenant_id", "occurred_at"] });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_pool") { Columns = ["tenant_id", "token", "adam_id", "seq"] });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_adam") { Columns = ["tenant_id", "adam_id", "seq"] });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_holder") { Columns = ["tenant_id", "holder_id", "seq"] });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_chain") { Columns = ["tenant_id", "chain_position"], IsUnique = true });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_unsealed") { Columns = ["tenant_id", "seq"], Predicate = "chain_position is null" });
        return table;
    }

    // After each insert statement, chains the new rows of every tenant they belong to (tenants in a fixed order, so
    // two multi-tenant batches cannot deadlock). A trigger rather than a separate "select seal()" command: Marten
    // reads the results of a batch by position, and a stray result set would be read by the wrong operation.
    private static string TriggerSql(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.{TriggerFunctionName}() RETURNS trigger
        LANGUAGE plpgsql AS $function$
        DECLARE
          t varchar;
        BEGIN
          FOR t IN SELECT DISTINCT i.tenant_id FROM inserted i ORDER BY 1 LOOP
            PERFORM {schema}.{SealFunctionName}(t);
          END LOOP;
          RETURN NULL;
        END;
        $function$;
        CREATE OR REPLACE TRIGGER {TableName}_sealed AFTER INSERT ON {schema}.{TableName}
          REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{TriggerFunctionName}();
        """;

    // Chains a tenant's unsealed rows, in log order, after its last sealed row. The advisory lock, held to the end
    // of the transaction, makes the seals of one tenant run one at a time, so each transaction chains after the last
    // committed one (chain order = commit order; it equals log order unless two commands of one tenant commit
    // concurrently).
    private static string SealFunctionSql(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.{SealFunctionName}(p_tenant varchar) RETURNS void
        LANGUAGE plpgsql AS $function$
        DECLARE
          v_head bytea;
          v_pos bigint;
          v_hash bytea;
          r record;
        BEGIN
          PERFORM pg_advisory_xact_lock(hashtextextended('{schema}.{TableName}|' || p_tenant, 0));
          SELECT a.hash, a.chain_position INTO v_head, v_pos FROM {schema}.{TableName} a
            WHERE a.tenant_id = p_tenant AND a.chain_position IS NOT NULL ORDER BY a.chain_position DESC LIMIT 1;
          v_pos := coalesce(v_pos, 0);
          FOR r IN SELECT * FROM {schema}.{TableName} a WHERE a.tenant_id = p_tenant AND a.chain_position IS NULL ORDER BY a.seq LOOP
            v_pos := v_pos + 1;
            v_hash := sha256(coalesce(v_head, ''::bytea) || convert_to({CanonicalSql("r", "v_pos")}, 'UTF8'));
            UPDATE {schema}.{TableName} SET chain_position = v_pos, prev_hash = v_head, hash = v_hash
              WHERE tenant_id = r.tenant_id AND stream = r.stream AND version = r.version;
            v_head := v_hash;
          END LOOP;
        END;
        $function$;
        """;
}

/// <summary>The key of one imported line (rule I4 for imports): a re-import finds it and writes nothing.</summary>
internal sealed record ImportRecordDoc(string Id, string Stream, long Version, int Line);
