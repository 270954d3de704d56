namespace VppLedger.Pools;

/// <summary>
/// The write state of one pool stream: counters only, never the holder set, so that deciding a grant costs the
/// same in a pool of 100,000 holders as in an empty one. Who holds or waits is answered by a
/// <see cref="PoolLookup"/> per command. Immutable; safe to share between threads.
/// </summary>
internal sealed record PoolState
{
    /// <summary>The pool.</summary>
    public required PoolId Pool { get; init; }

    /// <summary>True once Apple's counts were applied at least once; before that the pool does not exist for grants.</summary>
    public bool Synced { get; init; }

    /// <summary>App or book (rule L6).</summary>
    public ProductKind Product { get; init; }

    /// <summary>Licenses bought, as Apple last reported them (rule S2).</summary>
    public int PurchasedCount { get; init; }

    /// <summary>Licenses retired or refunded, as Apple last reported them (rule S2).</summary>
    public int RetiredCount { get; init; }

    /// <summary>User licenses granted (rule S1).</summary>
    public int UserLicenseCount { get; init; }

    /// <summary>Device licenses granted (rule S1).</summary>
    public int DeviceLicenseCount { get; init; }

    /// <summary>Holders waiting in the FIFO queue (rule A6).</summary>
    public int QueuedCount { get; init; }

    /// <summary>The last queue position handed out; the next queued holder gets the one after. Never decreases.</summary>
    public long LastQueuePosition { get; init; }

    /// <summary>Apple's assigned count at the last sync that reported one (rule S2), or null.</summary>
    public int? AppleAssignedCount { get; init; }

    /// <summary>
    /// The ledger's used count when Apple's assigned count was last compared with it (rule S2), or null before any
    /// comparison: a sync with the same figures records drift again only when used moved since.
    /// </summary>
    public int? UsedCountAtLastComparison { get; init; }

    /// <summary>Granted seats Apple confirmed (docs/apple.md); the others of <see cref="UsedCount"/> are requested.</summary>
    public int ConfirmedCount { get; init; }

    /// <summary>Associations Apple refused since the pool began: each freed its seat (rule A6).</summary>
    public int FailedCount { get; init; }

    /// <summary>Released seats Apple had confirmed and has not yet confirmed taking back.</summary>
    public int ReleasePendingCount { get; init; }

    /// <summary>What Apple's last assets snapshot said of the asset (device-assignable, revocable, platforms), or null before one.</summary>
    public AppleAssetFacts? AssetFacts { get; init; }

    /// <summary>False when Apple's last assets snapshot said the asset takes no device license; true before any snapshot.</summary>
    public bool DeviceAssignable => AssetFacts?.DeviceAssignable != false;

    /// <summary>Why this pool takes no device license (rule L6: a book, or an asset Apple says is not device-assignable), or null.</summary>
    public Rejection? RefuseDeviceLicense() => Licensing.LicensingRejections.RefuseDeviceLicense(Pool.AdamId, Product, DeviceAssignable);

    /// <summary>
    /// Why a revoke of this pool's granted seats is refused (rule R3: Apple's assets snapshot says the asset is not
    /// revocable), or null. A book keeps its own rule: its seats stay with their holders (L6).
    /// </summary>
    public Rejection? RefuseRevoke() => Product != ProductKind.Book && AssetFacts is { Revocable: false } ? PoolRejections.AssetNotRevocable(Pool) : null;

    /// <summary>Why revoking every license of this pool is refused (rule R3: not revocable, and some seat is granted), or null.</summary>
    public Rejection? RefuseRevokeAll() => UsedCount > 0 ? RefuseRevoke() : null;

    /// <summary>True once the token was deleted: the licenses are orphaned (rules T10, R7).</summary>
    public bool Orphaned { get; init; }

    /// <summary>Licenses usable: purchased minus retired, never below zero (rule S1).</summary>
    public int TotalCount => Math.Max(0, PurchasedCount - RetiredCount);

    /// <summary>Licenses granted, user and device together (rule S1).</summary>
    public int UsedCount => UserLicenseCount + DeviceLicenseCount;

    /// <summary>Granted seats Apple has not confirmed yet; they count as used (rule S1).</summary>
    public int RequestedCount => UsedCount - ConfirmedCount;

    /// <summary>Licenses free to grant: total minus used, never below zero (rule S1).</summary>
    public int AvailableCount => Math.Max(0, TotalCount - UsedCount);

    /// <summary>True when Apple lowered the total below used: grants stop until used is below total (rule S4).</summary>
    public bool OverAllocated => UsedCount > TotalCount;

    /// <summary>
    /// Apple's last reported assigned count minus the ledger's used count (rule S2); 0 when Apple never reported one.
    /// Apple catches up within hours, so a drift right after a grant is expected; a lasting one needs a look.
    /// </summary>
    public int DriftCount => AppleAssignedCount is { } apple ? apple - UsedCount : 0;

    /// <summary>The state of a pool with no event yet.</summary>
    public static PoolState Initial(PoolId pool) => new() { Pool = pool };
}
