using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using static Weasel.Postgresql.SchemaUtils;

namespace VppLedger.Storage;

/// <summary>
/// How the databases of a ledger number their events so that a number is never made twice, anywhere (docs/scale-out.md
/// "Sequence numbers"): every database's event sequence steps by <see cref="Stride"/> from a residue of its own
/// (<c>vpp_sequence_range</c>: stride, residue, and the first number made that way), so database A makes only numbers
/// ≡ a and database B only numbers ≡ b (mod 1,024). A move copies a tenant's events with their numbers (its chain hashes
/// them) and moves the target's sequence past them, to the next number of the target's own residue: the target still
/// makes only its own numbers, so no later copy, in any direction, can meet a number already used there.
/// <para>
/// The sealer's gap-free prefix knows it: above <c>start</c> the next number this database can still make after n is
/// the next one of its residue; numbers of other residues are copies (already chained) and never a gap. Below
/// <c>start</c> (numbers made before the schema step set the range) every number counts, as before.
/// </para>
/// </summary>
internal static class SequenceRanges
{
    public const string TableName = "vpp_sequence_range";

    /// <summary>The step of every database's sequence: at most this many databases.</summary>
    public const long Stride = 1024;

    // Serializes schema steps that set ranges ("VPRQ"), in the control database.
    private const long LockKey = 0x56505251;

    /// <summary>The range of one database: its numbers from <paramref name="Start"/> on are ≡ <paramref name="Residue"/> (mod <paramref name="Stride"/>).</summary>
    public sealed record Range(long Stride, long Residue, long Start)
    {
        /// <summary>The next number after <paramref name="n"/> that this database can still make.</summary>
        public long NextAfter(long n)
        {
            if (n + 1 < Start)
            {
                return n + 1;
            }

            var below = n - (((n - Residue) % Stride) + Stride) % Stride; // the largest number of the residue at or below n
            return Math.Max(below + Stride, Start);
        }
    }

    public static void Register(StoreOptions options)
    {
        var table = new Table(new PostgresqlObjectName(options.DatabaseSchemaName, TableName, IdentifierUsage.General));
        table.AddColumn<int>("id").NotNull().AsPrimaryKey();
        table.AddColumn<long>("stride").NotNull();
        table.AddColumn<long>("residue").NotNull();
        table.AddColumn<long>("start").NotNull();
        table.AddColumn("set_at", "timestamptz").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>The range of the database of <paramref name="connection"/>, or null when none is set (one database, or a schema step not run since).</summary>
    public static async Task<Range?> LoadAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand($"select stride, residue, start from {SchemaNames.Quote(schema)}.{TableName} where id = 1", connection, transaction);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new Range(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)) : null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable && transaction is null)
        {
            return null; // a schema of before the ranges: numbered as before
        }
    }

    /// <summary>
    /// The statement that moves the sequence of the connection's database past <c>@t</c>'s events (a tenant just copied
    /// there): to the next number of its own residue above them and above what it made, never back.
    /// </summary>
    public static string MovePastSql(string schema, Range? range)
    {
        var q = SchemaNames.Quote(schema);
        var highest = $"greatest((select last_value from {q}.mt_events_sequence), (select coalesce(max(seq_id), 0) from {q}.mt_events where tenant_id = @t))";
        return range is null
            ? $"select setval('{q}.mt_events_sequence', {highest})" // no range: the numbering of before the ranges
            : $"select setval('{q}.mt_events_sequence', g - (((g - {range.Residue}) % {range.Stride}) + {range.Stride}) % {range.Stride} + {range.Stride}, false) from (select {highest} as g) x";
    }

    /// <summary>
    /// Sets the range of every database that has none (the schema step, several databases only), each with the lowest
    /// residue no other database uses, from a number above every number any of them made (so that the numbers made
    /// before, with a step of 1, never meet one made after). One statement per database changes the step and the next
    /// number at once (ALTER SEQUENCE holds back every nextval until its transaction commits, with the range's row).
    /// Ranges once set never change.
    /// </summary>
    public static async Task SetAsync(LedgerTenancy tenancy, string schema, CancellationToken cancellationToken)
    {
        if (tenancy.Databases.Count < 2)
        {
            return;
        }

        var q = SchemaNames.Quote(schema);
        await using var control = tenancy.Databases[TenantDatabaseOptions.Control].CreateConnection();
        await control.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var serialize = new NpgsqlCommand($"select pg_advisory_lock({LockKey})", control))
        {
            await serialize.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var ranges = new Dictionary<string, Range?>(StringComparer.Ordinal);
            var highest = 0L;
            foreach (var (name, database) in tenancy.Databases)
            {
                await using var connection = database.CreateConnection();
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                ranges[name] = await LoadAsync(connection, schema, cancellationToken).ConfigureAwait(false);
                await using var top = new NpgsqlCommand($"select greatest((select last_value from {q}.mt_events_sequence), (select coalesce(max(seq_id), 0) from {q}.mt_events))", connection);
                highest = Math.Max(highest, (long)(await top.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
            }

            // Two databases with one residue would make the same numbers (a database configured again after another took
            // its residue while it was away, say): refused, nothing changed.
            if (ranges.Where(r => r.Value is not null).GroupBy(r => r.Value!.Residue).FirstOrDefault(g => g.Count() > 1) is { } clash)
            {
                throw new InvalidOperationException(
                    $"Databases {string.Join(" and ", clash.Select(c => $"'{c.Key}'"))} number their events with the same residue ({clash.Key} mod {Stride}), so they could make the same sequence numbers and a tenant moved between them could not keep its own. "
                    + "Give one of them a database of its own (an empty one, whose range the schema step sets) and move its tenants there; docs/scale-out.md \"Sequence numbers\".");
            }

            var used = ranges.Values.OfType<Range>().Select(r => r.Residue).ToHashSet();
            foreach (var (name, database) in tenancy.Databases)
            {
                if (ranges[name] is not null)
                {
                    continue;
                }

                var residue = Enumerable.Range(1, (int)Stride - 1).Select(i => (long)i).Append(0).First(r => !used.Contains(r));
                used.Add(residue);
                var start = highest - ((((highest - residue) % Stride) + Stride) % Stride) + Stride; // the first number of the residue above every one made
                await using var connection = database.CreateConnection();
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var set = new NpgsqlCommand(
                    $"alter sequence {q}.mt_events_sequence increment by {Stride} restart with {start}; "
                    + $"insert into {q}.{TableName} (id, stride, residue, start, set_at) values (1, {Stride}, {residue}, {start}, now())",
                    connection, transaction))
                {
                    await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({LockKey})", control);
            await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
