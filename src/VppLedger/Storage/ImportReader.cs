using System.Text;

namespace VppLedger.Storage;

/// <summary>One line of an NDJSON file as read: its 1-based number and its text, or null when it was longer than the limit.</summary>
internal readonly record struct NdjsonLine(int Number, string? Text);

/// <summary>
/// What the import's reader held at once, at most, over a whole file: a test reads it to show that memory is bounded by
/// the page, never by the file.
/// </summary>
internal sealed class ImportReaderStats
{
    /// <summary>Lines read so far.</summary>
    public long LinesRead { get; set; }

    /// <summary>Most lines held at once (one page).</summary>
    public int MaxLinesBuffered { get; set; }

    /// <summary>Most characters held at once (one page's lines, plus the line being read).</summary>
    public long MaxCharsBuffered { get; set; }
}

/// <summary>
/// Reads an NDJSON file as a stream, in bounded memory: one line at a time (at most <see cref="MaxLineChars"/>
/// characters; a longer line is skipped and reported, never held), gathered into pages of at most a given number of
/// lines and <see cref="MaxPageChars"/> characters. The encoding is detected from a byte order mark (UTF-8 without one).
/// </summary>
internal static class ImportReader
{
    /// <summary>Longest line read: a group event of 5,000 members is about 250,000 characters.</summary>
    public const int MaxLineChars = 4 * 1024 * 1024;

    /// <summary>Most characters of lines one page holds; a page closes at this or at its line count, whichever comes first.</summary>
    public const long MaxPageChars = 32L * 1024 * 1024;

    /// <summary>Every line of the file, in order, holding only the line being read.</summary>
    public static async IAsyncEnumerable<NdjsonLine> LinesAsync(
        Stream stream, ImportReaderStats? stats, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var buffer = new char[16 * 1024];
        var line = new StringBuilder();
        var tooLong = false;
        var number = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                {
                    continue;
                }

                Append(line, buffer.AsSpan(start, i - start), ref tooLong);
                start = i + 1;
                yield return Emit(++number, line, ref tooLong, stats);
            }

            Append(line, buffer.AsSpan(start, read - start), ref tooLong);
            if (stats is not null)
            {
                stats.MaxCharsBuffered = Math.Max(stats.MaxCharsBuffered, line.Length);
            }
        }

        if (line.Length > 0 || tooLong)
        {
            yield return Emit(++number, line, ref tooLong, stats);
        }
    }

    /// <summary>
    /// The file in pages of at most <paramref name="pageLines"/> non-blank lines and <see cref="MaxPageChars"/> characters;
    /// <paramref name="stats"/> records the most held at once.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<NdjsonLine>> PagesAsync(
        Stream stream, int pageLines, ImportReaderStats? stats, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageLines, 1);
        var page = new List<NdjsonLine>(Math.Min(pageLines, 1024));
        long chars = 0;
        await foreach (var line in LinesAsync(stream, stats, cancellationToken).ConfigureAwait(false))
        {
            if (line.Text is not null && string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }

            var length = line.Text?.Length ?? 0;
            if (page.Count > 0 && (page.Count >= pageLines || chars + length > MaxPageChars))
            {
                yield return page;
                page = new List<NdjsonLine>(Math.Min(pageLines, 1024));
                chars = 0;
            }

            page.Add(line);
            chars += length;
            if (stats is not null)
            {
                stats.MaxLinesBuffered = Math.Max(stats.MaxLinesBuffered, page.Count);
                stats.MaxCharsBuffered = Math.Max(stats.MaxCharsBuffered, chars);
            }
        }

        if (page.Count > 0)
        {
            yield return page;
        }
    }

    private static void Append(StringBuilder line, ReadOnlySpan<char> chars, ref bool tooLong)
    {
        if (tooLong)
        {
            return;
        }

        if (line.Length + chars.Length > MaxLineChars)
        {
            tooLong = true; // the rest of this line is skipped: memory stays bounded whatever the file
            line.Clear();
            return;
        }

        line.Append(chars);
    }

    private static NdjsonLine Emit(int number, StringBuilder line, ref bool tooLong, ImportReaderStats? stats)
    {
        if (stats is not null)
        {
            stats.LinesRead++;
        }

        var length = line.Length;
        var text = tooLong ? null : (length > 0 && line[length - 1] == '\r' ? line.ToString(0, length - 1) : line.ToString());
        line.Clear();
        tooLong = false;
        return new NdjsonLine(number, text);
    }
}

/// <summary>A read-only stream that copies every byte read to another stream (the import's spool of a stream it cannot seek).</summary>
internal sealed class TeeStream(Stream source, Stream copy) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = source.Read(buffer, offset, count);
        copy.Write(buffer, offset, read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        await copy.WriteAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
