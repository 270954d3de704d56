using Npgsql;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Foundation;

/// <summary>
/// Npgsql prepares the ledger's statements and PostgreSQL keeps a generic plan of them. A plan of <c>id = ANY($1)</c>
/// made while a table was small is a sequential scan that compares every row with every key, kept while the table
/// grows (a 1,000-holder grant read its seats in 235 ms of 6,200 rows). The ledger's key-list reads are joins: a hash
/// join over the keys or an index lookup per key, whatever the table's size when planned.
/// </summary>
public sealed class a_key_list_lookup_never_compares_every_row_with_every_key(LedgerFixture fixture) : IClassFixture<LedgerFixture>
{
    [Fact]
    public async Task the_generic_plans_of_the_key_list_reads_made_on_small_tables_hold_no_any_match()
    {
        await using var connection = new NpgsqlConnection(await TestServer.ConnectionStringAsync());
        await connection.OpenAsync();
        await Execute(connection, $"analyze {KeyedLookups.DocumentTable(fixture.SchemaName, typeof(SeatDoc))}; analyze {fixture.SchemaName}.mt_streams; set plan_cache_mode = force_generic_plan");

        string[] statements =
        [
            KeyedLookups.DocumentsSql<SeatDoc>(fixture.SchemaName),
            KeyedLookups.DocumentsSql<DeviceDoc>(fixture.SchemaName),
            KeyedLookups.VersionsSql(fixture.SchemaName),
            KeyedLookups.StampsSql(fixture.SchemaName),
        ];
        var plans = new List<string>();
        for (var i = 0; i < statements.Length; i++)
        {
            var sql = Positional(statements[i]);
            await Execute(connection, $"prepare keyed{i}(varchar[], varchar) as {sql}");
            plans.Add(await Plan(connection, $"explain execute keyed{i}(array['a','b']::varchar[], 'tenant')"));
        }

        // The old form, for contrast: the same generic plan of Marten's LoadMany is the scan this test guards against.
        await Execute(connection, $"prepare marten(varchar[], varchar) as select d.id, d.data from {KeyedLookups.DocumentTable(fixture.SchemaName, typeof(SeatDoc))} as d where id = ANY($1) and d.tenant_id = $2");
        Assert.Contains("ANY", await Plan(connection, "explain execute marten(array['a','b']::varchar[], 'tenant')"), StringComparison.Ordinal);

        Assert.All(plans, plan => Assert.DoesNotContain("ANY", plan, StringComparison.Ordinal));
    }

    // Marten's user SQL marks parameters with '?': the first is the key list, the second the tenant.
    private static string Positional(string sql)
    {
        var first = sql.IndexOf('?', StringComparison.Ordinal);
        sql = string.Concat(sql.AsSpan(0, first), "$1", sql.AsSpan(first + 1));
        var second = sql.IndexOf('?', StringComparison.Ordinal);
        return string.Concat(sql.AsSpan(0, second), "$2", sql.AsSpan(second + 1));
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> Plan(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}

