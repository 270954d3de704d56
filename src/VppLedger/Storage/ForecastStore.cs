using Marten;
using NodaTime;
using Npgsql;
using VppLedger.Insights;

namespace VppLedger.Storage;

/// <summary>Loads each pool and its grants and reclaims in a trailing window (business time, from the audit table) for the pure <see cref="Forecasts"/>.</summary>
internal static class ForecastStore
{
    public static async Task<IReadOnlyList<PoolForecast>> ComputeAsync(MartenLicenseLedger ledger, string tenantId, Duration window, Instant now, CancellationToken cancellationToken)
    {
        await using var session = ledger.QuerySession(tenantId);
        var pools = await session.Query<PoolDoc>().Where(p => !p.State.Orphaned).OrderBy(p => p.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<(string, string), (int Granted, int Reclaimed)>();
        await using (var connection = await ledger.OpenAsync(tenantId, cancellationToken).ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(
                $"""
                select token, adam_id, count(*) filter (where action = 'license_granted'), count(*) filter (where action = 'license_reclaimed')
                from {AuditSchema.Qualified(ledger.Options.SchemaName)}
                where tenant_id = @t and adam_id is not null and occurred_at > @from and occurred_at <= @to
                group by token, adam_id
                """,
                connection);
            command.Parameters.AddWithValue("t", tenantId);
            command.Parameters.AddWithValue("from", (now - window).ToDateTimeUtc());
            command.Parameters.AddWithValue("to", now.ToDateTimeUtc());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                counts[(reader.GetString(0), reader.GetString(1))] = (checked((int)reader.GetInt64(2)), checked((int)reader.GetInt64(3)));
            }
        }

        return [.. pools.Where(p => p.State.Synced).Select(p =>
        {
            var (granted, reclaimed) = counts.GetValueOrDefault((p.TokenKey, p.AdamKey));
            return Forecasts.Of(p.State, granted, reclaimed, window, now);
        })];
    }
}
