using VppLedger.Audit;
using VppLedger.Pools;

namespace VppLedger.Storage;

/// <summary>
/// The binary form of a pool book checkpoint's holders and queue (<c>vpp_checkpoint_book.book</c>, docs/audit.md
/// "Pool books"): a version byte, a kind byte (0 the whole book, 1 a <see cref="PoolBookDelta"/>), then counts and
/// entries. A holder is one tag byte (0 device, 1 user with a personal Apple ID, 2 user with a managed one) and its
/// owner id (UTF-8, length first); a queue entry is its position and its holder; numbers are 7-bit encoded. About
/// 3 bytes plus the id a holder, against some 330 as Newtonsoft JSON objects, and read without a JSON parser.
/// </summary>
internal static class PoolBookCodec
{
    private const byte Version = 1;
    private const byte WholeBook = 0;
    private const byte Delta = 1;

    /// <summary>The whole book: holders sorted by key, queue by position.</summary>
    public static byte[] EncodeBook(IReadOnlyList<Holder> holders, IReadOnlyList<QueuedHolder> queue)
    {
        using var stream = new MemoryStream(16 + (holders.Count * 24));
        using var writer = new BinaryWriter(stream);
        writer.Write(Version);
        writer.Write(WholeBook);
        WriteHolders(writer, holders);
        WriteQueue(writer, queue);
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>A delta from the pool's previous book checkpoint.</summary>
    public static byte[] EncodeDelta(PoolBookDelta delta)
    {
        using var stream = new MemoryStream(32 + ((delta.RemovedHolders.Count + delta.AddedHolders.Count) * 24));
        using var writer = new BinaryWriter(stream);
        writer.Write(Version);
        writer.Write(Delta);
        writer.Write7BitEncodedInt(delta.RemovedHolders.Count);
        foreach (var key in delta.RemovedHolders)
        {
            writer.Write(key);
        }

        WriteHolders(writer, delta.AddedHolders);
        writer.Write7BitEncodedInt(delta.RemovedPositions.Count);
        foreach (var position in delta.RemovedPositions)
        {
            writer.Write7BitEncodedInt64(position);
        }

        WriteQueue(writer, delta.AddedQueue);
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>
    /// The book stored as <paramref name="books"/>: a whole book, then the deltas after it, in order. The deltas are
    /// merged between two buffers, so a reader allocates the holders once and two arrays, not a list per delta.
    /// </summary>
    public static (IReadOnlyList<Holder> Holders, IReadOnlyList<QueuedHolder> Queue) Read(IReadOnlyList<byte[]> books)
    {
        if (books.Count == 0)
        {
            return ([], []);
        }

        var (holders, queue) = ReadWhole(books[0]);
        if (books.Count == 1)
        {
            return (holders, queue);
        }

        var deltas = books.Skip(1).Select(ReadDelta).ToList();
        var capacity = holders.Length + deltas.Sum(d => d.AddedHolders.Count);
        var (from, into) = (new Holder[capacity], new Holder[capacity]);
        var count = deltas[0].ApplyTo(holders, into);
        foreach (var delta in deltas.Skip(1))
        {
            (from, into) = (into, from);
            count = delta.ApplyTo(from.AsSpan(0, count), into);
        }

        foreach (var delta in deltas)
        {
            queue = delta.ApplyTo(queue);
        }

        return (count == capacity ? into : into[..count], queue);
    }

    private static BinaryReader Open(byte[] data, byte kind)
    {
        var reader = new BinaryReader(new MemoryStream(data, writable: false));
        if (reader.ReadByte() != Version)
        {
            throw new InvalidDataException("A pool book checkpoint has an unknown encoding version; rebuild the checkpoints (RebuildAsync).");
        }

        return reader.ReadByte() == kind
            ? reader
            : throw new InvalidDataException("A pool book checkpoint's deltas do not follow a whole book; rebuild the checkpoints (RebuildAsync).");
    }

    private static (Holder[] Holders, IReadOnlyList<QueuedHolder> Queue) ReadWhole(byte[] data)
    {
        using var reader = Open(data, WholeBook);
        return (ReadHolders(reader), ReadQueue(reader));
    }

    private static PoolBookDelta ReadDelta(byte[] data)
    {
        using var reader = Open(data, Delta);
        var removed = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < removed.Length; i++)
        {
            removed[i] = reader.ReadString();
        }

        var added = ReadHolders(reader);
        var left = new long[reader.Read7BitEncodedInt()];
        for (var i = 0; i < left.Length; i++)
        {
            left[i] = reader.Read7BitEncodedInt64();
        }

        return new PoolBookDelta(removed, added, left, ReadQueue(reader));
    }

    private static void WriteHolders(BinaryWriter writer, IReadOnlyList<Holder> holders)
    {
        writer.Write7BitEncodedInt(holders.Count);
        foreach (var h in holders)
        {
            WriteHolder(writer, h);
        }
    }

    private static void WriteQueue(BinaryWriter writer, IReadOnlyList<QueuedHolder> queue)
    {
        writer.Write7BitEncodedInt(queue.Count);
        foreach (var q in queue)
        {
            writer.Write7BitEncodedInt64(q.Position);
            WriteHolder(writer, q.Holder);
        }
    }

    private static void WriteHolder(BinaryWriter writer, Holder holder)
    {
        writer.Write(holder.Type == LicenseType.Device ? (byte)0 : holder.AppleIdKind == AppleIdKind.Managed ? (byte)2 : (byte)1);
        writer.Write(holder.OwnerId);
    }

    private static Holder[] ReadHolders(BinaryReader reader)
    {
        var holders = new Holder[reader.Read7BitEncodedInt()];
        for (var i = 0; i < holders.Length; i++)
        {
            holders[i] = ReadHolder(reader);
        }

        return holders;
    }

    private static QueuedHolder[] ReadQueue(BinaryReader reader)
    {
        var queue = new QueuedHolder[reader.Read7BitEncodedInt()];
        for (var i = 0; i < queue.Length; i++)
        {
            var position = reader.Read7BitEncodedInt64();
            queue[i] = new QueuedHolder(ReadHolder(reader), position);
        }

        return queue;
    }

    private static Holder ReadHolder(BinaryReader reader) => reader.ReadByte() switch
    {
        0 => Holder.ForDevice(new DeviceId(reader.ReadString())),
        1 => Holder.ForUser(new UserId(reader.ReadString()), AppleIdKind.Personal),
        2 => Holder.ForUser(new UserId(reader.ReadString()), AppleIdKind.Managed),
        var tag => throw new InvalidDataException($"A pool book checkpoint names a holder of unknown kind {tag}; rebuild the checkpoints (RebuildAsync)."),
    };
}
