using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using VppLedger.Audit;

namespace VppLedger.Storage;

/// <summary>
/// Writes one audit row per event (rule I1) in the transaction that appends it: a row of its own, keyed by stream
/// and version, so commands share no row, counter or lock. The chain is sealed later, outside the command, by
/// <see cref="AuditSealer"/>. Live appends (Quick mode) do not know the global sequence yet, so the row reads it from
/// mt_events by stream and version, in the same transaction; a rebuild knows it already.
/// </summary>
internal sealed class AuditProjection(string schema) : IProjection
{
    private readonly string _insert = $"""
        insert into {AuditSchema.Qualified(schema)} (tenant_id, seq, stream, version, event_name, occurred_at, token, adam_id,
          holder_kind, holder_id, queue_position, action, reason, rule_id, actor, correlation_id, causation_id)
        select u.tenant_id,
          coalesce(nullif(u.seq, 0), (select e.seq_id from {SchemaNames.Quote(schema)}.mt_events e where e.stream_id = u.stream and e.version = u.version and e.tenant_id = u.tenant_id)),
          u.stream, u.version, u.event_name, u.occurred_at, u.token, u.adam_id, u.holder_kind, u.holder_id, u.queue_position,
          u.action, u.reason, u.rule_id, u.actor, u.correlation_id, u.causation_id
        from unnest(?::varchar[], ?::bigint[], ?::varchar[], ?::bigint[], ?::varchar[], ?::timestamptz[], ?::varchar[], ?::varchar[],
          ?::varchar[], ?::varchar[], ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[])
          as u(tenant_id, seq, stream, version, event_name, occurred_at, token, adam_id, holder_kind, holder_id, queue_position,
          action, reason, rule_id, actor, correlation_id, causation_id)
        """;

    private const string Columns = "tenant_id, seq, stream, version, event_name, occurred_at, token, adam_id, holder_kind, holder_id, queue_position, action, reason, rule_id, actor, correlation_id, causation_id";

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var rows = events.Where(e => e.Data is ILedgerEvent).ToList();
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }

        var n = rows.Count;
        var tenant = new string[n];
        var seq = new long[n];
        var stream = new string[n];
        var version = new long[n];
        var name = new string[n];
        var at = new DateTimeOffset[n];
        var token = new string?[n];
        var adam = new string?[n];
        var kind = new string?[n];
        var holder = new string?[n];
        var position = new long?[n];
        var action = new string[n];
        var reason = new string?[n];
        var rule = new string?[n];
        var actor = new string?[n];
        var correlation = new string?[n];
        var causation = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var r = Row(rows[i]);
            (tenant[i], seq[i], stream[i], version[i], name[i], at[i]) = (r.Tenant, r.Seq, r.Stream, r.Version, r.Name, r.At);
            (token[i], adam[i], kind[i], holder[i], position[i]) = (r.Token, r.AdamId, r.HolderKind, r.Holder, r.QueuePosition);
            (action[i], reason[i], rule[i], actor[i], correlation[i], causation[i]) = (r.Action, r.Reason, r.Rule, r.Actor, r.Correlation, r.Causation);
        }

        operations.QueueSqlCommand(_insert, tenant, seq, stream, version, name, at, token, adam, kind, holder, position, action, reason, rule, actor, correlation, causation);

        return Task.CompletedTask;
    }

    /// <summary>The audit rows of a rebuild's page (events whose global sequence is known), for <see cref="CopyAsync"/>.</summary>
    public static List<AuditRow> RowsOf(IReadOnlyList<IEvent> events) => [.. events.Where(e => e.Data is ILedgerEvent).Select(Row)];

    /// <summary>
    /// Writes audit rows with COPY (text format, <see cref="CopyText"/>), on the connection's open transaction: the rows are new (a rebuild deleted
    /// them first), so COPY's insert-only is enough.
    /// </summary>
    public Task CopyAsync(NpgsqlConnection connection, List<AuditRow> rows, CancellationToken cancellation)
    {
        var text = new CopyText();
        foreach (var r in rows)
        {
            text.Add(r.Tenant).Add(r.Seq).Add(r.Stream).Add(r.Version).Add(r.Name).Add(r.At).Add(r.Token).Add(r.AdamId).Add(r.HolderKind).Add(r.Holder)
                .Add(r.QueuePosition).Add(r.Action).Add(r.Reason).Add(r.Rule).Add(r.Actor).Add(r.Correlation).Add(r.Causation).EndRow();
        }

        return text.WriteAsync(connection, $"copy {AuditSchema.Qualified(schema)} ({Columns}) from stdin", cancellation);
    }

    /// <summary>One audit row, as written.</summary>
    internal sealed record AuditRow(
        string Tenant, long Seq, string Stream, long Version, string Name, DateTimeOffset At, string? Token, string? AdamId, string? HolderKind, string? Holder,
        long? QueuePosition, string Action, string? Reason, string? Rule, string? Actor, string? Correlation, string? Causation);

    private static AuditRow Row(IEvent e)
    {
        var data = (ILedgerEvent)e.Data;
        var facts = AuditFacts.Of(e.StreamKey!, data);
        return new AuditRow(
            e.TenantId, e.Sequence, e.StreamKey!, e.Version, e.EventTypeName, data.OccurredAt.ToDateTimeOffset(), facts.Token, facts.AdamId, facts.HolderKind,
            facts.HolderKey is null ? null : AuditPseudonym.Of(e.TenantId, facts.HolderKey), facts.QueuePosition, facts.Action, facts.Reason, facts.Rule,
            e.UserName, e.CorrelationId, e.CausationId);
    }
}
