using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VppLedger.Audit;

/// <summary>
/// The tamper-evident chain of one tenant, defined over the event log in log order (pure). Each event of the log
/// gets one link: <c>hash = SHA-256(prev_hash || event_hash || UTF-8(row_canonical || 0x1F || chain_position))</c>,
/// where <c>event_hash</c> is the SHA-256 of the stored event (tenant, sequence, stream, version, type name, stored
/// JSON data, actor, correlation, causation) and <c>row_canonical</c> the text of its audit row (docs/audit.md).
/// </summary>
internal static class AuditChain
{
    /// <summary>The hash of the link at <paramref name="position"/>.</summary>
    /// <param name="previous">The hash of the link before it; empty for the first.</param>
    /// <param name="eventHash">The SHA-256 of the stored event.</param>
    /// <param name="rowCanonical">The canonical text of the event's audit row.</param>
    /// <param name="position">The link's place in the chain, 1, 2, 3...</param>
    public static byte[] Link(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> eventHash, string rowCanonical, long position)
    {
        ArgumentNullException.ThrowIfNull(rowCanonical);
        var text = Encoding.UTF8.GetBytes(rowCanonical + "\u001f" + position.ToString(CultureInfo.InvariantCulture));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previous);
        sha.AppendData(eventHash);
        sha.AppendData(text);
        return sha.GetHashAndReset();
    }
}

/// <summary>A point of a tenant's chain: record it outside the database to anchor the chain (docs/audit.md).</summary>
/// <param name="Position">The link's chain position (1, 2, 3... per tenant).</param>
/// <param name="Sequence">The global sequence of its event in the log.</param>
/// <param name="Hash">The link's hash, lower-case hex.</param>
public sealed record ChainHead(long Position, long Sequence, string Hash)
{
    /// <summary>The text the CLI prints and parses: <c>{position}:{hash}</c>.</summary>
    public override string ToString() => Position.ToString(CultureInfo.InvariantCulture) + ":" + Hash;

    /// <summary>Parses <c>{position}:{hash}</c> (the sequence is not needed to check a head and is set to 0).</summary>
    /// <param name="text">The head as printed by <see cref="ToString"/>.</param>
    /// <exception cref="FormatException">Not a position, a colon and 64 hex digits.</exception>
    public static ChainHead Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var position) || position < 1
            || text.Length - colon - 1 != 64 || text.AsSpan(colon + 1).ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            throw new FormatException($"'{text}' is not a chain head: give it as printed by 'vppledger audit verify', a position, a colon and 64 hex digits, for example 1200:3f1a...");
        }

        return new ChainHead(position, 0, text[(colon + 1)..].ToLowerInvariant());
    }
}

/// <summary>How far a tenant's chain is sealed.</summary>
/// <param name="Head">The last sealed link of the tenant, or null when none is sealed yet.</param>
/// <param name="SealedThrough">The global sequence through which the whole log is sealed (every tenant).</param>
/// <param name="UnsealedCount">The tenant's committed events after it: not yet covered by the chain.</param>
public sealed record SealStatus(ChainHead? Head, long SealedThrough, long UnsealedCount);

/// <summary>What a verification found wrong, by kind.</summary>
public enum ChainMismatchKind
{
    /// <summary>An event of the log (<c>mt_events</c>) was changed after it was sealed: its data or metadata differ.</summary>
    EventChanged = 1,

    /// <summary>A sealed event is no longer in the log (deleted, or its sequence or type changed).</summary>
    EventDeleted = 2,

    /// <summary>An event in the sealed part of the log has no link: it was inserted after sealing.</summary>
    EventInserted = 3,

    /// <summary>An audit row (<c>vpp_audit</c>) was changed: its content no longer matches its link.</summary>
    AuditRowChanged = 4,

    /// <summary>A sealed event's audit row was deleted.</summary>
    AuditRowDeleted = 5,

    /// <summary>An audit row with no event in the log was inserted.</summary>
    AuditRowInserted = 6,

    /// <summary>A link (<c>vpp_audit_chain</c>) was deleted, moved or does not follow the one before it.</summary>
    LinkBroken = 7,

    /// <summary>The chain ends before its sealed head, or before a head recorded earlier: the tail was truncated.</summary>
    Truncated = 8,

    /// <summary>The link at the position of a head recorded earlier has another hash: the chain no longer extends it.</summary>
    DoesNotExtendRecordedHead = 9,
}

/// <summary>The outcome of a hash chain verification.</summary>
/// <param name="RowCount">Links checked (sealed events of the tenant).</param>
/// <param name="IsIntact">True when every event, row and link matches, and the chain extends the recorded head when one was given.</param>
/// <param name="FirstMismatch">The first event, row or link that does not match, or null.</param>
/// <param name="HeadHash">The last link's recomputed hash (hex), as far as it was checked.</param>
/// <param name="Head">The sealed head (position, sequence, hash): record it elsewhere to anchor the chain; null when nothing is sealed.</param>
/// <param name="UnsealedCount">The tenant's committed events not yet sealed (not covered by this verification).</param>
/// <param name="ExtendsRecordedHead">When a recorded head was given: whether the chain still extends it.</param>
public sealed record ChainVerification(
    long RowCount,
    bool IsIntact,
    ChainMismatch? FirstMismatch,
    string? HeadHash,
    ChainHead? Head = null,
    long UnsealedCount = 0,
    bool? ExtendsRecordedHead = null);

/// <summary>The first event, row or link of a chain that does not match.</summary>
/// <param name="ChainPosition">Its place in the chain (the expected place when its link is missing).</param>
/// <param name="Sequence">Its event's global sequence.</param>
/// <param name="Stream">Its stream.</param>
/// <param name="Version">Its version in the stream.</param>
/// <param name="Reason">What did not match, in a sentence.</param>
/// <param name="Kind">What kind of change it shows.</param>
public sealed record ChainMismatch(long ChainPosition, long Sequence, string Stream, long Version, string Reason, ChainMismatchKind Kind = ChainMismatchKind.LinkBroken);

/// <summary>One event of a tenant in the sealed part of the log, as the verification reads it: the event, its audit row and its link, any of them missing.</summary>
/// <param name="Sequence">The global sequence.</param>
/// <param name="Stream">The stream (from whichever part is present).</param>
/// <param name="Version">The version.</param>
/// <param name="EventHash">The hash of the stored event, recomputed now; null when the event is not in the log.</param>
/// <param name="RowCanonical">The audit row's canonical text; null when there is no row.</param>
/// <param name="LinkPosition">The link's chain position; null when there is no link.</param>
/// <param name="LinkPrevious">The link's previous hash (empty for the first).</param>
/// <param name="LinkEventHash">The event hash stored in the link.</param>
/// <param name="LinkHash">The link's hash.</param>
internal sealed record ChainEntry(
    long Sequence,
    string Stream,
    long Version,
    byte[]? EventHash,
    string? RowCanonical,
    long? LinkPosition,
    byte[]? LinkPrevious,
    byte[]? LinkEventHash,
    byte[]? LinkHash);

/// <summary>
/// Verifies a tenant's chain from its entries in log order (pure; storage streams the entries in). Reports the first
/// mismatch, named by kind.
/// </summary>
internal sealed class ChainVerifier
{
    private readonly ChainHead? _recorded;
    private byte[] _head = [];
    private long _count;
    private long _lastSequence;
    private ChainEntry? _unlinked;
    private bool? _extends;

    /// <summary>Starts a verification.</summary>
    /// <param name="recorded">A head recorded earlier that the chain must still extend, or null.</param>
    public ChainVerifier(ChainHead? recorded) => _recorded = recorded;

    /// <summary>The first mismatch found, or null.</summary>
    public ChainMismatch? Mismatch { get; private set; }

    /// <summary>Checks the next entry; returns false once a mismatch is found (stop feeding).</summary>
    /// <param name="entry">The next entry in log order.</param>
    public bool Add(ChainEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Mismatch is not null)
        {
            return false;
        }

        if (entry.LinkPosition is not { } position)
        {
            if (entry.EventHash is null)
            {
                return Fail(entry, _count + 1, ChainMismatchKind.AuditRowInserted, "an audit row with no event in the log and no link was inserted");
            }

            // An event without a link: an inserted event if the next link still follows the current head, else its link was removed.
            _unlinked ??= entry;
            return true;
        }

        if (_unlinked is { } unlinked)
        {
            var inserted = entry.LinkPrevious is { } p && p.AsSpan().SequenceEqual(_head) && position == _count + 1;
            return inserted
                ? Fail(unlinked, _count + 1, ChainMismatchKind.EventInserted, "the event is in the sealed part of the log but not in the chain: it was inserted after sealing")
                : Fail(unlinked, _count + 1, ChainMismatchKind.LinkBroken, "the event's link was removed from the chain");
        }

        var expected = _count + 1;
        if (position != expected)
        {
            return Fail(entry, position, ChainMismatchKind.LinkBroken, $"its link is at chain position {position}, expected {expected}: links were removed, inserted or moved before it");
        }

        if (!(entry.LinkPrevious ?? []).AsSpan().SequenceEqual(_head))
        {
            return Fail(entry, position, ChainMismatchKind.LinkBroken, "its link's previous hash is not the hash of the link before it: a link was removed, inserted or re-hashed");
        }

        if (entry.EventHash is null)
        {
            return Fail(entry, position, ChainMismatchKind.EventDeleted, "the sealed event is no longer in the log (mt_events): it was deleted, or its sequence or type changed");
        }

        if (!entry.EventHash.AsSpan().SequenceEqual(entry.LinkEventHash))
        {
            return Fail(entry, position, ChainMismatchKind.EventChanged, "the event in the log (mt_events) was changed after it was sealed: its data or metadata no longer match");
        }

        if (entry.RowCanonical is null)
        {
            return Fail(entry, position, ChainMismatchKind.AuditRowDeleted, "the event's audit row (vpp_audit) was deleted");
        }

        var recomputed = AuditChain.Link(_head, entry.EventHash, entry.RowCanonical, position);
        if (!recomputed.AsSpan().SequenceEqual(entry.LinkHash))
        {
            return Fail(entry, position, ChainMismatchKind.AuditRowChanged, "the audit row (vpp_audit) was altered: its content does not match its link's hash");
        }

        _head = recomputed;
        _count = position;
        _lastSequence = entry.Sequence;
        if (_recorded is { } r && r.Position == position)
        {
            _extends = string.Equals(Convert.ToHexStringLower(recomputed), r.Hash, StringComparison.OrdinalIgnoreCase);
            if (_extends == false)
            {
                return Fail(entry, position, ChainMismatchKind.DoesNotExtendRecordedHead, $"the link at the recorded head's position {r.Position} has another hash: the chain no longer extends the recorded head");
            }
        }

        return true;
    }

    /// <summary>Ends the verification against the sealed head stored with the chain and the recorded head.</summary>
    /// <param name="sealedHead">The tenant's sealed head as the sealer stored it, or null.</param>
    /// <param name="unsealedCount">The tenant's events not sealed yet.</param>
    public ChainVerification Complete(ChainHead? sealedHead, long unsealedCount)
    {
        if (Mismatch is null && _unlinked is { } unlinked)
        {
            var removed = sealedHead is { } h && h.Position > _count;
            Fail(unlinked, _count + 1, removed ? ChainMismatchKind.LinkBroken : ChainMismatchKind.EventInserted, removed
                ? "the event's link was removed from the chain"
                : "the event is in the sealed part of the log but not in the chain: it was inserted after sealing");
        }

        if (Mismatch is null && sealedHead is { } stored && (stored.Position != _count || !string.Equals(stored.Hash, Hex(), StringComparison.Ordinal)))
        {
            Mismatch = stored.Position > _count
                ? new ChainMismatch(_count + 1, stored.Sequence, "", 0, $"the chain ends at position {_count} but its sealed head is at position {stored.Position}: the tail was truncated", ChainMismatchKind.Truncated)
                : new ChainMismatch(stored.Position, stored.Sequence, "", 0, $"the sealed head (position {stored.Position}) does not match the chain (position {_count})", ChainMismatchKind.LinkBroken);
        }

        if (Mismatch is null && _recorded is { } r && r.Position > _count)
        {
            _extends = false;
            Mismatch = new ChainMismatch(_count + 1, 0, "", 0, $"the chain ends at position {_count}, before the recorded head at position {r.Position}: the tail was truncated", ChainMismatchKind.Truncated);
        }

        var head = _count == 0 ? null : new ChainHead(_count, _lastSequence, Hex());
        return new ChainVerification(_count, Mismatch is null, Mismatch, _count == 0 ? null : Hex(), head, unsealedCount, _recorded is null ? null : _extends ?? false);
    }

    private string Hex() => Convert.ToHexStringLower(_head);

    private bool Fail(ChainEntry entry, long position, ChainMismatchKind kind, string reason)
    {
        Mismatch = new ChainMismatch(position, entry.Sequence, entry.Stream, entry.Version, reason, kind);
        return false;
    }
}
