using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>What a schema holds, straight from its tables: a write anywhere changes it.</summary>
internal static class SchemaRows
{
    /// <summary>
    /// Every table of the schema with its row count, and the event sequence's last value, once the tenant's committed
    /// events are sealed (the background sealer would otherwise add chain rows between two readings). It waits for
    /// the seal: a seal called while the background sealer holds the turn returns at once with the head it left.
    /// </summary>
    public static async Task<string> FingerprintAsync(string schema, ITenantLedger tenant)
    {
        await tenant.Audit.WaitForSealAsync();
        var rows = await TestServer.ScalarAsync<string>(
            """
            select string_agg(table_name || '=' || (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', table_schema, table_name), false, true, '')))[1]::text, ',' order by table_name)
            from information_schema.tables where table_schema = @s and table_type = 'BASE TABLE'
            """,
            ("s", schema));
        var sequence = await TestServer.ScalarAsync<long>($"select last_value from {schema}.mt_events_sequence");
        return $"{rows};sequence={sequence}";
    }
}
