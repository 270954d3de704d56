using NodaTime;
using VppLedger.Pools;

namespace VppLedger.Insights;

/// <summary>Why a seat (or a free license) is counted as idle or wasted.</summary>
public enum WasteKind
{
    /// <summary>A device license held by a device removed from management: kept by rule R5, used by nobody.</summary>
    RetiredDevice = 0,

    /// <summary>A user license held by a user who left the organization (R4 reclaims it; one still held is waste).</summary>
    DepartedUser = 1,

    /// <summary>A license whose holder no active assignment of the pool targets any more (R4): a direct grant, a group change.</summary>
    NoLongerTargeted = 2,

    /// <summary>A license of a pool whose token was deleted: orphaned, it cannot be revoked (T10, R7).</summary>
    OrphanedPool = 3,

    /// <summary>Free licenses of a pool in which nothing was granted for the idle period (from history).</summary>
    IdleFreeSeats = 4,

    /// <summary>Holders queued in one pool while another token's pool of the same app has free licenses (L10: pools are never merged).</summary>
    QueuedWhileFreeElsewhere = 5,

    /// <summary>
    /// A seat granted longer ago than <see cref="WasteOptions.UnconfirmedDays"/> that Apple has still not confirmed, under
    /// a token for which Apple has answered (a host that talks to Apple): counted as used, perhaps held by nobody at
    /// Apple (S2; reconciliation tells which).
    /// </summary>
    UnconfirmedByApple = 6,
}

/// <summary>One line of the waste report: one kind of waste in one pool.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Kind">What kind of waste.</param>
/// <param name="SeatCount">How many licenses.</param>
/// <param name="Rule">The rule the finding rests on.</param>
/// <param name="Cost">SeatCount times the pool's unit price, when a price was given.</param>
public sealed record WasteLine(PoolId Pool, WasteKind Kind, int SeatCount, string Rule, decimal? Cost);

/// <summary>The idle and wasted licenses of a tenant at an instant, per pool and kind; totals per kind and token.</summary>
/// <param name="At">When it was computed.</param>
/// <param name="IdleDays">The idle period used for <see cref="WasteKind.IdleFreeSeats"/>.</param>
/// <param name="Lines">The lines, ordered by token, app and kind.</param>
public sealed record WasteReport(Instant At, int IdleDays, IReadOnlyList<WasteLine> Lines)
{
    /// <summary>Licenses counted, all kinds.</summary>
    public int TotalSeatCount => Lines.Sum(l => l.SeatCount);

    /// <summary>The cost of the lines that have one; null when no price was given.</summary>
    public decimal? TotalCost => Lines.Any(l => l.Cost is not null) ? Lines.Sum(l => l.Cost ?? 0m) : null;

    /// <summary>Licenses per kind.</summary>
    public IReadOnlyDictionary<WasteKind, int> SeatCountByKind => Lines.GroupBy(l => l.Kind).ToDictionary(g => g.Key, g => g.Sum(l => l.SeatCount));

    /// <summary>Licenses per token.</summary>
    public IReadOnlyDictionary<TokenId, int> SeatCountByToken => Lines.GroupBy(l => l.Pool.Token).ToDictionary(g => g.Key, g => g.Sum(l => l.SeatCount));
}

/// <summary>What the waste report counts.</summary>
public sealed record WasteOptions
{
    /// <summary>Free licenses of a pool with no grant for this many days are idle. Default 30.</summary>
    public int IdleDays { get; init; } = 30;

    /// <summary>
    /// A seat Apple has not confirmed this many days after its grant is counted as <see cref="WasteKind.UnconfirmedByApple"/>
    /// (only under tokens for which Apple has confirmed or refused some seat). Default 7.
    /// </summary>
    public int UnconfirmedDays { get; init; } = 7;

    /// <summary>Unit price per pool (any currency), to turn licenses into money. Optional.</summary>
    public IReadOnlyDictionary<PoolId, decimal>? UnitPrices { get; init; }
}

/// <summary>A granted seat as the waste report sees it.</summary>
internal sealed record WasteSeat(PoolId Pool, string OwnerId, LicenseType Type, AppleSeatState Apple = AppleSeatState.Confirmed, Instant GrantedAt = default);

/// <summary>A pool with what its history and assignments say: first event, last grant, owners its active assignments target.</summary>
internal sealed record WastePool(PoolState State, Instant? FirstEventAt, Instant? LastGrantAt, IReadOnlySet<string> TargetedOwners);

/// <summary>Every fact the waste report reads.</summary>
internal sealed record WasteFacts(
    IReadOnlyList<WastePool> Pools,
    IReadOnlyList<WasteSeat> GrantedSeats,
    IReadOnlySet<string> RetiredDevices,
    IReadOnlySet<string> DepartedUsers,
    IReadOnlyDictionary<string, string> UserOfDevice);

/// <summary>Computes the waste report from its facts. Pure.</summary>
internal static class WasteRules
{
    public static WasteReport Compute(WasteFacts facts, WasteOptions options, Instant now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.IdleDays);
        ArgumentOutOfRangeException.ThrowIfNegative(options.UnconfirmedDays);
        var pools = facts.Pools.ToDictionary(p => p.State.Pool);
        var counts = new Dictionary<(PoolId, WasteKind), int>();
        void Add(PoolId pool, WasteKind kind, int n) => counts[(pool, kind)] = checked(counts.GetValueOrDefault((pool, kind)) + n);
        var answeredTokens = facts.Pools.Where(p => p.State.ConfirmedCount > 0 || p.State.FailedCount > 0).Select(p => p.State.Pool.Token).ToHashSet();
        var unconfirmedSince = now - Duration.FromDays(options.UnconfirmedDays);

        foreach (var seat in facts.GrantedSeats)
        {
            if (!pools.TryGetValue(seat.Pool, out var pool) || pool.State.Orphaned)
            {
                continue; // an orphaned pool counts all its seats once, below
            }

            if (seat.Type == LicenseType.Device && facts.RetiredDevices.Contains(seat.OwnerId))
            {
                Add(seat.Pool, WasteKind.RetiredDevice, 1); // rule R5
            }
            else if (seat.Type == LicenseType.User && facts.DepartedUsers.Contains(seat.OwnerId))
            {
                Add(seat.Pool, WasteKind.DepartedUser, 1); // rule R4
            }
            else if (!pool.TargetedOwners.Contains(seat.OwnerId)
                && !(facts.UserOfDevice.TryGetValue(seat.OwnerId, out var user) && pool.TargetedOwners.Contains(user)))
            {
                Add(seat.Pool, WasteKind.NoLongerTargeted, 1); // rule R4
            }
            else if (seat.Apple == AppleSeatState.Requested && seat.GrantedAt < unconfirmedSince && answeredTokens.Contains(seat.Pool.Token))
            {
                Add(seat.Pool, WasteKind.UnconfirmedByApple, 1); // rule S2: the ledger counts it, Apple may not hold it
            }
        }

        var idleSince = now - Duration.FromDays(options.IdleDays);
        foreach (var pool in facts.Pools)
        {
            var s = pool.State;
            if (s.Orphaned)
            {
                if (s.UsedCount > 0)
                {
                    Add(s.Pool, WasteKind.OrphanedPool, s.UsedCount); // rules T10, R7
                }

                continue;
            }

            if (s.Synced && s.AvailableCount > 0 && pool.FirstEventAt is { } first && first <= idleSince && (pool.LastGrantAt is not { } last || last < idleSince))
            {
                Add(s.Pool, WasteKind.IdleFreeSeats, s.AvailableCount);
            }

            if (s.QueuedCount > 0)
            {
                var freeElsewhere = facts.Pools
                    .Where(o => o.State.Pool.AdamId == s.Pool.AdamId && o.State.Pool.Token != s.Pool.Token && o.State.Synced && !o.State.Orphaned)
                    .Sum(o => o.State.AvailableCount);
                if (freeElsewhere > 0)
                {
                    Add(s.Pool, WasteKind.QueuedWhileFreeElsewhere, Math.Min(s.QueuedCount, freeElsewhere)); // rule L10
                }
            }
        }

        var lines = counts
            .Select(c => new WasteLine(c.Key.Item1, c.Key.Item2, c.Value, RuleOf(c.Key.Item2), options.UnitPrices?.TryGetValue(c.Key.Item1, out var price) == true ? price * c.Value : null))
            .OrderBy(l => l.Pool.Token.Value, StringComparer.Ordinal)
            .ThenBy(l => l.Pool.AdamId.Value, StringComparer.Ordinal)
            .ThenBy(l => l.Kind)
            .ToList();
        return new WasteReport(now, options.IdleDays, lines);
    }

    private static string RuleOf(WasteKind kind) => kind switch
    {
        WasteKind.RetiredDevice => "R5",
        WasteKind.DepartedUser => "R4",
        WasteKind.NoLongerTargeted => "R4",
        WasteKind.OrphanedPool => "T10",
        WasteKind.IdleFreeSeats => "S1",
        WasteKind.UnconfirmedByApple => "S2",
        _ => "L10",
    };
}
