using Marten;

namespace VppLedger.Storage;

/// <summary>
/// Rows of one tenant by a list of keys, written as a join with the unnested key list instead of Marten's
/// <c>id = ANY($1)</c>. Npgsql prepares the statements and PostgreSQL keeps a generic plan of them: with the table
/// small when it was planned (a new database, a new tenant's first minute), the plan of <c>id = ANY($1)</c> is a
/// sequential scan comparing every row with every key, kept while the table grows until the next ANALYZE (measured: a
/// 1,000-holder grant read its seat rows in 235 ms of a 6,200-row table, 0 rows found). A join is a hash join over
/// the keys on a small table and index lookups on a large one: never a row compared with every key.
/// </summary>
internal static class KeyedLookups
{
    /// <summary>The table Marten keeps documents of <paramref name="type"/> in.</summary>
    public static string DocumentTable(string schema, Type type) => $"{SchemaNames.Quote(schema)}.mt_doc_{type.Name.ToLowerInvariant()}";

    /// <summary>Documents by id (parameters: ids, tenant), for Marten's user-supplied queries of a document type.</summary>
    public static string DocumentsSql<TDoc>(string schema) =>
        $"select d.data from unnest(?::varchar[]) as k(id) join {DocumentTable(schema, typeof(TDoc))} d on d.tenant_id = ? and d.id = k.id";

    /// <summary>The versions of streams (parameters: ids, tenant), as "id US version" rows.</summary>
    public static string VersionsSql(string schema) =>
        $"select s.id || chr(31) || s.version::text from unnest(?::varchar[]) as k(id) join {SchemaNames.Quote(schema)}.mt_streams s on s.tenant_id = ? and s.id = k.id";

    /// <summary>The read stamps of sets (parameters: keys, tenant), as "key US stamp" rows.</summary>
    public static string StampsSql(string schema) =>
        $"select g.key || chr(31) || g.stamp::text from unnest(?::varchar[]) as k(key) join {SchemaNames.Quote(schema)}.{ReadGuards.StampTable} g on g.tenant_id = ? and g.key = k.key";

    /// <summary>
    /// The rows of <see cref="VersionsSql"/> and <see cref="StampsSql"/> by key; the value is digits, so the last
    /// separator splits a row whatever its key holds.
    /// </summary>
    public static Dictionary<string, long> ParseKeyedValues(IReadOnlyList<string> rows) => rows.ToDictionary(
        r => r[..r.LastIndexOf('\u001f')],
        r => long.Parse(r[(r.LastIndexOf('\u001f') + 1)..], System.Globalization.CultureInfo.InvariantCulture),
        StringComparer.Ordinal);

    /// <summary>The documents of the session's tenant with these ids (each once), by <see cref="DocumentsSql{TDoc}"/>.</summary>
    public static async Task<IReadOnlyList<TDoc>> LoadByKeysAsync<TDoc>(this IQuerySession session, IEnumerable<string> ids, CancellationToken cancellationToken)
        where TDoc : class
    {
        var keys = ids.Distinct(StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return [];
        }

        // A raw query does not create the table as Marten's own loads do (a ledger whose schema was never applied).
        await session.Database.EnsureStorageExistsAsync(typeof(TDoc), cancellationToken).ConfigureAwait(false);
        return await session.QueryAsync<TDoc>(DocumentsSql<TDoc>(session.DocumentStore.Options.DatabaseSchemaName), cancellationToken, keys, session.TenantId).ConfigureAwait(false);
    }
}
