using Marten;

namespace VppLedger.Storage;

/// <summary>
/// Many documents of one type and tenant stored in one set-based upsert instead of one statement per document (a
/// grant of 1,000 holders writes 1,000 seat rows and 1,000 outbox rows; issue 11). The columns are the ones Marten
/// writes for the ledger's plain documents (no optimistic concurrency, no duplicated fields): its JSON through the
/// ledger's serializer, the .NET type name, a new version (the column's default) and the transaction's time. One
/// document is stored as Marten stores it. A rebuild passes a <see cref="DocumentCopy"/>: its documents are then
/// collected and written with binary COPY (<see cref="DocumentCopy.WriteAsync"/>).
/// </summary>
internal static class DocumentUpserts
{
    private static readonly NewtonsoftSerializer Json = new();

    public static async Task QueueAsync<TDoc>(IDocumentOperations operations, string tenant, IReadOnlyList<TDoc> docs, Func<TDoc, string> idOf, CancellationToken cancellation, DocumentCopy? copy = null)
        where TDoc : notnull
    {
        if (copy is not null && copy.Takes(typeof(TDoc)))
        {
            foreach (var doc in docs)
            {
                copy.Add(typeof(TDoc), tenant, idOf(doc), Json.ToJson(doc));
            }

            return;
        }

        if (docs.Count == 1)
        {
            operations.Store(docs[0]);
            return;
        }

        if (docs.Count == 0)
        {
            return;
        }

        await operations.Database.EnsureStorageExistsAsync(typeof(TDoc), cancellation).ConfigureAwait(false);
        QueueJson(operations, tenant, typeof(TDoc), [.. docs.Select(idOf)], [.. docs.Select(d => Json.ToJson(d))]);
    }

    /// <summary>The table of a document type in the ledger's schema.</summary>
    public static string Table(IDocumentOperations operations, Type type) =>
        KeyedLookups.DocumentTable(operations.DocumentStore.Options.DatabaseSchemaName, type);

    /// <summary>Queues the upsert of documents given as JSON (one statement).</summary>
    public static void QueueJson(IDocumentOperations operations, string tenant, Type type, string[] ids, string[] json) =>
        operations.QueueSqlCommand(
            $"""
            insert into {Table(operations, type)} (tenant_id, id, data, mt_dotnet_type, mt_last_modified)
            select ?, u.id, u.data, ?, transaction_timestamp() from unnest(?::varchar[], ?::jsonb[]) as u(id, data)
            on conflict (tenant_id, id) do update set data = excluded.data, mt_version = excluded.mt_version,
              mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified
            """,
            tenant,
            type.FullName!,
            ids,
            json);
}
