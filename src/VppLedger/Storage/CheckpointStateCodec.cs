using System.Text;
using Newtonsoft.Json;
using VppLedger.Audit;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>
/// The binary form of a tenant checkpoint's positions (<c>vpp_checkpoint_state.positions</c>, docs/audit.md
/// "Checkpoints"): one value a checkpoint instead of one JSON row a stream. A version byte and a count, then the
/// positions sorted by stream id, each: the stream id front-coded against the one before (the length of the prefix
/// they share, then the rest in UTF-8), its event count, a kind byte (0 a pool, 1 a token), the length of its state,
/// then the state. A pool's state is a flags byte, its product and its counters, 7-bit encoded (its pool is the
/// stream's); a token's (a few thousand a tenant at most, seldom changed) is its JSON. The length lets a reader skip
/// a state it does not need: <see cref="Read"/> reads the newest value first and decodes each stream's state once.
/// About 20 bytes a pool besides its id, against some 400 as a JSON row, and read without a JSON parser.
/// </summary>
internal static class CheckpointStateCodec
{
    private const byte Version = 1;
    private const byte PoolKind = 0;
    private const byte TokenKind = 1;

    // Flags of a pool state.
    private const byte Synced = 1;
    private const byte Orphaned = 2;
    private const byte HasAppleAssigned = 4;
    private const byte HasUsedAtLastComparison = 8;
    private const byte HasAssetFacts = 16;
    private const byte DeviceAssignable = 32;
    private const byte Revocable = 64;

    private static readonly JsonSerializer Json = JsonSerializer.Create(NewtonsoftSerializer.CreateSettings());

    /// <summary>The positions of one checkpoint (every stream of a full one, the changed ones otherwise), in any order.</summary>
    public static byte[] Encode(IReadOnlyList<CheckpointPosition> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var sorted = positions.OrderBy(p => p.Stream, StringComparer.Ordinal).ToList();
        using var stream = new MemoryStream(16 + (sorted.Count * 48));
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        using var state = new MemoryStream(256);
        using var stateWriter = new BinaryWriter(state, Encoding.UTF8);
        writer.Write(Version);
        writer.Write7BitEncodedInt(sorted.Count);
        var previous = "";
        foreach (var p in sorted)
        {
            var shared = SharedPrefix(previous, p.Stream);
            writer.Write7BitEncodedInt(shared);
            writer.Write(p.Stream[shared..]);
            writer.Write7BitEncodedInt64(p.EventCount);
            state.SetLength(0);
            if (p.Pool is { } pool)
            {
                writer.Write(PoolKind);
                WritePool(stateWriter, pool);
            }
            else
            {
                writer.Write(TokenKind);
                using var text = new StringWriter();
                Json.Serialize(text, p.Token ?? throw new ArgumentException($"The position of {p.Stream} holds neither a pool nor a token.", nameof(positions)));
                stateWriter.Write(text.ToString());
            }

            stateWriter.Flush();
            writer.Write7BitEncodedInt((int)state.Length);
            writer.Write(state.GetBuffer(), 0, (int)state.Length);
            previous = p.Stream;
        }

        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>
    /// The state of every stream through a checkpoint, from its stored values <paramref name="newestFirst"/>: the
    /// checkpoint's own value, then each earlier one back to (and including) the last full one. A stream's position is
    /// the first one met; an older one is skipped without being decoded. Sorted by stream id.
    /// </summary>
    public static List<CheckpointPosition> Read(IEnumerable<byte[]> newestFirst)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var found = new Dictionary<string, CheckpointPosition>(StringComparer.Ordinal);
        foreach (var value in newestFirst)
        {
            using var reader = new BinaryReader(new MemoryStream(value, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Version)
            {
                throw new InvalidDataException("A tenant checkpoint has an unknown encoding version; rebuild the checkpoints (RebuildAsync).");
            }

            var count = reader.Read7BitEncodedInt();
            var previous = "";
            for (var i = 0; i < count; i++)
            {
                var shared = reader.Read7BitEncodedInt();
                var stream = string.Concat(previous.AsSpan(0, shared), reader.ReadString());
                var events = reader.Read7BitEncodedInt64();
                var kind = reader.ReadByte();
                var length = reader.Read7BitEncodedInt();
                if (found.ContainsKey(stream))
                {
                    reader.BaseStream.Seek(length, SeekOrigin.Current);
                }
                else
                {
                    found[stream] = kind switch
                    {
                        PoolKind => new CheckpointPosition(stream, ReadPool(reader, CheckpointStore.PoolOf(stream)), null, events),
                        TokenKind => new CheckpointPosition(stream, null, Json.Deserialize<TokenState>(new JsonTextReader(new StringReader(reader.ReadString()))), events),
                        _ => throw new InvalidDataException($"A tenant checkpoint holds a position of unknown kind {kind}; rebuild the checkpoints (RebuildAsync)."),
                    };
                }

                previous = stream;
            }
        }

        var positions = found.Values.ToList();
        positions.Sort((a, b) => string.CompareOrdinal(a.Stream, b.Stream));
        return positions;
    }

    private static int SharedPrefix(string a, string b) => a.AsSpan().CommonPrefixLength(b);

    // Every settable property of PoolState is written here; a test lists them, so that a new one cannot be forgotten.
    private static void WritePool(BinaryWriter writer, PoolState pool)
    {
        var facts = pool.AssetFacts;
        var flags = (byte)((pool.Synced ? Synced : 0)
            | (pool.Orphaned ? Orphaned : 0)
            | (pool.AppleAssignedCount is null ? 0 : HasAppleAssigned)
            | (pool.UsedCountAtLastComparison is null ? 0 : HasUsedAtLastComparison)
            | (facts is null ? 0 : HasAssetFacts)
            | (facts is { DeviceAssignable: true } ? DeviceAssignable : 0)
            | (facts is { Revocable: true } ? Revocable : 0));
        writer.Write(flags);
        writer.Write((byte)pool.Product);
        writer.Write7BitEncodedInt(pool.PurchasedCount);
        writer.Write7BitEncodedInt(pool.RetiredCount);
        writer.Write7BitEncodedInt(pool.UserLicenseCount);
        writer.Write7BitEncodedInt(pool.DeviceLicenseCount);
        writer.Write7BitEncodedInt(pool.QueuedCount);
        writer.Write7BitEncodedInt64(pool.LastQueuePosition);
        writer.Write7BitEncodedInt(pool.ConfirmedCount);
        writer.Write7BitEncodedInt(pool.FailedCount);
        writer.Write7BitEncodedInt(pool.ReleasePendingCount);
        if (pool.AppleAssignedCount is { } assigned)
        {
            writer.Write7BitEncodedInt(assigned);
        }

        if (pool.UsedCountAtLastComparison is { } used)
        {
            writer.Write7BitEncodedInt(used);
        }

        if (facts is not null)
        {
            writer.Write7BitEncodedInt(facts.SupportedPlatforms.Count);
            foreach (var platform in facts.SupportedPlatforms)
            {
                writer.Write(platform);
            }
        }
    }

    private static PoolState ReadPool(BinaryReader reader, PoolId pool)
    {
        var flags = reader.ReadByte();
        var product = (ProductKind)reader.ReadByte();
        var (purchased, retired, users, devices, queued) = (reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt());
        var lastQueuePosition = reader.Read7BitEncodedInt64();
        var (confirmed, failed, releasePending) = (reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt());
        int? assigned = (flags & HasAppleAssigned) != 0 ? reader.Read7BitEncodedInt() : null;
        int? usedAtLast = (flags & HasUsedAtLastComparison) != 0 ? reader.Read7BitEncodedInt() : null;
        AppleAssetFacts? facts = null;
        if ((flags & HasAssetFacts) != 0)
        {
            var platforms = new string[reader.Read7BitEncodedInt()];
            for (var i = 0; i < platforms.Length; i++)
            {
                platforms[i] = reader.ReadString();
            }

            facts = new AppleAssetFacts((flags & DeviceAssignable) != 0, (flags & Revocable) != 0, platforms);
        }

        return new PoolState
        {
            Pool = pool,
            Synced = (flags & Synced) != 0,
            Orphaned = (flags & Orphaned) != 0,
            Product = product,
            PurchasedCount = purchased,
            RetiredCount = retired,
            UserLicenseCount = users,
            DeviceLicenseCount = devices,
            QueuedCount = queued,
            LastQueuePosition = lastQueuePosition,
            ConfirmedCount = confirmed,
            FailedCount = failed,
            ReleasePendingCount = releasePending,
            AppleAssignedCount = assigned,
            UsedCountAtLastComparison = usedAtLast,
            AssetFacts = facts,
        };
    }
}
