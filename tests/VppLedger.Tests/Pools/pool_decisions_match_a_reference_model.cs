using CsCheck;
using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>Random command sequences on one pool, decided with lookups from the full model, checked against a small independent model.</summary>
public sealed class pool_decisions_match_a_reference_model
{
    private static readonly Holder[] Holders =
        [.. Enumerable.Range(0, 40).Select(i => i % 3 == 0 ? Device($"d{i}") : User($"u{i}", i % 2 == 0 ? AppleIdKind.Managed : AppleIdKind.Personal))];

    private static readonly Gen<Op> GenOp = Gen.Frequency(
        (2, Gen.Select(Gen.Int[0, 30], Gen.Int[0, 8], (purchased, retired) => (Op)new Op.Sync(purchased, Math.Min(purchased, retired)))),
        (4, Gen.Int[0, Holders.Length - 1].Array[1, 12].Select(h => (Op)new Op.Grant(h))),
        (3, Gen.Int[0, Holders.Length - 1].Array[1, 6].Select(h => (Op)new Op.Reclaim(h))),
        (1, Gen.Int[0, Holders.Length - 1].Array[1, 6].Select(h => (Op)new Op.RevokeAll(h))));

    [Fact]
    [Trait("Rule", "S4")]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S1")]
    [Trait("Rule", "I2")]
    public void counts_queue_and_determinism_hold_for_random_sequences()
    {
        GenOp.Array[1, 40].Sample(Run, iter: 300);
    }

    private static void Run(Op[] ops)
    {
        var book = new PoolBook(Pool);
        var state = PoolState.Initial(Pool);
        var reference = new Reference();
        var step = 0;
        foreach (var op in ops.Prepend(new Op.Sync(10, 0)))
        {
            var command = op.ToCommand(Id($"c{step++}"));
            var lookup = book.LookupFor(command);
            var decision = PoolDecider.Decide(command, book.State, lookup, Now);
            var again = PoolDecider.Decide(command, book.State, lookup, Now);
            Assert.Null(decision.Rejection);
            Assert.Equal(decision.Events, again.Events); // determinism

            foreach (var e in decision.Events)
            {
                book.Apply(e);
                state = PoolDecider.Evolve(state, e);
                if (e is LicenseGranted)
                {
                    Assert.True(book.State.UsedCount <= book.State.TotalCount, "rule S4: a grant made used exceed total");
                }
            }

            op.Apply(reference);
            Assert.Equal(state, book.State); // counters alone fold to the same state as the full model
            Assert.Equal(reference.Total, state.TotalCount);
            Assert.Equal(reference.Granted.Order(StringComparer.Ordinal), book.Holders.Select(h => h.Key));
            Assert.Equal(reference.Granted.Count(k => k.StartsWith('d')), state.DeviceLicenseCount);
            Assert.Equal(reference.Granted.Count(k => k.StartsWith('u')), state.UserLicenseCount);
            Assert.Equal(reference.Queue, book.Queue.Select(q => q.Holder.Key));
            Assert.Equal(reference.Queue.Count, state.QueuedCount);
            Assert.True(book.Queue.Select(q => q.Position).SequenceEqual(book.Queue.Select(q => q.Position).Order()));
        }
    }

    /// <summary>The rules, written the plainest way: sets and a list.</summary>
    private sealed class Reference
    {
        public int Total { get; private set; }

        public HashSet<string> Granted { get; } = [];

        public List<string> Queue { get; } = [];

        public void Sync(int total)
        {
            Total = total;
            Promote();
        }

        public void Grant(IEnumerable<string> keys)
        {
            Promote();
            foreach (var key in keys)
            {
                if (Granted.Contains(key) || Queue.Contains(key))
                {
                    continue;
                }

                if (Granted.Count < Total)
                {
                    Granted.Add(key);
                }
                else
                {
                    Queue.Add(key);
                }
            }
        }

        public void Remove(IEnumerable<string> keys, bool promote)
        {
            foreach (var key in keys)
            {
                if (!Granted.Remove(key))
                {
                    Queue.Remove(key);
                }
            }

            if (promote)
            {
                Promote();
            }
        }

        private void Promote()
        {
            while (Granted.Count < Total && Queue.Count > 0)
            {
                Granted.Add(Queue[0]);
                Queue.RemoveAt(0);
            }
        }
    }

    private abstract record Op
    {
        public abstract IPoolCommand ToCommand(CommandId id);

        public abstract void Apply(Reference reference);

        protected static Holder[] Pick(int[] indexes) => [.. indexes.Select(i => Holders[i])];

        public sealed record Sync(int Purchased, int Retired) : Op
        {
            public override IPoolCommand ToCommand(CommandId id) => new ApplyAppleCounts(Pool, ProductKind.App, Purchased, Retired, null, id, Admin);

            public override void Apply(Reference reference) => reference.Sync(Purchased - Retired);
        }

        public sealed record Grant(int[] Indexes) : Op
        {
            public override IPoolCommand ToCommand(CommandId id) => new GrantLicenses(Pool, Pick(Indexes), id, Admin);

            public override void Apply(Reference reference) => reference.Grant(Pick(Indexes).Select(h => h.Key));
        }

        public sealed record Reclaim(int[] Indexes) : Op
        {
            public override IPoolCommand ToCommand(CommandId id) => new ReclaimLicenses(Pool, Pick(Indexes), ReclaimReason.NoLongerTargeted, id, Admin);

            public override void Apply(Reference reference) => reference.Remove(Pick(Indexes).Select(h => h.Key), promote: true);
        }

        public sealed record RevokeAll(int[] Indexes) : Op
        {
            public override IPoolCommand ToCommand(CommandId id) => new RevokeAllLicenses(Pool, Pick(Indexes), id, Admin);

            public override void Apply(Reference reference) => reference.Remove(Pick(Indexes).Select(h => h.Key), promote: false);
        }
    }
}
