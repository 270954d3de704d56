using CsCheck;
using Newtonsoft.Json;
using VppLedger.Audit;
using VppLedger.Pools;
using VppLedger.Storage;
using VppLedger.Tokens;

namespace VppLedger.Tests.Audit;

/// <summary>
/// A tenant checkpoint's positions in their binary encoding (I5, docs/audit.md "Checkpoints",
/// <see cref="CheckpointStateCodec"/>): every pool and token state comes back as it went in, and a checkpoint read back
/// from its value and the earlier ones back to a full one holds each stream's newest state.
/// </summary>
public sealed class checkpoint_states_survive_their_binary_encoding
{
    private static readonly JsonSerializerSettings Settings = NewtonsoftSerializer.CreateSettings();

    // Pool ids of every shape a stream id takes: token ids sharing prefixes, adamIds of several lengths, PLUS pools.
    private static readonly PoolId[] Pools =
    [
        new(new TokenId("tok"), new AdamId("1")), new(new TokenId("tok"), new AdamId("12")), new(new TokenId("tok"), new AdamId("12"), PricingParam.Plus),
        new(new TokenId("tok-2"), new AdamId("361309726")), new(new TokenId("tök"), new AdamId("9")), new(new TokenId("t"), new AdamId("1"), PricingParam.Plus),
    ];

    private static readonly Gen<int> Count = Gen.OneOf(Gen.Int[0, 200], Gen.Int[0, int.MaxValue], Gen.Int);

    private static readonly Gen<AppleAssetFacts?> Facts = Gen.OneOf(
        Gen.Const((AppleAssetFacts?)null),
        Gen.Select(Gen.Bool, Gen.Bool, OneOf("iOS", "macOS", "tvOS", "visionOS", "wätch").Array[0, 4], (d, r, p) => (AppleAssetFacts?)new AppleAssetFacts(d, r, p)));

    private static readonly Gen<PoolState> Pool = Gen.Select(
        Gen.Int[0, Pools.Length - 1],
        Gen.Bool.Array[2],
        Gen.Enum<ProductKind>(),
        Count.Array[9],
        Gen.Long,
        Gen.Select(Gen.Bool, Count, Gen.Bool, Count),
        Facts,
        (pool, flags, product, c, last, optional, facts) => new PoolState
        {
            Pool = Pools[pool],
            Synced = flags[0],
            Orphaned = flags[1],
            Product = product,
            PurchasedCount = c[0],
            RetiredCount = c[1],
            UserLicenseCount = c[2],
            DeviceLicenseCount = c[3],
            QueuedCount = c[4],
            LastQueuePosition = last,
            ConfirmedCount = c[5],
            FailedCount = c[6],
            ReleasePendingCount = c[7],
            AppleAssignedCount = optional.Item1 ? optional.Item2 : null,
            UsedCountAtLastComparison = optional.Item3 ? optional.Item4 : null,
            AssetFacts = facts,
        });

    private static readonly Gen<TokenState> Token = Gen.Select(OneOf("a", "b", "ä"), Gen.Bool, Gen.Bool, (id, deleted, revoke) =>
        TokenState.Initial with { Id = new TokenId(id), Location = LocationKey.FromAppleLocationId("loc-" + id), Deleted = deleted, RevocationRequested = revoke, Programme = revoke ? TokenProgramme.LegacyVpp : TokenProgramme.AppsAndBooks });

    private static readonly Gen<CheckpointPosition> Position = Gen.OneOf(
        Gen.Select(Pool, Gen.Long[1, long.MaxValue], (p, n) => new CheckpointPosition(Streams.Pool(p.Pool), p, null, n)),
        Gen.Select(Token, Gen.Long[1, 1000], (t, n) => new CheckpointPosition(Streams.Token(t.Id!.Value), null, t, n)));

    // Every settable property of PoolState, as the encoding writes them. A new property fails this test until it is
    // written by CheckpointStateCodec (and added here): a checkpoint must not lose a field the fold keeps.
    [Fact]
    [Trait("Rule", "I5")]
    public void every_property_of_a_pool_state_is_encoded()
    {
        string[] encoded =
        [
            "AppleAssignedCount", "AssetFacts", "ConfirmedCount", "DeviceLicenseCount", "FailedCount", "LastQueuePosition", "Orphaned", "Pool",
            "Product", "PurchasedCount", "QueuedCount", "ReleasePendingCount", "RetiredCount", "Synced", "UsedCountAtLastComparison", "UserLicenseCount",
        ];
        var properties = typeof(PoolState).GetProperties().Where(p => p.SetMethod is not null).Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(encoded, properties);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void every_position_comes_back_as_it_went_in()
    {
        Position.List[0, 12].Sample(positions =>
        {
            var unique = positions.DistinctBy(p => p.Stream).ToList();
            var read = CheckpointStateCodec.Read([CheckpointStateCodec.Encode(unique)]);
            Assert.Equal(Text(unique.OrderBy(p => p.Stream, StringComparer.Ordinal)), Text(read));
        });
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void a_checkpoint_read_from_a_full_value_and_later_ones_holds_each_streams_newest_state()
    {
        Position.List[1, 10].List[1, 6].Sample(cuts =>
        {
            // Each cut's positions as the checkpointer writes them (the first full, the others the changed streams), and
            // the state they add up to.
            var newest = new Dictionary<string, CheckpointPosition>(StringComparer.Ordinal);
            var values = new List<byte[]>();
            foreach (var cut in cuts)
            {
                var changed = cut.DistinctBy(p => p.Stream).ToList();
                foreach (var p in changed)
                {
                    newest[p.Stream] = p;
                }

                values.Add(CheckpointStateCodec.Encode(changed));
            }

            values.Reverse();
            var read = CheckpointStateCodec.Read(values);
            Assert.Equal(Text(newest.Values.OrderBy(p => p.Stream, StringComparer.Ordinal)), Text(read));
        });
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void a_value_of_an_unknown_version_is_refused_with_what_to_do()
    {
        var value = CheckpointStateCodec.Encode([new CheckpointPosition(Streams.Pool(Pools[0]), PoolState.Initial(Pools[0]), null, 1)]);
        value[0] = 9;
        var error = Assert.Throws<InvalidDataException>(() => CheckpointStateCodec.Read([value]));
        Assert.Contains("RebuildAsync", error.Message, StringComparison.Ordinal);
    }

    private static Gen<string> OneOf(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static string Text(IEnumerable<CheckpointPosition> positions) =>
        string.Join('\n', positions.Select(p => $"{p.Stream} {p.EventCount} {JsonConvert.SerializeObject((object?)p.Pool ?? p.Token, Settings)}"));
}
