using Marten;
using Npgsql;

namespace VppLedger.Storage;

/// <summary>
/// The documents of one rebuild page, written in its transaction: the rows that no earlier page wrote with
/// COPY (a COPY only inserts), the others with <see cref="DocumentUpserts"/>'s set-based upsert. A page holds the last state of each
/// row (its projections fold a page first), so a row is either stored or deleted by a page, never both, and the
/// rows stored are found existing or not before the page's deletes run. The columns COPY leaves out take their
/// defaults, the same the upsert takes: a new version and the transaction's time.
/// </summary>
internal sealed class DocumentCopy
{
    // Apple's seat rows are deleted by a whole walk's completion with a DELETE ... WHERE queued in the session: a
    // row copied before it ran would be deleted with the rows it means. They stay on the session's path.
    private static readonly HashSet<Type> Excluded = [typeof(AppleSeatDoc)];

    private readonly Dictionary<(Type Type, string Tenant), Dictionary<string, string>> _rows = [];

    /// <summary>Whether documents of this type are written by this copy.</summary>
    public bool Takes(Type type) => !Excluded.Contains(type);

    /// <summary>Adds a document's JSON (the last one added for an id wins).</summary>
    public void Add(Type type, string tenant, string id, string json)
    {
        if (!_rows.TryGetValue((type, tenant), out var rows))
        {
            _rows[(type, tenant)] = rows = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        rows[id] = json;
    }

    /// <summary>How many documents are collected.</summary>
    public int Count => _rows.Values.Sum(r => r.Count);

    /// <summary>
    /// Writes the collected documents in the session's transaction (begun by the caller): new rows by COPY now, the
    /// rows that exist already queued as upserts for the session's SaveChanges.
    /// </summary>
    public async Task WriteAsync(IDocumentSession session, StepMeter meter, CancellationToken cancellation)
    {
        var connection = (NpgsqlConnection)session.Connection!;
        foreach (var ((type, tenant), rows) in _rows)
        {
            await session.Database.EnsureStorageExistsAsync(type, cancellation).ConfigureAwait(false);
            var table = DocumentUpserts.Table(session, type);
            var existing = new HashSet<string>(StringComparer.Ordinal);
            var probing = meter.Measure("rebuild: write (COPY documents): probe by key");
            await using (var probe = new NpgsqlCommand($"select d.id from unnest(@ids::varchar[]) as k(id) join {table} d on d.tenant_id = @t and d.id = k.id", connection)) // KeyedLookups: the tables a rebuild emptied are planned small
            {
                probe.Parameters.AddWithValue("t", tenant);
                probe.Parameters.AddWithValue("ids", rows.Keys.ToArray());
                await using var reader = await probe.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
                {
                    existing.Add(reader.GetString(0));
                }
            }

            probing.Dispose();
            var building = meter.Measure("rebuild: write (COPY documents): rows as text");
            var text = new CopyText();
            foreach (var (id, json) in rows)
            {
                if (!existing.Contains(id))
                {
                    text.Add(tenant).Add(id).Add(json).Add(type.FullName!).EndRow();
                }
            }

            building.Dispose();
            using var sending = meter.Measure("rebuild: write (COPY documents): send and wait");
            await text.WriteAsync(connection, $"copy {table} (tenant_id, id, data, mt_dotnet_type) from stdin", cancellation).ConfigureAwait(false);

            if (existing.Count > 0)
            {
                DocumentUpserts.QueueJson(session.ForTenant(tenant), tenant, type, [.. existing], [.. existing.Select(id => rows[id])]);
            }
        }

        _rows.Clear();
    }
}
