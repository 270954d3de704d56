using Npgsql;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.Foundation;

/// <summary>The rebuild's COPY rows in text format (<see cref="CopyText"/>) read back from PostgreSQL exactly as they were written (I2).</summary>
public sealed class rows_copied_as_text_read_back_as_written
{
    [Fact]
    [Trait("Rule", "I2")]
    public async Task text_with_backslashes_tabs_line_breaks_and_nulls_and_numbers_and_times_read_back_unchanged()
    {
        string?[] texts = ["plain", "back\\slash \\N", "tab\there", "line\nbreak", "carriage\rreturn", "{\"a\": \"q\\\"uote\\\\\"}", "", null, "é ü 漢字 \\\t\n\r end"];
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero).AddTicks(1234560);
        var text = new CopyText();
        for (var i = 0; i < texts.Length; i++)
        {
            text.Add(i).Add(texts[i]).Add(i % 2 == 0 ? i * 1_000_000_007L : null).Add(at.AddDays(i)).EndRow();
        }

        await using var connection = new NpgsqlConnection(await TestServer.ConnectionStringAsync());
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("create temp table copied (i bigint, t text, n bigint, at timestamptz)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await text.WriteAsync(connection, "copy copied (i, t, n, at) from stdin", CancellationToken.None);

        await using var read = new NpgsqlCommand("select t, n, at from copied order by i", connection);
        await using var reader = await read.ExecuteReaderAsync();
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(texts[i], reader.IsDBNull(0) ? null : reader.GetString(0));
            Assert.Equal(i % 2 == 0 ? i * 1_000_000_007L : (long?)null, reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1));
            Assert.Equal(at.AddDays(i), reader.GetFieldValue<DateTimeOffset>(2));
        }

        Assert.False(await reader.ReadAsync());
    }
}
