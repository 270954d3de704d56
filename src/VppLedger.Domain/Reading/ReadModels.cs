using NodaTime;
using VppLedger.Assignments;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Reading;

/// <summary>One pool's counts (rule S1), queue (A6), over-allocation (S4) and drift from Apple (S2).</summary>
/// <param name="Pool">The token and app.</param>
/// <param name="Product">App or book.</param>
/// <param name="TotalCount">Purchased minus retired, as Apple last reported.</param>
/// <param name="UsedCount">User plus device licenses held.</param>
/// <param name="UserLicenseCount">User licenses held.</param>
/// <param name="DeviceLicenseCount">Device licenses held.</param>
/// <param name="AvailableCount">Total minus used, never below zero.</param>
/// <param name="QueuedCount">Holders waiting for a license, first in first out.</param>
/// <param name="OverAllocated">Used exceeds total (Apple lowered the total): no grant until used is below total.</param>
/// <param name="AppleAssignedCount">What Apple last reported as assigned, if it did.</param>
/// <param name="DriftCount">Apple's assigned count minus the ledger's used count (0 when unknown).</param>
/// <param name="Orphaned">The token was deleted: the licenses are orphaned (T10).</param>
/// <param name="RequestedCount">Seats of <paramref name="UsedCount"/> Apple has not confirmed yet (docs/apple.md).</param>
/// <param name="ConfirmedCount">Seats of <paramref name="UsedCount"/> Apple confirmed.</param>
/// <param name="FailedCount">Associations Apple refused since the pool began; each freed its seat (A6).</param>
/// <param name="ReleasePendingCount">Freed seats Apple held and has not yet confirmed taking back.</param>
public sealed record PoolSummary(
    PoolId Pool,
    ProductKind Product,
    int TotalCount,
    int UsedCount,
    int UserLicenseCount,
    int DeviceLicenseCount,
    int AvailableCount,
    int QueuedCount,
    bool OverAllocated,
    int? AppleAssignedCount,
    int DriftCount,
    bool Orphaned,
    int RequestedCount = 0,
    int ConfirmedCount = 0,
    int FailedCount = 0,
    int ReleasePendingCount = 0)
{
    /// <summary>Reads a pool's write state.</summary>
    internal static PoolSummary From(PoolState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(state.Pool, state.Product, state.TotalCount, state.UsedCount, state.UserLicenseCount, state.DeviceLicenseCount,
            state.AvailableCount, state.QueuedCount, state.OverAllocated, state.AppleAssignedCount, state.DriftCount, state.Orphaned,
            state.RequestedCount, state.ConfirmedCount, state.FailedCount, state.ReleasePendingCount);
    }
}

/// <summary>One token as a person sees it (rules T2, T3, T4, T6, T10). Never the secret.</summary>
/// <param name="Token">The host's token id.</param>
/// <param name="Name">The token's name.</param>
/// <param name="Organization">The organization named in the token file.</param>
/// <param name="Status">Valid, expiring soon, expired, external MDM, duplicate or deleted, now.</param>
/// <param name="ExpiresAt">Expiry from the token file.</param>
/// <param name="Fingerprint">The first characters of the secret's SHA-256, to tell files apart.</param>
/// <param name="CountryCode">The store whose metadata is used.</param>
/// <param name="AutomaticAppUpdates">Rule T11 setting.</param>
/// <param name="LastSyncAt">When the last sync was recorded.</param>
/// <param name="LastSyncSucceeded">Whether it succeeded.</param>
/// <param name="DuplicateOf">The token of this tenant holding the same location, if any.</param>
public sealed record TokenSummary(
    TokenId Token,
    string Name,
    string Organization,
    TokenStatus Status,
    Instant ExpiresAt,
    string Fingerprint,
    string CountryCode,
    bool AutomaticAppUpdates,
    Instant? LastSyncAt,
    bool? LastSyncSucceeded,
    TokenId? DuplicateOf)
{
    /// <summary>Reads a token's write state at <paramref name="now"/>.</summary>
    internal static TokenSummary From(TokenState state, Instant now, LedgerPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(
            state.Id ?? throw new ArgumentException("The token was never uploaded.", nameof(state)),
            state.Settings?.Name ?? "",
            state.File?.OrganizationName ?? "",
            TokenRules.StatusOf(state, now, policy),
            state.ExpiresAt,
            state.File?.Fingerprint.Short ?? "",
            state.Settings?.CountryCode ?? "",
            state.Settings?.AutomaticAppUpdates ?? false,
            state.LastSyncAt,
            state.LastSyncSucceeded,
            state.DuplicateOf);
    }
}

/// <summary>A license held, or a place in a queue, of one holder in one pool.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The user's Apple ID kind, or the device.</param>
/// <param name="Status">Granted or queued.</param>
/// <param name="QueuePosition">The queue position when queued (A6), else 0.</param>
/// <param name="Since">When it was granted or queued (business time).</param>
/// <param name="Devices">For a user license: the user's devices signed in with that Apple ID and whether each is covered (L3).</param>
/// <param name="Apple">For a granted license: requested, or confirmed by Apple (docs/apple.md).</param>
public sealed record HeldLicense(PoolId Pool, Holder Holder, SeatStatus Status, long QueuePosition, Instant Since, IReadOnlyList<DeviceCoverage> Devices, AppleSeatState Apple = AppleSeatState.Requested);

/// <summary>The licenses of one user (all their Apple IDs) or one device.</summary>
/// <param name="OwnerId">The host's user or device id.</param>
/// <param name="Licenses">Granted and queued, by pool.</param>
public sealed record HolderLicenses(string OwnerId, IReadOnlyList<HeldLicense> Licenses);

/// <summary>The tenant's pools with more demand than licenses (A6 queue) and with more licenses out than bought (S4).</summary>
/// <param name="Oversubscribed">Pools with a queue, the longest first.</param>
/// <param name="OverAllocated">Pools where used exceeds total.</param>
public sealed record OversubscriptionReport(IReadOnlyList<PoolSummary> Oversubscribed, IReadOnlyList<PoolSummary> OverAllocated);

/// <summary>One assignment of an app to a group (A1, A3).</summary>
/// <param name="Pool">The token and app.</param>
/// <param name="Group">The targeted group.</param>
/// <param name="Target">User group or device group.</param>
/// <param name="Intent">Available, Required or Uninstall.</param>
/// <param name="LicenseType">User or device licenses.</param>
/// <param name="Install">How the app reaches the device (A3).</param>
public sealed record AssignmentSummary(PoolId Pool, GroupId Group, AssignmentTarget Target, AssignmentIntent Intent, LicenseType LicenseType, InstallMode Install)
{
    /// <summary>Reads an assignment's write state.</summary>
    internal static AssignmentSummary From(AssignmentState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(state.Pool, state.Group, state.Target, state.Intent, state.LicenseType, AssignmentEffects.InstallFor(state.Intent));
    }
}
