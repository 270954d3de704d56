using Marten;
using Newtonsoft.Json;
using NodaTime;
using VppLedger.Operations;

namespace VppLedger.Storage;

/// <summary>
/// A large operation still in progress, kept while its stream says started and not completed, so that
/// <c>ITenantLedger.ResumeAsync</c> finds it without reading the log. Written and deleted in the pages' transactions.
/// </summary>
internal sealed record OperationDoc(string Id, string CommandType, string Command, Instant StartedAt, int PagesCommitted, Instant LastPageAt);

/// <summary>
/// The durable record of a large operation: its own stream <c>operation:{commandId}</c> (started, each page with its
/// cursor, completed; <see cref="OperationPaging"/> decides), appended in each page's transaction beside the page's own
/// events and idempotency record, and an <see cref="OperationDoc"/> while it is in progress.
/// </summary>
internal static class OperationRecords
{
    private const string Prefix = "operation:";

    public static string StreamOf(CommandId operation) => Prefix + operation.Value;

    /// <summary>Appends what page <paramref name="part"/> adds to the operation's stream (nothing for a one-page command).</summary>
    public static async Task RecordPageAsync(WriteContext context, int part, Func<string> commandJson, CancellationToken cancellationToken)
    {
        if (part == 0 && context.ResumeCursor is null)
        {
            return; // one transaction: no operation to record
        }

        var session = context.Session;
        var command = context.Command;
        var id = StreamOf(command.Id);
        var stored = await session.Events.FetchStreamAsync(id, token: cancellationToken).ConfigureAwait(false);
        var state = stored.Select(e => e.Data).OfType<IOperationEvent>().Aggregate(OperationState.Initial, OperationPaging.Evolve);
        var type = command.GetType().Name;
        var decided = OperationPaging.AfterPage(state, command.Id, type, part == 0 ? commandJson() : "", part, context.ResumeCursor, context.Now);
        if (decided.Count == 0)
        {
            return;
        }

        var version = stored.Count == 0 ? 0 : stored[^1].Version;
        if (version == 0)
        {
            session.Events.StartStream(id, [.. decided.Cast<object>()]);
        }
        else
        {
            session.Events.Append(id, version + decided.Count, [.. decided.Cast<object>()]);
        }

        OperationDoc? doc = null;
        foreach (var e in decided)
        {
            // Not one of the command's changes: the pages' bookkeeping, like the idempotency record (a preview, which
            // never pages, foretells the same changes).
            doc = e switch
            {
                OperationStarted s => new OperationDoc(command.Id.Value, type, s.Command, s.OccurredAt, 0, s.OccurredAt),
                OperationPageCommitted p => (doc ?? await session.LoadAsync<OperationDoc>(command.Id.Value, cancellationToken).ConfigureAwait(false))! with
                {
                    PagesCommitted = p.Page + 1,
                    LastPageAt = p.OccurredAt,
                },
                _ => null,
            };
        }

        if (doc is null)
        {
            session.Delete<OperationDoc>(command.Id.Value);
        }
        else
        {
            session.Store(doc);
        }
    }

    /// <summary>The command an operation record keeps, read back (the same JSON the runner hashes, so a resumed run is the same command, I4).</summary>
    /// <exception cref="FormatException">The record names no known command: written by a newer version of the ledger.</exception>
    public static ILedgerCommand CommandOf(OperationDoc doc)
    {
        if (!CommandTypes.TryGetValue(doc.CommandType, out var type))
        {
            throw new FormatException($"Operation '{doc.Id}' runs a {doc.CommandType}, which this version of VppLedger does not know.");
        }

        return (ILedgerCommand)(JsonConvert.DeserializeObject(doc.Command, type, Settings)
            ?? throw new FormatException($"Operation '{doc.Id}' keeps no command."));
    }

    private static readonly JsonSerializerSettings Settings = NewtonsoftSerializer.CreateSettings();

    private static readonly Dictionary<string, Type> CommandTypes = typeof(ILedgerCommand).Assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILedgerCommand).IsAssignableFrom(t))
        .ToDictionary(t => t.Name, StringComparer.Ordinal);
}
