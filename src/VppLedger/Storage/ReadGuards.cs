using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;
using static Weasel.Postgresql.SchemaUtils;

namespace VppLedger.Storage;

/// <summary>
/// What makes every fact a decision reads covered at commit (ARCHITECTURE.md "Commands"), created with the schema:
/// <list type="bullet">
/// <item><c>vpp_check_reads</c>: asserts the version of every stream a command read but did not append to (locked
/// <c>FOR SHARE</c>, so a writer of that stream waits for this commit, then fails its own check), asserts the stamps
/// of the sets it read (the assignments of a group, the devices of a user, the pools of a token), and bumps the
/// stamps of the sets it changed. A changed fact raises SQLSTATE 40001 and the runner decides the command again.</item>
/// <item><c>vpp_read_stamp</c>: one counter per (tenant, set). A set has no stream of its own: a new member of the
/// set (a new assignment of a group) would be a phantom no row lock can see, so its writers bump the stamp.</item>
/// <item><c>vpp_check_no_new_seats</c>: for a command that read the seats of one owner across pools (a user
/// leaving, a revocation): locks the owner's stream, then fails if a seat appeared that it did not read. Every grant
/// to a user reads the user's stream and holds it <c>FOR SHARE</c> until it commits, so it is either seen here or
/// refused by its own check after this commit.</item>
/// </list>
/// Each function returns <c>true</c> or raises; it is called from an INSERT that inserts nothing, because a
/// statement returning rows would shift Marten's positional reading of the batch's results.
/// </summary>
internal static class ReadGuards
{
    public const string StampTable = "vpp_read_stamp";
    public const string CheckReadsFunction = "vpp_check_reads";
    public const string NoNewSeatsFunction = "vpp_check_no_new_seats";

    /// <summary>Registers the stamp table and both functions with the schema.</summary>
    public static void Register(StoreOptions options)
    {
        var schema = options.DatabaseSchemaName;
        var table = new Table(new PostgresqlObjectName(schema, StampTable, IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").NotNull().AsPrimaryKey();
        table.AddColumn<string>("key").NotNull().AsPrimaryKey();
        table.AddColumn<long>("stamp").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
        options.Storage.ExtendedSchemaObjects.Add(new Function(new PostgresqlObjectName(schema, CheckReadsFunction, IdentifierUsage.General), CheckReadsSql(schema)));
        options.Storage.ExtendedSchemaObjects.Add(new Function(new PostgresqlObjectName(schema, NoNewSeatsFunction, IdentifierUsage.General), NoNewSeatsSql(schema)));
    }

    /// <summary>The statement queued before commit: tenant, streams, versions, stamps read, their values, stamps to bump.</summary>
    public static string CheckReadsStatement(string schema) =>
        $"insert into {SchemaNames.Quote(schema)}.{StampTable} (tenant_id, key, stamp) select '', '', 0 where not {SchemaNames.Quote(schema)}.{CheckReadsFunction}(?, ?, ?, ?, ?, ?)";

    /// <summary>The statement queued before commit: tenant, owner streams to lock, owner ids, license type ('' for any), seat ids read.</summary>
    public static string NoNewSeatsStatement(string schema) =>
        $"insert into {SchemaNames.Quote(schema)}.{StampTable} (tenant_id, key, stamp) select '', '', 0 where not {SchemaNames.Quote(schema)}.{NoNewSeatsFunction}(?, ?, ?, ?, ?)";

    // Locks before comparing, each set in one fixed order (two commands locking the same rows cannot deadlock on
    // them). Key lists are joined, never matched with = ANY (KeyedLookups: a generic plan made on a small table would
    // compare every row with every key); a section with nothing to check runs no statement. Under READ COMMITTED each statement of the function sees what committed before it started, so the
    // comparison after the lock sees every writer that held the row.
    private static string CheckReadsSql(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.{CheckReadsFunction}(
          p_tenant varchar, p_streams varchar[], p_versions bigint[], p_stamps varchar[], p_stamp_values bigint[], p_bumps varchar[])
        RETURNS boolean LANGUAGE plpgsql AS $function$
        DECLARE
          v_stale varchar;
        BEGIN
          IF cardinality(p_streams) > 0 THEN
            PERFORM 1 FROM unnest(p_streams) AS r(id) JOIN {schema}.mt_streams s ON s.tenant_id = p_tenant AND s.id = r.id ORDER BY s.id FOR SHARE OF s;
            SELECT r.id INTO v_stale FROM unnest(p_streams, p_versions) AS r(id, version)
              LEFT JOIN {schema}.mt_streams s ON s.tenant_id = p_tenant AND s.id = r.id
              WHERE coalesce(s.version, 0) <> r.version LIMIT 1;
            IF v_stale IS NOT NULL THEN
              RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'vppledger: stream ' || v_stale || ' changed after the command read it';
            END IF;
          END IF;
          IF cardinality(p_stamps) > 0 THEN
            INSERT INTO {schema}.{StampTable} (tenant_id, key, stamp)
              SELECT p_tenant, k, 0 FROM unnest(p_stamps) AS k ORDER BY k ON CONFLICT DO NOTHING;
            PERFORM 1 FROM unnest(p_stamps) AS r(key) JOIN {schema}.{StampTable} g ON g.tenant_id = p_tenant AND g.key = r.key ORDER BY g.key FOR SHARE OF g;
            SELECT r.key INTO v_stale FROM unnest(p_stamps, p_stamp_values) AS r(key, stamp)
              JOIN {schema}.{StampTable} g ON g.tenant_id = p_tenant AND g.key = r.key
              WHERE g.stamp <> r.stamp LIMIT 1;
            IF v_stale IS NOT NULL THEN
              RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'vppledger: ' || v_stale || ' changed after the command read it';
            END IF;
          END IF;
          IF cardinality(p_bumps) > 0 THEN
            INSERT INTO {schema}.{StampTable} (tenant_id, key, stamp)
              SELECT p_tenant, k, 1 FROM unnest(p_bumps) AS k ORDER BY k
              ON CONFLICT (tenant_id, key) DO UPDATE SET stamp = {schema}.{StampTable}.stamp + 1;
          END IF;
          RETURN true;
        END;
        $function$;
        """;

    private static string NoNewSeatsSql(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.{NoNewSeatsFunction}(
          p_tenant varchar, p_owner_streams varchar[], p_owners varchar[], p_type varchar, p_known varchar[])
        RETURNS boolean LANGUAGE plpgsql AS $function$
        DECLARE
          v_new varchar;
        BEGIN
          PERFORM 1 FROM unnest(p_owner_streams) AS r(id) JOIN {schema}.mt_streams s ON s.tenant_id = p_tenant AND s.id = r.id ORDER BY s.id FOR UPDATE OF s;
          SELECT d.id INTO v_new FROM {schema}.mt_doc_seatdoc d
            WHERE d.tenant_id = p_tenant AND d.data ->> 'OwnerId' = ANY(p_owners) AND (p_type = '' OR d.data ->> 'Type' = p_type)
              AND NOT (d.id = ANY(p_known)) LIMIT 1;
          IF v_new IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'vppledger: seat ' || v_new || ' appeared after the command read its owner''s seats';
          END IF;
          RETURN true;
        END;
        $function$;
        """;
}

/// <summary>
/// Two reads of one decision disagree (a stream read at two versions, or a pool's counters and its seat rows from
/// different moments): another command committed in between. The runner decides the command again, like any conflict.
/// </summary>
internal sealed class StaleReadException(string message) : Exception(message);
