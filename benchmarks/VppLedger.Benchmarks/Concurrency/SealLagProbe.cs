using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace VppLedger.Benchmarks.Concurrency;

/// <summary>
/// Samples, every 10 ms, the log's head (the sequence's last value) and the chain's sealed head; the lag of a sample is
/// the time until the sealed head reached that log head (an upper bound: the last value may not have committed yet).
/// </summary>
internal sealed class SealLagProbe : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<List<(double At, long Log, long Sealed)>> _samples;

    public SealLagProbe(string connection) => _samples = Task.Run(() => SampleAsync(connection, _stop.Token));

    public async Task<string> StopAsync()
    {
        // Let the sealer catch up with the last samples before stopping.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await _stop.CancelAsync();
        var samples = await _samples;
        if (samples.Count == 0)
        {
            return "n/a (no sealer)";
        }

        var lags = new List<double>();
        for (var i = 0; i < samples.Count; i++)
        {
            var j = i;
            while (j < samples.Count && samples[j].Sealed < samples[i].Log)
            {
                j++;
            }

            if (j < samples.Count)
            {
                lags.Add(samples[j].At - samples[i].At);
            }
        }

        if (lags.Count == 0)
        {
            return "never caught up";
        }

        lags.Sort();
        double P(double q) => lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(q * lags.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"{P(0.5):N0} / {P(0.99):N0} / {lags[^1]:N0}");
    }

    public void Dispose() => _stop.Dispose();

    private static async Task<List<(double, long, long)>> SampleAsync(string connection, CancellationToken stop)
    {
        var samples = new List<(double, long, long)>();
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync(CancellationToken.None);
        await using var exists = new NpgsqlCommand("select to_regclass('bench_conc.vpp_audit_seal') is not null", c);
        if (!(bool)(await exists.ExecuteScalarAsync(CancellationToken.None))!)
        {
            return samples;
        }

        await using var q = new NpgsqlCommand("select (select last_value from bench_conc.mt_events_sequence), coalesce((select sealed_seq from bench_conc.vpp_audit_seal where id = 1), 0)", c);
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            await using (var r = await q.ExecuteReaderAsync(CancellationToken.None))
            {
                await r.ReadAsync(CancellationToken.None);
                samples.Add((clock.Elapsed.TotalMilliseconds, r.GetInt64(0), r.GetInt64(1)));
            }

            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return samples;
    }
}
