using System.Buffers;
using System.Globalization;
using System.Text;
using Npgsql;

namespace VppLedger.Storage;

/// <summary>
/// Rows for PostgreSQL's COPY in its text format, built in memory and sent in one stream. Npgsql's binary importer
/// resolves and binds a parameter for each value written: on the medium scale tenant's rebuild (docs/benchmarks.md,
/// issue 11 branch <c>rebuild2</c>) its 96,260 audit rows cost 0.85 s of client CPU that way, 0.57 s as text rows.
/// </summary>
internal sealed class CopyText
{
    private static readonly SearchValues<char> Escaped = SearchValues.Create("\\\t\n\r");

    private readonly StringBuilder _text = new(1 << 16);
    private bool _first = true;

    /// <summary>How many rows were written.</summary>
    public int Rows { get; private set; }

    /// <summary>A text value (null as SQL NULL), escaped for COPY.</summary>
    public CopyText Add(string? value)
    {
        Separate();
        if (value is null)
        {
            _text.Append("\\N");
            return this;
        }

        // Most values (JSON included) hold no character COPY escapes: found with one vectorized search, appended whole.
        var rest = value.AsSpan();
        for (var i = rest.IndexOfAny(Escaped); i >= 0; i = rest.IndexOfAny(Escaped))
        {
            _text.Append(rest[..i]).Append(rest[i] switch
            {
                '\\' => "\\\\",
                '\t' => "\\t",
                '\n' => "\\n",
                _ => "\\r",
            });
            rest = rest[(i + 1)..];
        }

        _text.Append(rest);
        return this;
    }

    /// <summary>An integer value (null as SQL NULL).</summary>
    public CopyText Add(long? value)
    {
        Separate();
        if (value is { } v)
        {
            _text.Append(v.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            _text.Append("\\N");
        }

        return this;
    }

    /// <summary>A point in time, in UTC to the microsecond (PostgreSQL's precision).</summary>
    public CopyText Add(DateTimeOffset value)
    {
        Separate();
        _text.Append(value.UtcDateTime.ToString("yyyy'-'MM'-'dd' 'HH':'mm':'ss'.'ffffff'+00'", CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>Ends the current row.</summary>
    public void EndRow()
    {
        _text.Append('\n');
        _first = true;
        Rows++;
    }

    /// <summary>Sends the rows to <paramref name="copy"/> (<c>copy ... from stdin</c>, text format) on the connection's open transaction.</summary>
    public async Task WriteAsync(NpgsqlConnection connection, string copy, CancellationToken cancellation)
    {
        if (Rows == 0)
        {
            return;
        }

        await using var writer = await connection.BeginTextImportAsync(copy, cancellation).ConfigureAwait(false);
        await writer.WriteAsync(_text, cancellation).ConfigureAwait(false);
    }

    private void Separate()
    {
        if (!_first)
        {
            _text.Append('\t');
        }

        _first = false;
    }
}
