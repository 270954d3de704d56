using System.Text.Json.Serialization;

namespace VppLedger.Apple;

/// <summary>The request limits of Apple's service config (<c>GET /service/config</c>, <c>limits</c>). Apple's limits are
/// dynamic: refresh the service config about every 5 minutes and pass its limits to the batching calls.</summary>
/// <param name="MaxAssets">Assets per associate or disassociate call (published: 25).</param>
/// <param name="MaxHolders">Serial numbers or clientUserIds per associate or disassociate call (published: 1,000).</param>
/// <param name="MaxRevokeHolders">Serial numbers or clientUserIds per revoke call (published: 100).</param>
/// <param name="MaxUsers">Users per create, update or retire call (published: 100).</param>
public sealed record AppleServiceLimits(int MaxAssets, int MaxHolders, int MaxRevokeHolders, int MaxUsers)
{
    /// <summary>Apple's published limits, used when a call gets no limits.</summary>
    public static AppleServiceLimits Published { get; } = new(25, 1_000, 100, 100);
}

/// <summary>Apple's service config (<c>GET /service/config</c>, no authentication).</summary>
/// <param name="Limits">The request limits this client batches by (missing keys: the published values).</param>
/// <param name="RawLimits">Every limit Apple sent, by its key.</param>
/// <param name="Urls">The web service URLs by name.</param>
/// <param name="NotificationTypes">The notification types Apple can send.</param>
public sealed record AppleServiceConfig(
    AppleServiceLimits Limits,
    IReadOnlyDictionary<string, int> RawLimits,
    IReadOnlyDictionary<string, string> Urls,
    IReadOnlyList<string> NotificationTypes);

/// <summary>Who manages the location: the <c>mdmInfo</c> of the client config (rule T3).</summary>
/// <param name="Id">The MDM's id (up to 100 characters). Not the host's own id: another MDM has taken control.</param>
/// <param name="Name">The MDM's name (up to 100 characters).</param>
/// <param name="Metadata">Free text (up to 255 characters).</param>
public sealed record AppleMdmInfo(string? Id, string? Name, string? Metadata = null);

/// <summary>Apple's client config (<c>GET</c> or <c>POST /client/config</c>). The notification auth token is write-only
/// and never read back.</summary>
/// <param name="MdmInfo">The MDM that manages the location, or null when none set it.</param>
/// <param name="UId">The location's unique id (Apple: use it to detect duplicate tokens, rule T4).</param>
/// <param name="LocationName">The location's name.</param>
/// <param name="CountryIso2ACode">The location's country.</param>
/// <param name="TokenExpirationDate">When the sToken expires.</param>
/// <param name="NotificationUrl">Where Apple pushes notifications.</param>
/// <param name="NotificationTypes">The notification types subscribed to.</param>
public sealed record AppleClientConfig(
    AppleMdmInfo? MdmInfo,
    string? UId,
    string? LocationName,
    string? CountryIso2ACode,
    DateTimeOffset? TokenExpirationDate,
    string? NotificationUrl,
    IReadOnlyList<string> NotificationTypes);

/// <summary>What <c>POST /client/config</c> sets; null members are left out of the request.</summary>
/// <param name="MdmInfo">This MDM's identity (claims the location, rule T3).</param>
/// <param name="NotificationUrl">Where Apple pushes notifications.</param>
/// <param name="NotificationAuthToken">The secret Apple sends with each notification (never logged).</param>
/// <param name="NotificationTypes">The notification types to subscribe to.</param>
public sealed record AppleClientConfigUpdate(
    AppleMdmInfo? MdmInfo = null,
    string? NotificationUrl = null,
    string? NotificationAuthToken = null,
    IReadOnlyList<string>? NotificationTypes = null);

/// <summary>An asset as a request names it: Apple's adamId and pricing (<c>STDQ</c> standard, <c>PLUS</c> high quality).</summary>
/// <param name="AdamId">Apple's product id.</param>
/// <param name="PricingParam">STDQ or PLUS.</param>
public sealed record AppleAssetRef(string AdamId, string PricingParam);

/// <summary>One asset of <c>GET /assets</c>: a pool is token + adamId + pricingParam.</summary>
/// <param name="AdamId">Apple's product id.</param>
/// <param name="PricingParam">STDQ or PLUS.</param>
/// <param name="ProductType">App or Book.</param>
/// <param name="TotalCount">Licenses purchased.</param>
/// <param name="AssignedCount">Licenses assigned.</param>
/// <param name="AvailableCount">Licenses available.</param>
/// <param name="RetiredCount">Licenses retired.</param>
/// <param name="DeviceAssignable">Whether the asset can be assigned to devices.</param>
/// <param name="Revocable">Whether its licenses can be revoked.</param>
/// <param name="SupportedPlatforms">The platforms it runs on.</param>
public sealed record AppleAsset(
    string AdamId,
    string PricingParam,
    string? ProductType,
    long TotalCount,
    long AssignedCount,
    long AvailableCount,
    long RetiredCount,
    bool DeviceAssignable,
    bool Revocable,
    IReadOnlyList<string> SupportedPlatforms);

/// <summary>A whole, consistent walk of <c>GET /assets</c>: every page read under one <c>versionId</c>.</summary>
/// <param name="VersionId">The versionId every page carried.</param>
/// <param name="Assets">Every asset of every page.</param>
/// <param name="PageCount">Pages read in the consistent walk.</param>
/// <param name="Restarts">Walks started again because the versionId changed.</param>
public sealed record AppleAssetsSnapshot(string? VersionId, IReadOnlyList<AppleAsset> Assets, int PageCount, int Restarts);

/// <summary>One assignment of <c>GET /assignments</c>: a seat Apple holds for a device or a user.</summary>
/// <param name="AdamId">Apple's product id.</param>
/// <param name="PricingParam">STDQ or PLUS.</param>
/// <param name="SerialNumber">The device's serial number, for a device assignment.</param>
/// <param name="ClientUserId">The user's id, for a user assignment.</param>
public sealed record AppleAssignment(string AdamId, string PricingParam, string? SerialNumber, string? ClientUserId);

/// <summary>Filters of <c>GET /assignments</c>; null members are not sent.</summary>
/// <param name="SinceVersionId">Only changes since this versionId (an incremental read).</param>
/// <param name="AdamId">Only this asset.</param>
/// <param name="SerialNumber">Only this device.</param>
/// <param name="ClientUserId">Only this user.</param>
public sealed record AppleAssignmentsQuery(
    string? SinceVersionId = null, string? AdamId = null, string? SerialNumber = null, string? ClientUserId = null);

/// <summary>A whole, consistent walk of <c>GET /assignments</c>: every page read under one <c>versionId</c>.</summary>
/// <param name="VersionId">The versionId every page carried (pass it as the next read's sinceVersionId).</param>
/// <param name="Assignments">Every assignment of every page.</param>
/// <param name="PageCount">Pages read in the consistent walk.</param>
/// <param name="Restarts">Walks started again because the versionId changed.</param>
public sealed record AppleAssignmentsSnapshot(string? VersionId, IReadOnlyList<AppleAssignment> Assignments, int PageCount, int Restarts);

/// <summary>What one call of a batched request carried.</summary>
/// <param name="Assets">The assets (empty for revoke and users).</param>
/// <param name="SerialNumbers">The devices.</param>
/// <param name="ClientUserIds">The users.</param>
public sealed record AppleBatch(IReadOnlyList<AppleAssetRef> Assets, IReadOnlyList<string> SerialNumbers, IReadOnlyList<string> ClientUserIds);

/// <summary>What happened to one batch: Apple accepted it (an event id to poll), refused it synchronously (no
/// asynchronous work follows), or it was not sent because an earlier batch was refused.</summary>
public enum AppleBatchOutcome
{
    /// <summary>Apple accepted the batch: poll <see cref="AppleBatchResult.EventId"/> with <c>GetStatusAsync</c>.</summary>
    Accepted,
    /// <summary>Apple refused the batch synchronously: see <see cref="AppleBatchResult.Error"/>.</summary>
    Refused,
    /// <summary>Not sent: an earlier batch of the same call was refused. Send it again later.</summary>
    NotSent,
}

/// <summary>The result of one batch of a batched call (associate, disassociate, revoke, users).</summary>
/// <param name="Batch">What the batch carried.</param>
/// <param name="Outcome">Accepted, refused or not sent.</param>
/// <param name="EventId">Apple's event id when accepted.</param>
/// <param name="Error">Apple's error when refused.</param>
/// <param name="TokenExpirationDate">When the sToken expires, as the answer said.</param>
/// <param name="UId">The location's id, as the answer said.</param>
public sealed record AppleBatchResult(
    AppleBatch Batch,
    AppleBatchOutcome Outcome,
    string? EventId,
    AppleApiException? Error,
    DateTimeOffset? TokenExpirationDate,
    string? UId);

/// <summary>One failure of an asynchronous event (<c>GET /status</c>, <c>failures[]</c>): per asset and holder.</summary>
/// <param name="AdamId">The asset.</param>
/// <param name="PricingParam">Its pricing.</param>
/// <param name="SerialNumber">The device, for a device holder.</param>
/// <param name="ClientUserId">The user, for a user holder.</param>
/// <param name="ErrorNumber">Apple's error number.</param>
/// <param name="ErrorMessage">Apple's error message.</param>
public sealed record AppleEventFailure(
    string? AdamId, string? PricingParam, string? SerialNumber, string? ClientUserId, int? ErrorNumber, string? ErrorMessage)
{
    /// <summary>The classification of <see cref="ErrorNumber"/>.</summary>
    public AppleErrorKind Kind => AppleApiException.Classify(ErrorNumber);
}

/// <summary>The state of an asynchronous event (<c>GET /status?eventId=</c>).</summary>
/// <param name="EventId">The event polled.</param>
/// <param name="EventStatus">PENDING, COMPLETE or FAILURE.</param>
/// <param name="EventType">ASSOCIATE, DISASSOCIATE, REVOKE, ...</param>
/// <param name="NumRequested">Holder-asset pairs requested.</param>
/// <param name="NumCompleted">Pairs completed so far.</param>
/// <param name="Failures">The pairs that failed, each with its error.</param>
public sealed record AppleEventStatus(
    string EventId, string EventStatus, string? EventType, int NumRequested, int NumCompleted, IReadOnlyList<AppleEventFailure> Failures)
{
    /// <summary>Whether Apple is still working on the event.</summary>
    public bool IsPending => string.Equals(EventStatus, "PENDING", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A user of <c>POST /users/create</c> or <c>/users/update</c>.</summary>
/// <param name="ClientUserId">The MDM's id of the user.</param>
/// <param name="Email">The user's email (for an invitation).</param>
/// <param name="ManagedAppleId">The user's Managed Apple Account: associated without an invitation.</param>
public sealed record AppleUser(string ClientUserId, string? Email = null, string? ManagedAppleId = null);

// Wire shapes (internal): what Apple sends and receives.
internal sealed record ErrorBody(int? ErrorNumber, string? ErrorMessage, List<ErrorBody>? Errors);

internal sealed record ServiceConfigBody(Dictionary<string, int>? Limits, Dictionary<string, string>? Urls, List<string>? NotificationTypes);

internal sealed record ClientConfigBody(
    AppleMdmInfo? MdmInfo, string? UId, string? LocationName,
    [property: JsonPropertyName("countryISO2ACode")] string? CountryIso2ACode,
    DateTimeOffset? TokenExpirationDate, string? NotificationUrl, List<string>? NotificationTypes);

internal sealed record AssetBody(
    string AdamId, string PricingParam, string? ProductType, long TotalCount, long AssignedCount, long AvailableCount,
    long RetiredCount, bool DeviceAssignable, bool Revocable, List<string>? SupportedPlatforms);

internal sealed record AssetsPage(List<AssetBody>? Assets, string? VersionId, int? CurrentPageIndex, int? NextPageIndex, int? TotalPages);

internal sealed record AssignmentsPage(List<AppleAssignment>? Assignments, string? VersionId, int? CurrentPageIndex, int? NextPageIndex, int? TotalPages);

internal sealed record EventAnswer(string? EventId, DateTimeOffset? TokenExpirationDate, string? UId);

internal sealed record StatusBody(
    string? EventStatus, string? EventType, int NumRequested, int NumCompleted, List<AppleEventFailure>? Failures);
