using System.Collections.Concurrent;
using System.Diagnostics;
using VppLedger.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// Eight writers of mixed commands; the postmaster is killed with SIGKILL (CI 2 times, long mode 10) once the writers
/// are well under way, and started again on the same data directory and port. The same ledger instance carries on.
/// After each crash: every acknowledged command's events are in the log with the same content (I3), no pool was
/// oversold at any stream version (S4), the projections equal a replay (I2), the audit chain verifies (I1), the
/// process recovered without a restart, and every exception during the outage was the documented
/// <see cref="LedgerUnavailableException"/>.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class crashing_postgres_loses_no_acknowledged_command(ReliabilityRun run, ITestOutputHelper output)
{
    private const string Tenant = "crash";
    private const int Writers = 8;
    private static readonly int Crashes = ReliabilityRun.Long ? 10 : 2;
    private static readonly int CommandsPerWriter = ReliabilityRun.Long ? 150 : 45;

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "I4")]
    [Trait("Rule", "S4")]
    [Trait("Rule", "I2")]
    public async Task every_acknowledged_command_survives_a_killed_postmaster_and_the_ledger_recovers_by_itself()
    {
        var figures = run.For("crash");
        var (ledger, clock, schema) = run.NewLedger();
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();
        var work = new Workload(ledger.ForTenant(new TenantId(Tenant)), clock.GetCurrentInstant(), "crash", poolCount: 2, deviceCount: 60, licenses: 20);
        await work.SetUpAsync();
        var acknowledged = new ConcurrentQueue<CommandOutcome>();

        for (var crash = 1; crash <= Crashes; crash++)
        {
            var unresolved = new ConcurrentQueue<ILedgerCommand>();
            var doneBeforeKill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var done = 0;
            var outage = new Stopwatch();
            var firstAfterRestart = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            var killAfter = Writers * CommandsPerWriter / 3;
            var cycle = crash;
            var restarted = 0;

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var random = new Random(cycle * 1000 + w);
                for (var i = 0; i < CommandsPerWriter; i++)
                {
                    var command = work.Mixed(random, $"user-{cycle}-{w}");

                    // Retry the same command id while the database is away, as docs/guarantees.md tells hosts to.
                    var outcome = await Host.ExecuteAsync(work.Ledger, command, figures, attempts: 100, pause: TimeSpan.FromMilliseconds(100));
                    if (outcome is null)
                    {
                        unresolved.Enqueue(command);
                    }
                    else if (outcome.Succeeded)
                    {
                        acknowledged.Enqueue(outcome);
                        if (Volatile.Read(ref restarted) == 1)
                        {
                            firstAfterRestart.TrySetResult(outage.Elapsed);
                        }
                    }

                    if (Interlocked.Increment(ref done) == killAfter)
                    {
                        doneBeforeKill.TrySetResult();
                    }
                }
            })).ToList();

            await doneBeforeKill.Task.WaitAsync(TimeSpan.FromMinutes(5));
            outage.Start();
            run.Cluster.KillPostmaster();
            await run.Cluster.RestartAsync();
            var restartedAfter = outage.Elapsed;
            Volatile.Write(ref restarted, 1);
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(5));

            // The same ledger object answers again: the process recovered without a restart.
            var probe = await Host.ExecuteAsync(work.Ledger, work.NewUser($"probe-{cycle}"), figures, attempts: 100, pause: TimeSpan.FromMilliseconds(100));
            Assert.True(probe is { Succeeded: true }, "the ledger did not recover after the restart");
            var recoveredAfter = firstAfterRestart.Task.IsCompleted ? await firstAfterRestart.Task : outage.Elapsed;
            run.Note($"crash {crash:D2}: postmaster restarted {restartedAfter.TotalSeconds:F2} s after the kill; first command acknowledged {recoveredAfter.TotalSeconds:F2} s after the kill, same process");

            // Commands whose outcome was unknown: the same command id again decides it (I4).
            foreach (var command in unresolved)
            {
                var outcome = await Host.ExecuteAsync(work.Ledger, command, figures, attempts: 20, pause: TimeSpan.FromMilliseconds(100));
                if (outcome is { Succeeded: true })
                {
                    acknowledged.Enqueue(outcome);
                }
            }

            var (lost, mismatchedEvents) = await LedgerChecks.AcknowledgedAreInTheLogAsync(ledger, Tenant, acknowledged);
            var (oversold, mismatchedPools, grants) = await LedgerChecks.PoolsNeverOversoldAsync(ledger, Tenant);
            var differing = await LedgerChecks.ProjectionsEqualAReplayAsync(run, ledger, schema);
            var chain = await work.Ledger.Audit.VerifyChainAsync();
            figures.Lost(lost);
            figures.Oversold(oversold);
            figures.Mismatch(mismatchedEvents + mismatchedPools + differing.Count + (chain.IsIntact ? 0 : 1));

            output.WriteLine($"crash {crash}: restarted after {restartedAfter.TotalSeconds:F2} s, recovered after {recoveredAfter.TotalSeconds:F2} s, " +
                $"acknowledged so far {acknowledged.Count}, unresolved this cycle {unresolved.Count}, grants in the log {grants}, " +
                $"lost {lost}, oversold {oversold}, mismatched events {mismatchedEvents}, pools {mismatchedPools}, tables [{string.Join(", ", differing)}], chain {(chain.IsIntact ? "intact" : "BROKEN")}");
            Assert.Equal(0, lost);
            Assert.Equal(0, oversold);
            Assert.Equal(0, mismatchedEvents + mismatchedPools);
            Assert.Empty(differing);
            Assert.True(chain.IsIntact, "the audit chain does not verify");
        }

        foreach (var sample in figures.RawExceptionSamples)
        {
            output.WriteLine("raw exception: " + sample);
        }

        Assert.Equal(0, figures.RawExceptions);
        Assert.Equal(0, figures.Values()[7]);
    }
}
