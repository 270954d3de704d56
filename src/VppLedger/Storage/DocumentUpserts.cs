using Marten;

namespace VppLedger.Storage;

/// <summary>
/// Many documents of one type and tenant stored in one set-based upsert instead of one statement per document (a
/// grant of 1,000 holders writes 1,000 seat rows and 1,000 outbox rows; issue 11). The columns are the ones Marten
/// writes for the ledger's plain documents (no optimistic concurrency, no duplicated fields): its JSON through the
/// ledger's serializer, the .NET type name, a new version (the column's default) and the transaction's time. One
/// document is stored as Marten stores it.
/// </summary>
internal static class DocumentUpserts
{
    private static readonly NewtonsoftSerializer Json = new();

    public static async Task QueueAsync<TDoc>(IDocumentOperations operations, string tenant, IReadOnlyList<TDoc> docs, Func<TDoc, string> idOf, CancellationToken cancellation)
        where TDoc : notnull
    {
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
        var table = $"{SchemaNames.Quote(operations.DocumentStore.Options.DatabaseSchemaName)}.mt_doc_{typeof(TDoc).Name.ToLowerInvariant()}";
        operations.QueueSqlCommand(
            $"""
            insert into {table} (tenant_id, id, data, mt_dotnet_type, mt_last_modified)
            select ?, u.id, u.data, ?, transaction_timestamp() from unnest(?::varchar[], ?::jsonb[]) as u(id, data)
            on conflict (tenant_id, id) do update set data = excluded.data, mt_version = excluded.mt_version,
              mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified
            """,
            tenant,
            typeof(TDoc).FullName!,
            docs.Select(idOf).ToArray(),
            docs.Select(d => Json.ToJson(d)).ToArray());
    }
}
