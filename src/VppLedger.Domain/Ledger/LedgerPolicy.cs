using NodaTime;

namespace VppLedger;

/// <summary>
/// The choices where Apple's current behaviour differs from the source article, and the ledger's own
/// tunable policies. <see cref="Article"/> is the default.
/// </summary>
public sealed record LedgerPolicy
{
    /// <summary>The article's rules (R2, T10), with a 30-day "expiring soon" window (T2).</summary>
    public static LedgerPolicy Article { get; } = new();

    /// <summary>
    /// Newer MDM behaviour: removing an assignment reclaims nothing until its intent is set to Uninstall,
    /// and deleting a token revokes its licenses.
    /// </summary>
    public static LedgerPolicy CurrentApple { get; } = new()
    {
        RemovingAssignmentReclaims = false,
        DeletingTokenRevokes = true,
    };

    /// <summary>Rule R2 (article): removing an assignment reclaims its licenses. False: only intent Uninstall reclaims.</summary>
    public bool RemovingAssignmentReclaims { get; init; } = true;

    /// <summary>Rule T10 (article: false): deleting a token orphans its licenses. True: deleting revokes them first.</summary>
    public bool DeletingTokenRevokes { get; init; }

    /// <summary>Rule T2: a token this close to its expiry reports "expiring soon". Ledger policy: 30 days.</summary>
    public Duration ExpiringSoonWindow { get; init; } = Duration.FromDays(30);

    /// <summary>
    /// Reconciliation (docs/apple.md): a seat requested of Apple and not confirmed for longer than this is a
    /// <c>PendingTooLong</c> finding. Ledger policy: 24 hours (Apple's events complete in minutes; notifications lag minutes).
    /// </summary>
    public Duration ApplePendingTooLong { get; init; } = Duration.FromHours(24);
}
