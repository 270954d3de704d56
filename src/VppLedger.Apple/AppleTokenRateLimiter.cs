using System.Security.Cryptography;
using System.Text;

namespace VppLedger.Apple;

/// <summary>Spaces the requests of each sToken so that no second holds more than
/// <see cref="AppleClientOptions.MaxRequestsPerSecondPerToken"/> of them (Apple's limit: 15 a second per token). One
/// instance is shared by every client of a process (a singleton in <c>AddVppLedgerAppleClient</c>). Tokens are keyed by a
/// SHA-256 hash: the limiter keeps no sToken.</summary>
public sealed class AppleTokenRateLimiter
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly int _perSecond;
    private readonly IAppleClock _clock;
    private readonly Lock _gate = new();
    // Per token hash: the reserved send instants of its last _perSecond requests, oldest first.
    private readonly Dictionary<string, Queue<DateTimeOffset>> _slots = new(StringComparer.Ordinal);

    /// <summary>Creates a limiter of <paramref name="perSecond"/> requests a second per token on <paramref name="clock"/>.</summary>
    public AppleTokenRateLimiter(int perSecond, IAppleClock clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        ArgumentNullException.ThrowIfNull(clock);
        _perSecond = perSecond;
        _clock = clock;
    }

    /// <summary>Waits until the token may send one more request, and counts it.</summary>
    public async Task WaitAsync(string sToken, CancellationToken cancellationToken)
    {
        var key = KeyOf(sToken);
        DateTimeOffset now, slot;
        lock (_gate)
        {
            now = _clock.UtcNow;
            if (!_slots.TryGetValue(key, out var queue))
                _slots[key] = queue = new Queue<DateTimeOffset>(_perSecond + 1);
            slot = now;
            // Send instants never go backwards, and request k is at least a second after request k - perSecond:
            // so no half-open second holds more than perSecond requests.
            if (queue.Count > 0)
            {
                var last = queue.Last();
                if (last > slot) slot = last;
            }
            if (queue.Count >= _perSecond)
            {
                var earliest = queue.Dequeue() + Window;
                if (earliest > slot) slot = earliest;
            }
            queue.Enqueue(slot);
        }
        var wait = slot - now;
        if (wait > TimeSpan.Zero)
            await _clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
    }

    internal static string KeyOf(string sToken) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sToken)));
}
