using System.Text;
using CsCheck;
using NodaTime;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>
/// The property behind checkpoints (I5): over generated histories (writers whose clocks disagree, concurrent
/// commands on two pools, imports with earlier business times, Apple's answers, seals at random points, an unsealed tail), the
/// whole-tenant and pool as-of answered from checkpoints (whole ones and the deltas after them, for tenants and pool
/// books alike) equal the fold of the whole log at every instant tried.
/// </summary>
public sealed class checkpointed_as_of_equals_the_full_fold(CheckpointLedgerFixture db) : IClassFixture<CheckpointLedgerFixture>
{
    private const int Iterations = 12;

    private static readonly Actor Importer = new("migration-job", Permissions.ImportHistory);

    private static readonly Actor AppleWorker = new("apple-worker", Permissions.ManagedApps);

    public abstract record Op
    {
        public sealed record Advance(int Hours) : Op;

        public sealed record Counts(int Pool, int Purchased) : Op;

        public sealed record Concurrent(int PurchasedA, int PurchasedB, int User) : Op;

        public sealed record Member(int User, bool Add) : Op;

        public sealed record Import : Op;

        /// <summary>Apple's answer for one holder of pool 0: association or disassociation, confirmed or refused (issue 13).</summary>
        public sealed record AppleAnswer(int User, bool Disassociate, bool Refused) : Op;

        public sealed record Seal : Op;
    }

    public sealed record Generated(int Seed, IReadOnlyList<Op> Ops, bool SealAtEnd)
    {
        public override string ToString() => $"seed {Seed}, seal at end {SealAtEnd}:\n" + string.Join("\n", Ops.Select((o, i) => $"{i + 1}: {o}"));
    }

    private static readonly Gen<Op> OneOp = Gen.Frequency(
        (4, Gen.Int[1, 40].Select(h => (Op)new Op.Advance(h))),
        (4, Gen.Select(Gen.Int[0, 2], Gen.Int[0, 6], (p, n) => (Op)new Op.Counts(p, n))),
        (2, Gen.Select(Gen.Int[0, 6], Gen.Int[0, 6], Gen.Int[0, 5], (a, b, u) => (Op)new Op.Concurrent(a, b, u))),
        (4, Gen.Select(Gen.Int[0, 5], Gen.Bool, (u, add) => (Op)new Op.Member(u, add))),
        (1, Gen.Const((Op)new Op.Import())),
        (3, Gen.Select(Gen.Int[0, 5], Gen.Bool, Gen.Bool, (u, d, r) => (Op)new Op.AppleAnswer(u, d, r))),
        (1, Gen.Const((Op)new Op.Seal())));

    private static readonly Gen<Generated> Histories = Gen.Select(Gen.Int[0, 1_000_000], OneOp.List[8, 30], Gen.Bool, (seed, ops, seal) => new Generated(seed, ops, seal));

    private int _tenants;
    private long _pooled;
    private long _bookDeltasAfterSecondWhole;

    private static bool Same(PoolPosition? a, PoolPosition? b) =>
        a is null ? b is null
        : b is not null && a.Summary == b.Summary && a.Holders.SequenceEqual(b.Holders) && a.Queue.SequenceEqual(b.Queue) && a.EventCount == b.EventCount;

    private static string Show(PoolPosition? p) =>
        p is null ? "nothing" : $"{p.EventCount} events, {p.Summary}, holders {string.Join(",", p.Holders.Select(h => h.Key))}, queue {string.Join(",", p.Queue.Select(q => $"{q.Position}:{q.Holder.Key}"))}";

    [Fact]
    [Trait("Rule", "I5")]
    public async Task checkpointed_as_of_answers_like_the_full_fold_at_random_instants()
    {
        // One history that surely reaches Apple's side (a confirmed and a refused association, a release of a confirmed
        // seat pending at Apple, then its disassociation confirmed), whatever the random ones below happen to draw.
        await CheckAsync(new Generated(17, [
            new Op.Member(1, Add: true), new Op.Advance(2), new Op.AppleAnswer(0, Disassociate: false, Refused: false),
            new Op.AppleAnswer(1, Disassociate: false, Refused: true), new Op.Seal(), new Op.Advance(3),
            new Op.Member(0, Add: false), new Op.AppleAnswer(0, Disassociate: true, Refused: false), new Op.Advance(1),

            // Then enough changes to pool 0 (grants, queueing, reclaims, count changes) for deltas after its second whole book.
            .. Enumerable.Range(0, 8).SelectMany(i => new Op[] { new Op.Member((i + 2) % 6, Add: true), new Op.Counts(0, (i % 3) + 1), new Op.Member((i + 4) % 6, Add: false), new Op.Advance(1) }),
            new Op.Seal(), new Op.Member(1, Add: true)], SealAtEnd: true));
        await Histories.SampleAsync(CheckAsync, iter: Iterations, threads: 1, print: g => g.ToString());
        Assert.True(_pooled > 0, "no pool book checkpoint was cut: the pools' side of the property was not exercised");
        Assert.True(_bookDeltasAfterSecondWhole > 0, "no pool reached a delta after its second whole book: deltas across several book checkpoints were not exercised");
        Assert.True(
            await TestServer.ScalarAsync<long>($"select count(distinct type) from {db.SchemaName}.mt_events where type like 'vpp.pool.apple%'") >= 3,
            "Apple's answers were not folded: their side of the property was not exercised");
    }

    private async Task CheckAsync(Generated history)
    {
        var tenant = $"prop-{Interlocked.Increment(ref _tenants)}";
        var start = Instant.FromUtc(2024, 4, 20, 9, 0);
        db.Clock.Reset(start, history.Seed, jitterMinutes: 90);
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), start);
        var token = new TokenId("live");
        var pools = new List<PoolId> { await s.SyncedPoolAsync(token, "0", purchased: 2) };
        pools.Add(await s.SyncedPoolAsync(token, "1", purchased: 1, upload: false));
        pools.Add(await s.SyncedPoolAsync(token, "2", purchased: 1, upload: false));
        var users = await s.UsersAsync("u", 6);
        var group = await s.GroupAsync("g", GroupKind.User, [GroupMember.ForUser(users[0])]);
        await s.AssignAsync(pools[0], group, AssignmentIntent.Required, LicenseType.User);
        var imports = 0;
        foreach (var op in history.Ops)
        {
            switch (op)
            {
                case Op.Advance a:
                    db.Clock.Advance(Duration.FromHours(a.Hours));
                    break;
                case Op.Counts c:
                    await s.Ledger.ExecuteAsync(new ApplyAppleCounts(pools[c.Pool], ProductKind.App, c.Purchased, 0, null, s.NextId(), Scenario.Admin));
                    break;
                case Op.Concurrent c:
                    await Task.WhenAll(
                        s.Ledger.ExecuteAsync(new ApplyAppleCounts(pools[0], ProductKind.App, c.PurchasedA, 0, null, s.NextId(), Scenario.Admin)),
                        s.Ledger.ExecuteAsync(new ApplyAppleCounts(pools[1], ProductKind.App, c.PurchasedB, 0, null, s.NextId(), Scenario.Admin)),
                        s.Ledger.ExecuteAsync(new AddGroupMembers(group, [GroupMember.ForUser(users[c.User])], s.NextId(), Scenario.Admin)));
                    break;
                case Op.Member m:
                    await s.Ledger.ExecuteAsync(m.Add
                        ? new AddGroupMembers(group, [GroupMember.ForUser(users[m.User])], s.NextId(), Scenario.Admin)
                        : new RemoveGroupMembers(group, [GroupMember.ForUser(users[m.User])], s.NextId(), Scenario.Admin));
                    break;
                case Op.Import when imports < 2:
                    var result = await s.Ledger.Audit.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(History.Valid($"{tenant}-imp{++imports}"))), Importer);
                    Assert.Null(result.Rejection);
                    break;
                case Op.AppleAnswer a:
                    // An answer for a holder in no matching state decides nothing: the outcome is not the property.
                    var holder = Holder.ForUser(users[a.User], AppleIdKind.Managed);
                    await s.Ledger.ExecuteAsync(new RecordAppleEventResult(
                        pools[0], $"evt-{s.NextId().Value}", a.Disassociate ? AppleEventType.Disassociate : AppleEventType.Associate, a.Refused ? [] : [holder],
                        a.Refused ? [new AppleHolderFailure(holder, 9709, "Refused.")] : [], s.NextId(), AppleWorker));
                    break;
                case Op.Seal:
                    await s.Ledger.Audit.WaitForSealAsync();
                    break;
            }
        }

        if (history.SealAtEnd)
        {
            await s.Ledger.Audit.WaitForSealAsync();
        }

        // Every business time of the log, just before and at it, and a few beyond either end.
        var times = await s.Ledger.Audit.HistoryAsync().Select(r => r.OccurredAt).Distinct().ToListAsync();
        var random = new Random(history.Seed);
        var instants = times.SelectMany(t => new[] { t - Duration.Epsilon, t })
            .Concat([times.Min() - Duration.FromDays(1), times.Max() + Duration.FromDays(1)])
            .OrderBy(_ => random.Next())
            .Take(40)
            .ToList();
        var audit = db.AuditOf(tenant);
        foreach (var at in instants)
        {
            var checkpointed = await s.Ledger.Audit.TenantAsOfAsync(at);
            var full = await audit.TenantAsOfByFullFoldAsync(at);
            Assert.True(
                full.Pools.SequenceEqual(checkpointed.Pools) && full.Tokens.SequenceEqual(checkpointed.Tokens) && full.EventCount == checkpointed.EventCount,
                $"as of {at}: the checkpoint at {checkpointed.Checkpoint} and {checkpointed.FoldedEventCount} later events give {checkpointed.EventCount} events, pools {string.Join("; ", checkpointed.Pools)}; "
                + $"the full fold gives {full.EventCount} events, pools {string.Join("; ", full.Pools)}");
            foreach (var pool in pools.Concat(Enumerable.Range(1, imports).Select(i => History.PoolOf($"{tenant}-imp{i}"))))
            {
                var book = await s.Ledger.Audit.PoolAsOfAsync(pool, at);
                var fullBook = await audit.PoolAsOfByFullFoldAsync(pool, at);
                Assert.True(
                    Same(fullBook, book),
                    $"pool {pool} as of {at}: the book checkpoint at {book?.Checkpoint} and {book?.FoldedEventCount} later events give {Show(book)}; the full fold gives {Show(fullBook)}");
            }
        }

        _pooled += await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_checkpoint where tenant_id = @t and scope <> ''", ("t", tenant));
        _bookDeltasAfterSecondWhole += await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.vpp_checkpoint where tenant_id = @t and scope <> '' and not full_state and cut_number > {CheckpointLedgerFixture.FullEvery + 1}",
            ("t", tenant));
        Assert.True(await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.vpp_checkpoint where tenant_id = @t", ("t", tenant)) > 0 || !history.SealAtEnd);
    }
}
