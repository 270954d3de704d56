using System.Globalization;
using System.Text;
using VppLedger.Storage;

namespace VppLedger.Tests.Audit;

/// <summary>
/// The import reads its NDJSON file as a stream: one line at a time, gathered into pages of at most the page size (and
/// 32 MiB). The reader's own counters of what it held at once are the same for 100,000 lines and for 1,000,000 lines:
/// memory is bounded by the page, not by the file. (PostgreSQL is not needed for this: the integration tests import
/// files of several pages through it.)
/// </summary>
public sealed class an_import_reads_its_file_in_bounded_memory
{
    private const int PageSize = 5000;

    /// <summary>A user as an export writes it, numbered; every line has the same length.</summary>
    private static string Line(long i)
    {
        var id = "u" + i.ToString("D7", CultureInfo.InvariantCulture);
        return "{\"event\":\"vpp.user.recorded.v1\",\"stream\":\"user:" + id + "\",\"actor\":\"legacy-mdm\",\"data\":{\"OccurredAt\":\"2024-04-30T08:00:00Z\",\"User\":\""
            + id + "\",\"PersonalAppleId\":null,\"ManagedAppleId\":{\"Value\":\"" + id + "@contoso.example\",\"Kind\":\"Managed\"}}}";
    }

    private static async Task<(ImportReaderStats Stats, long Pages, long Lines)> ReadAsync(long lineCount)
    {
        var stats = new ImportReaderStats();
        long pages = 0, lines = 0, lastNumber = 0;
        await using var file = new GeneratedLines(lineCount, Line);
        await foreach (var page in ImportReader.PagesAsync(file, PageSize, stats, CancellationToken.None))
        {
            pages++;
            lines += page.Count;
            Assert.Equal(lastNumber + 1, page[0].Number); // in order, none lost
            lastNumber = page[^1].Number;
        }

        return (stats, pages, lines);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_million_lines_hold_no_more_than_a_hundred_thousand_do()
    {
        var small = await ReadAsync(100_000);
        var large = await ReadAsync(1_000_000);

        Assert.Equal((1_000_000L, 1_000_000L, 200L), (large.Stats.LinesRead, large.Lines, large.Pages));
        Assert.Equal(PageSize, large.Stats.MaxLinesBuffered);
        Assert.Equal(small.Stats.MaxLinesBuffered, large.Stats.MaxLinesBuffered);
        Assert.Equal(small.Stats.MaxCharsBuffered, large.Stats.MaxCharsBuffered);
        Assert.Equal((long)PageSize * Line(0).Length, large.Stats.MaxCharsBuffered);
    }

    [Fact]
    public async Task a_line_longer_than_the_limit_is_reported_and_never_held()
    {
        var huge = "{\"event\":\"" + new string('x', ImportReader.MaxLineChars + 10) + "\"}";
        var stats = new ImportReaderStats();
        await using var file = new MemoryStream(Encoding.UTF8.GetBytes(Line(1) + "\n" + huge + "\r\n" + Line(3) + "\n"));

        var lines = new List<NdjsonLine>();
        await foreach (var line in ImportReader.LinesAsync(file, stats, CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Equal([Line(1), null, Line(3)], lines.Select(l => l.Text));
        Assert.Equal([1, 2, 3], lines.Select(l => l.Number));
        Assert.True(stats.MaxCharsBuffered <= ImportReader.MaxLineChars);
    }

    [Fact]
    public async Task a_page_closes_at_its_character_limit_before_its_line_count()
    {
        var big = "{\"event\":\"" + new string('y', 3 * 1024 * 1024) + "\"}"; // 3 MiB: eleven of them pass 32 MiB
        var text = string.Join('\n', Enumerable.Repeat(big, 12));
        var stats = new ImportReaderStats();
        await using var file = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var sizes = new List<int>();
        await foreach (var page in ImportReader.PagesAsync(file, PageSize, stats, CancellationToken.None))
        {
            sizes.Add(page.Count);
        }

        Assert.Equal([10, 2], sizes);
        Assert.True(stats.MaxCharsBuffered <= ImportReader.MaxPageChars);
    }

    /// <summary>A read-only stream of numbered lines made as they are read: the test holds no file either.</summary>
    private sealed class GeneratedLines(long count, Func<long, string> line) : Stream
    {
        private long _next;
        private byte[] _current = [];
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length)
            {
                if (_offset == _current.Length)
                {
                    if (_next == count)
                    {
                        break;
                    }

                    _current = Encoding.UTF8.GetBytes(line(_next++) + "\n");
                    _offset = 0;
                }

                var n = Math.Min(buffer.Length - written, _current.Length - _offset);
                _current.AsSpan(_offset, n).CopyTo(buffer[written..]);
                _offset += n;
                written += n;
            }

            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
