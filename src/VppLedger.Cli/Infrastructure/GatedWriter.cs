using System.Text;

namespace VppLedger.Cli.Infrastructure;

/// <summary>How long a cancelled command may take to end by itself before the process exits without it.</summary>
internal static class CancelGrace
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Standard error with a gate: once <see cref="Close"/> is called (the process is leaving a cancelled command behind),
/// nothing the command still writes gets through, so that the error stays one line.
/// </summary>
internal sealed class GatedWriter(TextWriter inner) : TextWriter
{
    private readonly object _gate = new();
    private bool _closed;

    public override Encoding Encoding => inner.Encoding;

    /// <summary>Shuts the gate; true when it was open, so that the caller writes the last line.</summary>
    public new bool Close()
    {
        lock (_gate)
        {
            var wasOpen = !_closed;
            _closed = true;
            return wasOpen;
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                inner.WriteLine(value);
            }
        }
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                inner.Write(value);
            }
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                inner.Write(value);
            }
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                inner.Write(buffer, index, count);
            }
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                inner.Flush();
            }
        }
    }
}
