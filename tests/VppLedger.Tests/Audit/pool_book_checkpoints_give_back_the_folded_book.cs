using CsCheck;
using NodaTime;
using VppLedger.Audit;
using VppLedger.Pools;
using VppLedger.Storage;

namespace VppLedger.Tests.Audit;

/// <summary>
/// Pool book checkpoints (I5, docs/audit.md "Pool books"): whole books every few cuts, deltas between, in the binary
/// encoding; read back from the last whole book and the deltas after it, they give the book folded from the first event.
/// </summary>
public sealed class pool_book_checkpoints_give_back_the_folded_book
{
    private static readonly PoolId Pool = new(new TokenId("tok"), new AdamId("1"));
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 1, 9, 0);

    // Users with both Apple ID kinds, devices, ids with dots and non-ASCII letters: every holder tag and key shape.
    private static readonly Holder[] Holders =
    [
        Holder.ForUser(new UserId("anna"), AppleIdKind.Managed), Holder.ForUser(new UserId("anna"), AppleIdKind.Personal),
        Holder.ForUser(new UserId("b.o.b"), AppleIdKind.Managed), Holder.ForUser(new UserId("zoë"), AppleIdKind.Personal),
        Holder.ForDevice(new DeviceId("d1")), Holder.ForDevice(new DeviceId("d10")), Holder.ForDevice(new DeviceId("d.2")),
        Holder.ForDevice(new DeviceId("ÄPFEL")), Holder.ForUser(new UserId("u"), AppleIdKind.Managed),
    ];

    private static readonly Gen<(int Kind, int Holder)> OneEvent = Gen.Select(Gen.Int[0, 5], Gen.Int[0, Holders.Length - 1]);

    // The draws as a history the deciders could write: a grant or a queueing of a holder who has neither, a reclaim or
    // refused association of a granted one, a queued one leaving; other draws are skipped.
    private static List<IPoolEvent> Events(IEnumerable<(int Kind, int Holder)> draws)
    {
        var (events, position, at) = (new List<IPoolEvent>(), 0L, T0);
        var (granted, queued) = (new HashSet<Holder>(), new HashSet<Holder>());
        foreach (var (kind, index) in draws)
        {
            var h = Holders[index];
            at += Duration.FromMinutes(5);
            IPoolEvent? e = kind switch
            {
                0 or 1 when !granted.Contains(h) => new LicenseGranted(Pool, h, GrantReason.Targeted, "A6", at),
                2 when granted.Contains(h) => new LicenseReclaimed(Pool, h, ReclaimReason.AssignmentRemoved, "R2", at),
                3 when !granted.Contains(h) && !queued.Contains(h) => new HolderQueued(Pool, h, ++position, "A6", at),
                4 when queued.Contains(h) => new HolderLeftQueue(Pool, h, ReclaimReason.AssignmentRemoved, "R2", at),
                5 when granted.Contains(h) => new AppleAssociationFailed(Pool, h, "evt", 9709, "Refused.", at),
                _ => null,
            };
            switch (e)
            {
                case LicenseGranted:
                    (_, _) = (granted.Add(h), queued.Remove(h));
                    break;
                case LicenseReclaimed or AppleAssociationFailed:
                    granted.Remove(h);
                    break;
                case HolderQueued:
                    queued.Add(h);
                    break;
                case HolderLeftQueue:
                    queued.Remove(h);
                    break;
                default:
                    continue;
            }

            events.Add(e);
        }

        return events;
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void a_book_read_back_from_whole_books_and_deltas_equals_the_book_folded_from_the_first_event()
    {
        Gen.Select(OneEvent.List[1, 60], Gen.Int[1, 7], Gen.Int[1, 4]).Sample((draws, every, fullEvery) =>
        {
            var events = Events(draws);
            var stored = new List<(bool Full, byte[] Book)>();
            CheckpointState? previous = null;
            for (var end = every; end <= events.Count; end += every)
            {
                var cut = PoolBookCheckpoint.Cut(Pool, "pool:tok:1", previous, events.Skip(end - every).Take(every), end, end, [1], fullEvery);
                var position = Assert.Single(cut.Positions);
                stored.Add((cut.Full, position.Delta is { } delta ? PoolBookCodec.EncodeDelta(delta) : PoolBookCodec.EncodeBook(position.Holders!, position.Queue!)));

                // As the store reads it: the last whole book at or before the cut, then every delta after it, in order.
                var (holders, queue) = PoolBookCodec.Read([.. stored.Skip(stored.FindLastIndex(s => s.Full)).Select(s => s.Book)]);

                var folded = PoolBook.Replay(Pool, events.Take(end));
                Assert.Equal(cut.CutNumber % fullEvery == 1 || fullEvery == 1, cut.Full);
                Assert.Equal(folded.Holders, holders);
                Assert.Equal(folded.Queue, queue);
                Assert.Equal(folded.State, position.Pool);
                previous = new CheckpointState(cut.Seq, cut.ChainPosition, cut.Hash, cut.MaxOccurredAt, cut.EventCount, cut.CutNumber, [position with { Holders = holders, Queue = queue }]);
            }
        });
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void a_book_restored_from_a_checkpoint_and_folded_further_lists_its_holders_like_one_folded_from_the_start()
    {
        Gen.Select(OneEvent.List[0, 40], OneEvent.List[0, 40]).Sample((before, after) =>
        {
            var (head, tail) = (Events(before), Events(after));
            var checkpoint = PoolBook.Replay(Pool, head);
            var restored = PoolBook.Restore(checkpoint.State, checkpoint.Holders, checkpoint.Queue);
            var whole = PoolBook.Replay(Pool, head.Concat(tail));
            foreach (var e in tail)
            {
                restored.Apply(e);
            }

            Assert.Equal(whole.Holders, restored.Holders);
            Assert.Equal(whole.Queue, restored.Queue);
            Assert.Equal(whole.State, restored.State);
            Assert.All(Holders, h => Assert.Equal(whole.SeatOf(h), restored.SeatOf(h)));
        });
    }
}
