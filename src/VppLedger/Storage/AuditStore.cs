using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NodaTime;
using Npgsql;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>The audit of one tenant over the Marten store: the audit table, the log, imports and the chain.</summary>
internal sealed class TenantAudit(MartenLicenseLedger ledger, string tenantId) : ITenantAudit
{
    /// <summary>Most lines one import file may hold: the file is checked whole before anything is written.</summary>
    public const int MaxImportLines = 200_000;

    private const string Columns =
        "tenant_id, seq, stream, version, event_name, occurred_at, token, adam_id, holder_kind, holder_id, queue_position, "
        + "action, reason, rule_id, actor, correlation_id, causation_id, chain_position, hash";

    private static readonly JsonSerializer Json = JsonSerializer.Create(NewtonsoftSerializer.CreateSettings());

    private static readonly Dictionary<string, Type> TypeByName = EventNames.All.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);

    private static readonly string[] PoolAndTokenNames = [.. EventNames.All
        .Where(e => typeof(IPoolEvent).IsAssignableFrom(e.Type) || typeof(ITokenEvent).IsAssignableFrom(e.Type))
        .Select(e => e.Name)];

    public string TenantId { get; } = tenantId;

    private string Table => AuditSchema.Qualified(ledger.Options.SchemaName);

    public async IAsyncEnumerable<AuditEntry> HistoryAsync(AuditQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new AuditQuery();
        var where = new StringBuilder("tenant_id = @tenant");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue("tenant", TenantId);
        if (query.Holder is { } holder)
        {
            where.Append(" and holder_id = @holder");
            command.Parameters.AddWithValue("holder", AuditPseudonym.Of(TenantId, holder));
        }

        if (query.Token is { } token)
        {
            where.Append(" and token = @token");
            command.Parameters.AddWithValue("token", token.Value);
        }

        if (query.App is { } app)
        {
            where.Append(" and adam_id = @adam");
            command.Parameters.AddWithValue("adam", app.Value);
        }

        if (query.From is { } from)
        {
            where.Append(" and occurred_at >= @from");
            command.Parameters.AddWithValue("from", from.ToDateTimeUtc());
        }

        if (query.To is { } to)
        {
            where.Append(" and occurred_at < @to");
            command.Parameters.AddWithValue("to", to.ToDateTimeUtc());
        }

        command.CommandText = $"select {Columns} from {Table} where {where} order by seq";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return ReadEntry(reader);
        }
    }

    public async Task<PoolPosition?> PoolAsOfAsync(PoolId pool, Instant asOf, CancellationToken cancellationToken = default)
    {
        var fold = new PoolAsOfFold(pool, asOf);
        await foreach (var e in StreamAsync(Streams.Pool(pool), cancellationToken).ConfigureAwait(false))
        {
            if (e.Data is IPoolEvent p)
            {
                fold.Apply(p);
            }
        }

        return fold.Result();
    }

    public async Task<TokenPosition?> TokenAsOfAsync(TokenId token, Instant asOf, CancellationToken cancellationToken = default)
    {
        var fold = new TokenAsOfFold(asOf, ledger.Options.Policy);
        await foreach (var e in StreamAsync(Streams.Token(token), cancellationToken).ConfigureAwait(false))
        {
            if (e.Data is ITokenEvent t)
            {
                fold.Apply(t);
            }
        }

        return fold.Result();
    }

    public async Task<HolderPosition> HolderAsOfAsync(Holder holder, Instant asOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var fold = new HolderAsOfFold(holder, asOf);
        await foreach (var entry in HistoryAsync(new AuditQuery { Holder = holder }, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Stream.StartsWith("pool:", StringComparison.Ordinal))
            {
                fold.Apply(entry);
            }
        }

        return fold.Result();
    }

    public async Task<TenantPosition> TenantAsOfAsync(Instant asOf, CancellationToken cancellationToken = default)
    {
        var fold = new TenantAsOfFold(asOf, ledger.Options.Policy);
        await using var session = ledger.Store.QuerySession(TenantId);
        var events = session.Events.QueryAllRawEvents()
            .Where(e => PoolAndTokenNames.Contains(e.EventTypeName))
            .OrderBy(e => e.Sequence)
            .ToAsyncEnumerable(cancellationToken);
        await foreach (var e in events.ConfigureAwait(false))
        {
            if (e.Data is ILedgerEvent data)
            {
                fold.Apply(e.StreamKey!, data);
            }
        }

        return fold.Result();
    }

    public async Task<LicenseExplanation> ExplainAsync(Holder holder, PoolId pool, Instant asOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var explainer = new LicenseExplainer(holder, pool, asOf);
        await foreach (var e in StreamAsync(Streams.Pool(pool), cancellationToken).ConfigureAwait(false))
        {
            if (e.Data is IPoolEvent p)
            {
                explainer.Apply(e.Version, e.EventTypeName, p);
            }
        }

        return explainer.Result();
    }

    public async Task<ChainVerification> VerifyChainAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"select a.chain_position, a.seq, a.stream, a.version, a.prev_hash, a.hash, {AuditSchema.CanonicalSql("a", "a.chain_position")} "
            + $"from {Table} a where a.tenant_id = @tenant order by a.chain_position nulls last, a.seq",
            connection);
        command.Parameters.AddWithValue("tenant", TenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        byte[] head = [];
        long count = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            count++;
            var position = reader.IsDBNull(0) ? (long?)null : reader.GetInt64(0);
            var seq = reader.GetInt64(1);
            var stream = reader.GetString(2);
            var version = reader.GetInt64(3);
            var prev = reader.IsDBNull(4) ? [] : (byte[])reader[4];
            var stored = reader.IsDBNull(5) ? null : (byte[])reader[5];
            var canonical = reader.GetString(6);
            string? reason = null;
            if (position != count || stored is null)
            {
                reason = $"chain position is {(position is null ? "missing (row never sealed)" : position.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}, expected {count.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            }
            else if (!prev.AsSpan().SequenceEqual(head))
            {
                reason = "its previous hash is not the hash of the row before it (a row was removed, inserted or re-hashed)";
            }
            else
            {
                var recomputed = SHA256.HashData([.. head, .. Encoding.UTF8.GetBytes(canonical)]);
                if (!recomputed.AsSpan().SequenceEqual(stored))
                {
                    reason = "its content does not match its hash (the row was altered)";
                }

                head = recomputed;
            }

            if (reason is not null)
            {
                return new ChainVerification(count, false, new ChainMismatch(position ?? 0, seq, stream, version, reason), head.Length == 0 ? null : Convert.ToHexStringLower(head));
            }
        }

        return new ChainVerification(count, true, null, head.Length == 0 ? null : Convert.ToHexStringLower(head));
    }

    public async Task<long> ExportAsync(Stream output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            return await ExportAsync(writer, format, from, to, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<long> ExportAsync(TextWriter output, AuditExportFormat format, Instant? from = null, Instant? to = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (format == AuditExportFormat.Csv)
        {
            AuditFormats.WriteCsvHeader(output);
        }

        long count = 0;
        await foreach (var entry in HistoryAsync(new AuditQuery { From = from, To = to }, cancellationToken).ConfigureAwait(false))
        {
            if (format == AuditExportFormat.Csv)
            {
                AuditFormats.WriteCsv(output, entry);
            }
            else
            {
                AuditFormats.WriteNdjson(output, entry);
            }

            if (++count % 1000 == 0)
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    public async Task<ImportResult> ImportAsync(Stream ndjson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ndjson);
        var (lines, errors) = await ParseAsync(ndjson, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            throw new AuditImportException(errors);
        }

        await using var session = ledger.Store.LightweightSession(TenantId);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in lines.Select(l => l.Key).Distinct(StringComparer.Ordinal).Chunk(1000))
        {
            var found = await session.LoadManyAsync<ImportRecordDoc>(cancellationToken, chunk).ConfigureAwait(false);
            known.UnionWith(found.Select(f => f.Id));
        }

        var fresh = lines.Where(l => known.Add(l.Key)).ToList();
        if (fresh.Count == 0)
        {
            return new ImportResult(lines.Count, 0, lines.Count);
        }

        session.CorrelationId = "import:" + fresh[0].Key[..16];
        session.CausationId = session.CorrelationId;
        foreach (var stream in fresh.GroupBy(l => l.Stream, StringComparer.Ordinal))
        {
            var state = await session.Events.FetchStreamStateAsync(stream.Key, cancellationToken).ConfigureAwait(false);
            var version = state?.Version ?? 0;
            var items = stream.ToList();
            var action = state is null
                ? session.Events.StartStream(stream.Key, items.Select(i => i.Event).ToArray())
                : session.Events.Append(stream.Key, version + items.Count, items.Select(i => i.Event).ToArray());
            for (var i = 0; i < items.Count; i++)
            {
                action.Events[i].UserName = items[i].Actor;
                session.Insert(new ImportRecordDoc(items[i].Key, stream.Key, version + i + 1, items[i].Line));
            }
        }

        await session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new ImportResult(lines.Count, fresh.Count, lines.Count - fresh.Count);
    }

    private sealed record ImportLine(int Line, string Key, string Stream, string? Actor, ILedgerEvent Event);

    private static async Task<(List<ImportLine> Lines, List<ImportLineError> Errors)> ParseAsync(Stream ndjson, CancellationToken cancellationToken)
    {
        var lines = new List<ImportLine>();
        var errors = new List<ImportLineError>();
        using var reader = new StreamReader(ndjson, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var number = 0;
        Instant? previous = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (lines.Count + errors.Count >= MaxImportLines)
            {
                errors.Add(new ImportLineError(number, $"The file has more than {MaxImportLines} events; split it into files of at most {MaxImportLines} lines."));
                break;
            }

            try
            {
                var line = ParseLine(number, text);
                if (previous is { } p && line.Event.OccurredAt < p)
                {
                    errors.Add(new ImportLineError(number, $"OccurredAt {line.Event.OccurredAt} is before the previous line's {p}; lines must be in time order."));
                    continue;
                }

                previous = line.Event.OccurredAt;
                lines.Add(line);
            }
            catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
            {
                errors.Add(new ImportLineError(number, e.Message));
            }
        }

        foreach (var duplicate in lines.GroupBy(l => (l.Stream, l.Key)).Where(g => g.Count() > 1))
        {
            // The same line twice in one file is one event: keep the first.
            foreach (var extra in duplicate.Skip(1))
            {
                lines.Remove(extra);
            }
        }

        return (lines, errors);
    }

    private static ImportLine ParseLine(int number, string text)
    {
        using var textReader = new StringReader(text);
        using var jsonReader = new JsonTextReader(textReader) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal };
        var json = JObject.Load(jsonReader);
        var name = (string?)json["event"] ?? throw new FormatException("Missing \"event\": give the stable event name, for example vpp.pool.license_granted.v1.");
        if (!TypeByName.TryGetValue(name, out var type))
        {
            throw new FormatException($"Unknown event name '{name}'; use one of the stable names listed in docs/audit.md.");
        }

        var stream = (string?)json["stream"] ?? throw new FormatException("Missing \"stream\": give the stream id, for example pool:tok-1:361309726.");
        if (json["data"] is not JObject data)
        {
            throw new FormatException("Missing \"data\": give the event's fields as a JSON object.");
        }

        if (data["OccurredAt"] is null || data["OccurredAt"]!.Type == JTokenType.Null)
        {
            throw new FormatException("The event's data has no OccurredAt: give the business time as an ISO-8601 instant, for example 2025-01-31T09:00:00Z.");
        }

        var @event = (ILedgerEvent?)data.ToObject(type, Json) ?? throw new FormatException("The event's data is null.");
        var expected = ExpectedStream(@event, stream);
        if (!string.Equals(expected, stream, StringComparison.Ordinal))
        {
            throw new FormatException($"Event {name} cannot be appended to stream '{stream}'; its stream is '{expected}'.");
        }

        var key = (string?)json["id"]
            ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + stream + "\n" + data.ToString(Formatting.None))));
        return new ImportLine(number, "import:" + key, stream, (string?)json["actor"], @event);
    }

    private static string ExpectedStream(ILedgerEvent e, string stream)
    {
        var colon = stream.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon > 0 ? stream[..colon] : stream;
        var rest = colon > 0 ? stream[(colon + 1)..] : "";
        return e switch
        {
            IPoolEvent p => Streams.Pool(p.Pool),
            IAssignmentEvent a => Streams.Assignment(a.Pool, a.Group),
            TokenUploaded u => Streams.Token(u.Token),
            TenantTokensChanged => Streams.TenantTokens,
            UserRecorded u => Streams.User(u.User),
            DeviceRecorded d => Streams.Device(d.Device),
            GroupCreated g => Streams.Group(g.Group),
            ITokenEvent when prefix == "token" && rest.Length > 0 => Streams.Token(new TokenId(rest)),
            IUserEvent when prefix == "user" && rest.Length > 0 => Streams.User(new UserId(rest)),
            IDeviceEvent when prefix == "device" && rest.Length > 0 => Streams.Device(new DeviceId(rest)),
            IGroupEvent when prefix == "group" && rest.Length > 0 => Streams.Group(new GroupId(rest)),
            ITokenEvent => "token:{tokenId}",
            IUserEvent => "user:{userId}",
            IDeviceEvent => "device:{deviceId}",
            IGroupEvent => "group:{groupId}",
            _ => "(none)",
        };
    }

    private IAsyncEnumerable<IEvent> StreamAsync(string stream, CancellationToken cancellationToken)
    {
        return Iterate();

        async IAsyncEnumerable<IEvent> Iterate()
        {
            await using var session = ledger.Store.QuerySession(TenantId);
            var events = session.Events.QueryAllRawEvents()
                .Where(e => e.StreamKey == stream)
                .OrderBy(e => e.Version)
                .ToAsyncEnumerable(cancellationToken);
            await foreach (var e in events.ConfigureAwait(false))
            {
                yield return e;
            }
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = ledger.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static AuditEntry ReadEntry(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.GetString(2),
        r.GetInt64(3),
        r.GetString(4),
        Instant.FromDateTimeUtc(DateTime.SpecifyKind(r.GetDateTime(5), DateTimeKind.Utc)),
        NullableString(r, 6),
        NullableString(r, 7),
        NullableString(r, 8),
        NullableString(r, 9),
        r.IsDBNull(10) ? null : r.GetInt64(10),
        r.GetString(11),
        NullableString(r, 12),
        NullableString(r, 13),
        NullableString(r, 14),
        NullableString(r, 15),
        NullableString(r, 16),
        r.IsDBNull(17) ? null : r.GetInt64(17),
        r.IsDBNull(18) ? null : Convert.ToHexStringLower((byte[])r[18]));

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
