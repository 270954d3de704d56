using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using Xunit.Abstractions;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Eight writers race on one 100-license pool with 2,000 grant and reclaim attempts. The pool stream's version is
/// the lock: a conflict is decided again on fresh state, and the log must show that no prefix ever had more
/// licenses out than bought (S4), that every reported grant is in the log (I3), and that the counts match the holders.
/// </summary>
public sealed class concurrent_writers_never_oversell_a_pool(LedgerFixture db, ITestOutputHelper output) : IClassFixture<LedgerFixture>
{
    private const int Writers = 8;
    private const int AttemptsPerWriter = 250;
    private const int Licenses = 100;
    private const int HolderCount = 300;

    [Fact]
    [Trait("Rule", "S4")]
    [Trait("Rule", "I3")]
    [Trait("Rule", "A6")]
    public async Task used_never_exceeds_total_at_any_version_and_every_reported_grant_is_in_the_log()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("race")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "31337", purchased: Licenses);
        var holders = Enumerable.Range(1, HolderCount).Select(i => Holder.ForDevice(new DeviceId($"d{i:D3}"))).ToArray();
        await s.RunAsync(new Directory.RecordDirectory(
            [], [.. holders.Select(h => new Directory.DirectoryDevice(h.Device!.Value, new SerialNumber("SN" + h.OwnerId), Scenario.CorporateSupervised(), null, null))], s.NextId(), Scenario.Admin));
        var retriedBefore = db.Marten.Runner.ConflictsRetried.Count;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(1000 + w);
            var results = new List<CommandOutcome>(AttemptsPerWriter);
            for (var i = 0; i < AttemptsPerWriter; i++)
            {
                var holder = holders[random.Next(holders.Length)];
                ILedgerCommand command = random.NextDouble() < 0.6
                    ? new GrantLicenses(pool, [holder], new CommandId($"w{w}-{i}"), Scenario.Admin)
                    : new ReclaimLicenses(pool, [holder], ReclaimReason.Revoked, new CommandId($"w{w}-{i}"), Scenario.Admin);
                results.Add(await s.Ledger.ExecuteAsync(command));
            }

            return results;
        })));
        var all = outcomes.SelectMany(o => o).ToList();
        var retried = db.Marten.Runner.ConflictsRetried.Count - retriedBefore;

        // Replay the pool stream: every prefix keeps used <= total.
        await using var session = db.Marten.Store.QuerySession("race");
        var events = await session.Events.FetchStreamAsync("pool:tok:31337");
        var state = PoolState.Initial(pool);
        var maxUsed = 0;
        foreach (var e in events)
        {
            state = PoolDecider.Evolve(state, (IPoolEvent)e.Data);
            Assert.True(state.UsedCount <= state.TotalCount, $"version {e.Version}: used {state.UsedCount} > total {state.TotalCount}");
            maxUsed = Math.Max(maxUsed, state.UsedCount);
        }

        var book = PoolBook.Replay(pool, events.Select(e => (IPoolEvent)e.Data));
        var summary = await s.Ledger.GetPoolAsync(pool);
        var grantedSeats = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.mt_doc_seatdoc where tenant_id = 'race' and data->>'Status' = 'Granted'");

        Assert.Equal(state.UsedCount, summary!.UsedCount);
        Assert.Equal(grantedSeats, summary.UsedCount);
        Assert.Equal(book.State.UsedCount, summary.UsedCount);
        Assert.Equal(book.State.QueuedCount, summary.QueuedCount);

        // Every grant reported as applied is in the log, at the version reported, for the holder reported.
        var byVersion = events.ToDictionary(e => e.Version, e => e.Data);
        var reportedGrants = all.Where(o => o.Status == CommandStatus.Applied).SelectMany(o => o.Changes).Where(c => c.Event is LicenseGranted).ToList();
        Assert.All(reportedGrants, c => Assert.Equal(c.Event, byVersion[c.Version]));

        var applied = all.Count(o => o.Status == CommandStatus.Applied);
        var conflicts = all.Count(o => o.Rejection?.Code == "ConcurrencyConflict");
        output.WriteLine($"attempts {all.Count}, applied {applied}, unchanged {all.Count(o => o.Status == CommandStatus.Unchanged)}, " +
            $"rejected after retries {conflicts}, conflicts retried {retried}, grants {reportedGrants.Count}, " +
            $"events {events.Count}, max used {maxUsed}, final used {summary.UsedCount}, queued {summary.QueuedCount}");
        Assert.Equal(Writers * AttemptsPerWriter, all.Count);
        Assert.All(all, o => Assert.True(o.Succeeded || o.Rejection!.Code == "ConcurrencyConflict", o.Rejection?.ToString()));
        Assert.Equal(Licenses, maxUsed);
    }
}
