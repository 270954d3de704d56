namespace VppLedger.AppleSide;

/// <summary>Apple's <c>notificationType</c> (docs/apple.md, "Notifications").</summary>
public enum AppleNotificationType
{
    /// <summary><c>ASSET_MANAGEMENT</c>: the result of an associate, disassociate or revoke event.</summary>
    AssetManagement = 0,

    /// <summary><c>ASSET_COUNT</c>: an asset's counts changed (no event id); the host reads the assets again.</summary>
    AssetCount = 1,

    /// <summary><c>USER_MANAGEMENT</c>: the result of a user create, update or retire.</summary>
    UserManagement = 2,

    /// <summary><c>USER_ASSOCIATED</c>: users accepted the invitation and are associated (no event id).</summary>
    UserAssociated = 3,
}

/// <summary>
/// Apple's state of one user of a location (<c>POST /users/create|update|retire</c>). A state only moves forward
/// (registered, then associated, then retired), so notifications and polls may arrive in any order.
/// </summary>
public enum AppleUserState
{
    /// <summary>Created at Apple, not yet associated with an Apple account.</summary>
    Registered = 0,

    /// <summary>Associated with an Apple account (invitation accepted, or a managed Apple ID given).</summary>
    Associated = 1,

    /// <summary>Retired: revocable licenses released; book licenses stay (irrevocable).</summary>
    Retired = 2,
}

/// <summary>Apple's state of one user, as a notification or a users call reported it.</summary>
/// <param name="ClientUserId">The user's <c>clientUserId</c> (the ledger sends a user holder's key).</param>
/// <param name="State">Registered, associated or retired.</param>
public sealed record AppleUserStateReport(string ClientUserId, AppleUserState State);

/// <summary>An <c>ASSET_COUNT</c> notification's body: an asset whose counts changed.</summary>
/// <param name="AdamId">The asset.</param>
/// <param name="Pricing">Its pricingParam.</param>
/// <param name="CountDelta">Apple's <c>countDelta</c>: licenses added (positive) or removed (negative).</param>
public sealed record AppleAssetCountChange(AdamId AdamId, PricingParam Pricing, int CountDelta);

/// <summary>
/// One notification Apple pushed to the host's <c>notificationUrl</c>, parsed. Exactly the body of its type is set:
/// <see cref="AssetManagement"/> for <c>ASSET_MANAGEMENT</c>, <see cref="AssetCount"/> for <c>ASSET_COUNT</c>,
/// <see cref="Users"/> for <c>USER_MANAGEMENT</c> and <c>USER_ASSOCIATED</c>.
/// </summary>
/// <param name="NotificationId">Apple's <c>notificationId</c>: the ledger records each one once.</param>
/// <param name="Type">Apple's <c>notificationType</c>.</param>
/// <param name="AssetManagement">The event status an <c>ASSET_MANAGEMENT</c> notification carries.</param>
/// <param name="AssetCount">The change an <c>ASSET_COUNT</c> notification carries.</param>
/// <param name="Users">The user states a <c>USER_MANAGEMENT</c> or <c>USER_ASSOCIATED</c> notification carries.</param>
public sealed record AppleNotification(
    string NotificationId,
    AppleNotificationType Type,
    Pools.AppleEventStatus? AssetManagement = null,
    AppleAssetCountChange? AssetCount = null,
    IReadOnlyList<AppleUserStateReport>? Users = null);

/// <summary>One asset of Apple's <c>GET /assets</c>: the counts and facts of one pool (token + adamId + pricingParam).</summary>
/// <param name="AdamId">The asset.</param>
/// <param name="Pricing">Its pricingParam (STDQ or PLUS): the pool it fills.</param>
/// <param name="Product">App or book (rule L6).</param>
/// <param name="TotalCount">Apple's <c>totalCount</c>: licenses purchased.</param>
/// <param name="AssignedCount">Apple's <c>assignedCount</c>: compared with the ledger's used count (rule S2).</param>
/// <param name="RetiredCount">Apple's <c>retiredCount</c>: licenses retired or refunded, subtracted from the total (rule S1).</param>
/// <param name="DeviceAssignable">Apple's <c>deviceAssignable</c>.</param>
/// <param name="Revocable">Apple's <c>revocable</c>.</param>
/// <param name="SupportedPlatforms">Apple's <c>supportedPlatforms</c>.</param>
public sealed record AppleAssetReport(
    AdamId AdamId,
    PricingParam Pricing,
    ProductKind Product,
    int TotalCount,
    int AssignedCount,
    int RetiredCount,
    bool DeviceAssignable,
    bool Revocable,
    IReadOnlyList<string> SupportedPlatforms);

/// <summary>One assignment of Apple's <c>GET /assignments</c>: a seat Apple holds for a user or a device.</summary>
/// <param name="AdamId">The asset.</param>
/// <param name="Pricing">Its pricingParam.</param>
/// <param name="ClientUserId">The user holder's <c>clientUserId</c>, or null for a device.</param>
/// <param name="SerialNumber">The device's <c>serialNumber</c>, or null for a user.</param>
public sealed record AppleSeatReport(AdamId AdamId, PricingParam Pricing, string? ClientUserId, SerialNumber? SerialNumber)
{
    /// <summary>Who holds it at Apple: <c>user:{clientUserId}</c> or <c>serial:{serialNumber}</c>.</summary>
    public string HolderRef => ClientUserId is { } user ? "user:" + user : "serial:" + SerialNumber?.Value;
}

/// <summary>What a reconciliation finding is (docs/apple.md, "Reconciliation").</summary>
public enum ReconciliationClass
{
    /// <summary>Apple holds a seat the ledger does not grant (rule S2).</summary>
    UntrackedAtApple = 0,

    /// <summary>The ledger grants a seat Apple had confirmed and no longer shows (rule S2).</summary>
    PhantomInLedger = 1,

    /// <summary>Apple holds one app for one holder at both pricings (STDQ and PLUS): one seat too many (rule S2).</summary>
    DuplicateHolder = 2,

    /// <summary>Apple holds a seat the ledger does not grant while Apple says another MDM manages the token (rule T3).</summary>
    HeldUnderAnotherMdm = 3,

    /// <summary>A seat requested of Apple has waited longer than <see cref="LedgerPolicy.ApplePendingTooLong"/> (rule S2).</summary>
    PendingTooLong = 4,
}
