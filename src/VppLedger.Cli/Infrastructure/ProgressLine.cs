using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace VppLedger.Cli.Infrastructure;

/// <summary>
/// Progress by events on standard error: count, total, rate and time left. On a terminal one line rewritten in place;
/// otherwise (a log, a pipe) one line at most every <see cref="Every"/>, and the last.
/// </summary>
internal sealed class ProgressLine(CliHost host, string what)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly object _gate = new();
    private TimeSpan _shown = TimeSpan.FromDays(-1);

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> events (total 0: unknown).</summary>
    public void Report(long done, long total, string? detail = null)
    {
        lock (_gate)
        {
            var elapsed = Stopwatch.GetElapsedTime(_started);
            if (elapsed - _shown < (Interactive ? TimeSpan.FromMilliseconds(100) : Every))
            {
                return;
            }

            _shown = elapsed;
            Write(Text(done, total, elapsed, detail), final: false);
        }
    }

    /// <summary>The last line: what was done, with the average rate.</summary>
    public void Finish(string text)
    {
        lock (_gate)
        {
            Write(text, final: true);
        }
    }

    internal static string Text(long done, long total, TimeSpan elapsed, string? detail)
    {
        var rate = elapsed.TotalSeconds > 0.05 ? done / elapsed.TotalSeconds : 0;
        var line = total > 0
            ? $"{Format.Count(done)} of {Format.Count(total)} events ({Math.Min(100, 100.0 * done / total).ToString("0", CultureInfo.InvariantCulture)}%)"
            : $"{Format.Count(done)} events";
        line += $", {Format.Count((long)rate)} events/s";
        if (total > 0 && rate > 0 && done < total)
        {
            line += $", about {Eta(TimeSpan.FromSeconds((total - done) / rate))} left";
        }

        return detail is null ? line : $"{line} ({detail})";
    }

    private static string Eta(TimeSpan left) =>
        left.TotalHours >= 1 ? $"{(int)left.TotalHours} h {left.Minutes:00} min"
        : left.TotalMinutes >= 1 ? $"{(int)left.TotalMinutes} min {left.Seconds:00} s"
        : $"{Math.Max(1, (int)Math.Ceiling(left.TotalSeconds))} s";

    private bool Interactive => host.Status.Profile.Capabilities.Interactive;

    private void Write(string text, bool final)
    {
        if (Interactive)
        {
            // One line rewritten in place: carriage return, the text, erase to the end of the line.
            host.Error.Write($"\r{what}: {text}\u001b[K");
            if (final)
            {
                host.Error.WriteLine();
            }

            host.Error.Flush();
            return;
        }

        host.Error.WriteLine($"{what}: {text}");
        host.Error.Flush();
    }
}
