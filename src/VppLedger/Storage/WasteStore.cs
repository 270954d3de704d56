using Marten;
using NodaTime;
using Npgsql;
using VppLedger.Insights;
using VppLedger.Pools;

namespace VppLedger.Storage;

/// <summary>
/// Loads what the waste report reads (issue 15): pools, granted seats, the members of the groups active assignments
/// target, retired devices, departed users, and each pool's first event and last grant from the audit table. The
/// report is computed by the pure <see cref="WasteRules"/>. Cost: one pass over the tenant's granted seats and the
/// members of assigned groups, held in memory for the report.
/// </summary>
internal static class WasteStore
{
    public static async Task<WasteReport> ComputeAsync(MartenLicenseLedger ledger, string tenantId, WasteOptions options, Instant now, CancellationToken cancellationToken)
    {
        await using var session = ledger.QuerySession(tenantId);
        var pools = await session.Query<PoolDoc>().ToListAsync(cancellationToken).ConfigureAwait(false);
        var assignments = await session.Query<AssignmentDoc>().Where(a => a.State.Active).ToListAsync(cancellationToken).ConfigureAwait(false);
        var targeting = assignments.Where(a => a.State.WantsLicenses).ToList();
        var groupKeys = targeting.Select(a => Streams.Group(a.State.Group)).Distinct(StringComparer.Ordinal).ToArray();
        var members = groupKeys.Length == 0
            ? []
            : await session.Query<MemberDoc>().Where(m => groupKeys.Contains(m.GroupKey)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var membersOf = members.GroupBy(m => m.GroupKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(m => m.MemberId).ToList(), StringComparer.Ordinal);
        var targetedByPool = targeting.GroupBy(a => a.PoolKey, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => (IReadOnlySet<string>)g.SelectMany(a => membersOf.GetValueOrDefault(Streams.Group(a.State.Group)) ?? []).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);

        var seats = await session.Query<SeatDoc>().Where(s => s.Status == SeatStatus.Granted).ToListAsync(cancellationToken).ConfigureAwait(false);
        var retired = await session.Query<DeviceDoc>().Where(d => d.State.RemovedFromManagement).Select(d => d.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var departed = await session.Query<UserDoc>().Where(u => u.State.LeftOrganization).Select(u => u.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var deviceOwners = seats.Where(s => s.Type == LicenseType.Device).Select(s => Streams.Device(new DeviceId(s.OwnerId))).Distinct(StringComparer.Ordinal).ToArray();
        var devices = deviceOwners.Length == 0 ? [] : await session.LoadByKeysAsync<DeviceDoc>(deviceOwners, cancellationToken).ConfigureAwait(false);
        var history = await HistoryAsync(ledger, tenantId, cancellationToken).ConfigureAwait(false);

        var facts = new WasteFacts(
            [.. pools.Select(p =>
            {
                var (first, lastGrant) = history.GetValueOrDefault((p.TokenKey, p.AdamKey));
                return new WastePool(p.State, first, lastGrant, targetedByPool.GetValueOrDefault(p.Id) ?? new HashSet<string>());
            })],
            [.. seats.Select(s => new WasteSeat(LedgerHandlers.PoolOf(s.PoolKey), s.OwnerId, s.Type, s.Apple, s.Since))],
            retired.Select(OwnerOf).ToHashSet(StringComparer.Ordinal),
            departed.Select(OwnerOf).ToHashSet(StringComparer.Ordinal),
            devices.Where(d => d.UserKey is not null).ToDictionary(d => OwnerOf(d.Id), d => d.UserKey!, StringComparer.Ordinal));
        return WasteRules.Compute(facts, options, now);
    }

    /// <summary>"device:ipad-1" to "ipad-1".</summary>
    private static string OwnerOf(string streamId) => streamId[(streamId.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>Per pool (token, app): the business time of its first event and of its last grant, from the audit table.</summary>
    private static async Task<Dictionary<(string Token, string Adam), (Instant? First, Instant? LastGrant)>> HistoryAsync(MartenLicenseLedger ledger, string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await ledger.OpenAsync(tenantId, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            select token, adam_id, min(occurred_at), max(occurred_at) filter (where action = 'license_granted')
            from {AuditSchema.Qualified(ledger.Options.SchemaName)}
            where tenant_id = @t and token is not null and adam_id is not null
            group by token, adam_id
            """,
            connection);
        command.Parameters.AddWithValue("t", tenantId);
        var result = new Dictionary<(string, string), (Instant?, Instant?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[(reader.GetString(0), reader.GetString(1))] = (At(reader, 2), At(reader, 3));
        }

        return result;
    }

    private static Instant? At(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetDateTime(column), DateTimeKind.Utc));
}
