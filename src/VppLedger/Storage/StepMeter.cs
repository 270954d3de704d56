using System.Collections.Concurrent;
using System.Diagnostics;

namespace VppLedger.Storage;

/// <summary>
/// Where the time of a database's rebuild and seal goes, step by step (reading, deserializing, folding, writing):
/// elapsed time, and the process's CPU time over the same intervals (meaningful when nothing else runs in the
/// process, as in the scale generator's <c>rebuild</c> and <c>reseal</c> steps). A step whose CPU is far below its
/// elapsed time waited, mostly for PostgreSQL. Cheap (two clock reads and a CPU read per step), always on.
/// </summary>
internal sealed class StepMeter
{
    private readonly ConcurrentDictionary<string, long[]> _steps = new(StringComparer.Ordinal);

    /// <summary>Starts timing one step; disposing the scope adds it (elapsed, CPU, one more run, <paramref name="items"/> more items).</summary>
    public Scope Measure(string step, long items = 0) => new(this, step, items);

    /// <summary>Adds elapsed time (<see cref="Stopwatch"/> ticks, no CPU) and items to a step timed piecewise by its caller.</summary>
    public void Add(string step, long elapsedTicks, long items)
    {
        var s = Of(step);
        Interlocked.Add(ref s[0], elapsedTicks);
        Interlocked.Increment(ref s[2]);
        Interlocked.Add(ref s[3], items);
    }

    /// <summary>Adds items to a step (events read, rows written) without timing it.</summary>
    public void Count(string step, long items) => Interlocked.Add(ref Of(step)[3], items);

    /// <summary>Every step measured so far, in the order first measured: elapsed, CPU, runs, items.</summary>
    public IReadOnlyList<(string Step, TimeSpan Elapsed, TimeSpan Cpu, long Runs, long Items)> Snapshot() =>
        [.. _steps.OrderBy(s => s.Value[4]).Select(s => (s.Key, Stopwatch.GetElapsedTime(0, Interlocked.Read(ref s.Value[0])), TimeSpan.FromTicks(Interlocked.Read(ref s.Value[1])), Interlocked.Read(ref s.Value[2]), Interlocked.Read(ref s.Value[3])))];

    /// <summary>Forgets every step.</summary>
    public void Reset() => _steps.Clear();

    private long _order;

    private long[] Of(string step) => _steps.GetOrAdd(step, _ => [0, 0, 0, 0, Interlocked.Increment(ref _order)]);

    /// <summary>One timed step.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly StepMeter _meter;
        private readonly string _step;
        private readonly long _items;
        private readonly long _started;
        private readonly TimeSpan _cpu;

        internal Scope(StepMeter meter, string step, long items)
        {
            (_meter, _step, _items) = (meter, step, items);
            _cpu = Environment.CpuUsage.TotalTime;
            _started = Stopwatch.GetTimestamp();
        }

        /// <summary>Adds the step's time.</summary>
        public void Dispose()
        {
            if (_meter is null)
            {
                return;
            }

            var elapsed = Stopwatch.GetTimestamp() - _started;
            var cpu = Environment.CpuUsage.TotalTime - _cpu;
            var s = _meter.Of(_step);
            Interlocked.Add(ref s[0], elapsed);
            Interlocked.Add(ref s[1], cpu.Ticks);
            Interlocked.Increment(ref s[2]);
            Interlocked.Add(ref s[3], _items);
        }
    }
}
