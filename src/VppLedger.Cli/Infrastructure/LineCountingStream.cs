namespace VppLedger.Cli.Infrastructure;

/// <summary>A read-only stream that counts the lines read through it (for progress by events of an NDJSON import).</summary>
internal sealed class LineCountingStream(Stream inner, Action<long> onLines) : Stream
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lines;

    /// <summary>Completes when the reader reached the end of the stream.</summary>
    public Task Finished => _finished.Task;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Counted(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Counted(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Counted(ReadOnlySpan<byte> read)
    {
        if (read.IsEmpty)
        {
            _finished.TrySetResult();
            return 0;
        }

        _lines += read.Count((byte)'\n');
        onLines(_lines);
        return read.Length;
    }
}
