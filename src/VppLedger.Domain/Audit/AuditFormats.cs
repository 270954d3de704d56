using System.Globalization;
using System.Text;
using NodaTime.Text;

namespace VppLedger.Audit;

/// <summary>
/// Writes audit rows as NDJSON lines or CSV records (docs/audit.md lists the fields). Pure and streaming. One field
/// naming everywhere (camelCase, the names of the tool's <c>--json</c>); an NDJSON export line also carries the event's
/// <c>data</c>, so that <c>ImportAsync</c> (and <c>vppledger import</c>) accepts an export as it is.
/// </summary>
internal static class AuditFormats
{
    /// <summary>The CSV header and the NDJSON field names, in order (an NDJSON export line adds <c>data</c>, the event itself).</summary>
    public static IReadOnlyList<string> Fields { get; } =
    [
        "tenant", "sequence", "stream", "version", "event", "occurredAt", "token", "adamId", "holderKind", "holderId",
        "queuePosition", "action", "reason", "rule", "actor", "correlationId", "causationId", "chainPosition", "hash",
    ];

    /// <summary>Writes the CSV header line.</summary>
    /// <param name="writer">Where to write.</param>
    public static void WriteCsvHeader(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(',', Fields));
        writer.Write("\r\n");
    }

    /// <summary>Writes one row as a CSV record (RFC 4180: fields with a comma, quote or line break are quoted).</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="entry">The row.</param>
    public static void WriteCsv(TextWriter writer, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var values = Values(entry);
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            var v = values[i];
            if (v is null)
            {
                continue;
            }

            if (v.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                writer.Write('"');
                writer.Write(v.Replace("\"", "\"\"", StringComparison.Ordinal));
                writer.Write('"');
            }
            else
            {
                writer.Write(v);
            }
        }

        writer.Write("\r\n");
    }

    /// <summary>Writes one row as one JSON object and a line feed; nulls are written as null, numbers as numbers.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="entry">The row.</param>
    public static void WriteNdjson(TextWriter writer, AuditEntry entry) => WriteNdjson(writer, entry, null);

    /// <summary>Writes one row as one JSON object and a line feed, with <paramref name="data"/> (the event's JSON, as stored) as its <c>data</c>.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="entry">The row.</param>
    /// <param name="data">The event's data as a JSON object, or null to leave the field out.</param>
    internal static void WriteNdjson(TextWriter writer, AuditEntry entry, string? data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var values = Values(entry);
        var line = new StringBuilder(512).Append('{');
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append('"').Append(Fields[i]).Append("\":");
            var v = values[i];
            if (v is null)
            {
                line.Append("null");
            }
            else if (Fields[i] is "sequence" or "version" or "queuePosition" or "chainPosition")
            {
                line.Append(v);
            }
            else
            {
                line.Append(Newtonsoft.Json.JsonConvert.ToString(v));
            }
        }

        if (data is not null)
        {
            line.Append(",\"data\":").Append(data);
        }

        writer.Write(line.Append("}\n"));
    }

    private static string?[] Values(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return
        [
            e.Tenant, e.Sequence.ToString(CultureInfo.InvariantCulture), e.Stream, e.Version.ToString(CultureInfo.InvariantCulture),
            e.EventName, InstantPattern.ExtendedIso.Format(e.OccurredAt), e.Token, e.AdamId, e.HolderKind, e.HolderId,
            e.QueuePosition?.ToString(CultureInfo.InvariantCulture), e.Action, e.Reason, e.Rule, e.Actor, e.CorrelationId, e.CausationId,
            e.ChainPosition?.ToString(CultureInfo.InvariantCulture), e.Hash,
        ];
    }
}
