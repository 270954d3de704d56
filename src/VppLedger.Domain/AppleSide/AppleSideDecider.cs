using System.Globalization;
using NodaTime;
using VppLedger.Pools;

namespace VppLedger.AppleSide;

/// <summary>The write state of a token's Apple stream (<c>apple:{tokenId}</c>): small, whatever the token's size.</summary>
internal sealed record AppleSideState
{
    /// <summary>Apple's mdmInfo.id last recorded.</summary>
    public string? MdmId { get; init; }

    /// <summary>Apple's mdmInfo.name last recorded.</summary>
    public string? MdmName { get; init; }

    /// <summary>Apple's uId of the location last recorded.</summary>
    public string? LocationUId { get; init; }

    /// <summary>True when the last client config named another MDM (rule T3).</summary>
    public bool ManagedElsewhere { get; init; }

    /// <summary>The walk in progress, or null.</summary>
    public string? WalkId { get; init; }

    /// <summary>The versionId of the walk in progress.</summary>
    public string? WalkVersionId { get; init; }

    /// <summary>The delta base of the walk in progress.</summary>
    public string? WalkSinceVersionId { get; init; }

    /// <summary>The page the walk in progress expects next.</summary>
    public int NextPage { get; init; }

    /// <summary>The last completed walk, or null.</summary>
    public string? CompletedWalkId { get; init; }

    /// <summary>The versionId of the last completed walk: the base a delta must name.</summary>
    public string? CompletedVersionId { get; init; }

    /// <summary>When the last walk completed.</summary>
    public Instant? CompletedAt { get; init; }

    /// <summary>Findings recorded and not cleared.</summary>
    public int OpenFindingCount { get; init; }

    /// <summary>A token whose Apple stream has no event yet.</summary>
    public static AppleSideState Initial { get; } = new();
}

/// <summary>The pure decisions of a token's Apple stream.</summary>
internal static class AppleSideDecider
{
    /// <summary>Longest walk id, notification id or versionId accepted.</summary>
    public const int MaxIdLength = 128; // Apple's ids are far shorter; bounded so a bad caller cannot bloat the log

    /// <summary>What Apple says of a token is recorded while the token is in the ledger (even under another MDM, rule T3), not after it was deleted (rule T10).</summary>
    public static Rejection? CheckToken(TokenId token, Tokens.TokenState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return !state.Uploaded ? Tokens.TokenRejections.TokenNotFound(token)
            : state.Deleted ? Tokens.TokenRejections.TokenDeleted(token)
            : null;
    }

    /// <summary>Folds one event. Never validates, never throws.</summary>
    public static AppleSideState Evolve(AppleSideState state, IAppleSideEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            AppleClientConfigRecorded e => state with { MdmId = e.MdmId, MdmName = e.MdmName, LocationUId = e.LocationUId, ManagedElsewhere = !e.ManagedByThisMdm },
            AppleAssignmentsPageRecorded e => state with { WalkId = e.WalkId, WalkVersionId = e.VersionId, WalkSinceVersionId = e.SinceVersionId, NextPage = e.PageIndex + 1 },
            AppleAssignmentsSnapshotCompleted e => state with
            {
                WalkId = null,
                WalkVersionId = null,
                WalkSinceVersionId = null,
                NextPage = 0,
                CompletedWalkId = e.WalkId,
                CompletedVersionId = e.VersionId,
                CompletedAt = e.OccurredAt,
            },
            ReconciliationFindingRecorded => state with { OpenFindingCount = state.OpenFindingCount + 1 },
            ReconciliationFindingCleared => state with { OpenFindingCount = Math.Max(0, state.OpenFindingCount - 1) },
            _ => state,
        };
    }

    /// <summary>
    /// Apple's client config: recorded when it changed. An mdmInfo.id that is not the host's is another MDM (rule T3);
    /// the caller then marks the token assigned to that MDM.
    /// </summary>
    public static (Decision<IAppleSideEvent> Decision, bool OtherMdm) DecideClientConfig(RecordAppleClientConfig c, AppleSideState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(state);
        if (string.IsNullOrWhiteSpace(c.HostMdmId) || c.HostMdmId.Length > MaxIdLength || c.MdmId?.Length > MaxIdLength || c.MdmName?.Length > MaxIdLength)
        {
            return (AppleSideRejections.ClientConfigInvalid(c.Token), false);
        }

        var ours = string.IsNullOrEmpty(c.MdmId) || string.Equals(c.MdmId, c.HostMdmId, StringComparison.Ordinal);
        var same = state.MdmId == c.MdmId && state.MdmName == c.MdmName && state.LocationUId == c.LocationUId && state.ManagedElsewhere == !ours;
        var decision = same
            ? Decision<IAppleSideEvent>.Nothing
            : Decision<IAppleSideEvent>.Accept(new AppleClientConfigRecorded(c.Token, c.MdmId, c.MdmName, c.LocationUId, ours, now));
        return (decision, !ours);
    }

    /// <summary>The user states that move forward from <paramref name="current"/> (the latest per user wins within one report).</summary>
    public static IReadOnlyList<AppleUserStateReport> Forward(IReadOnlyList<AppleUserStateReport> reports, IReadOnlyDictionary<string, AppleUserState> current)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(current);
        return [.. reports
            .GroupBy(r => r.ClientUserId, StringComparer.Ordinal)
            .Select(g => new AppleUserStateReport(g.Key, g.Max(r => r.State)))
            .Where(r => !current.TryGetValue(r.ClientUserId, out var known) || r.State > known)
            .OrderBy(r => r.ClientUserId, StringComparer.Ordinal)];
    }

    /// <summary>Refuses user reports with an empty or over-long clientUserId, or an unknown state.</summary>
    public static Rejection? CheckUsers(TokenId token, IReadOnlyList<AppleUserStateReport>? users) =>
        users is null || users.Any(u => u is null || string.IsNullOrEmpty(u.ClientUserId) || u.ClientUserId.Length > MaxIdLength || !Enum.IsDefined(u.State))
            ? AppleSideRejections.NotificationIncomplete(token, "its users must each have a clientUserId of 1 to 128 characters and a state")
            : null;

    /// <summary>Refuses a notification whose body does not match its type.</summary>
    public static Rejection? CheckNotification(RecordAppleNotification c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var n = c.Notification;
        if (n is null || string.IsNullOrEmpty(n.NotificationId) || n.NotificationId.Length > MaxIdLength)
        {
            return AppleSideRejections.NotificationIncomplete(c.Token, "it needs a notificationId of 1 to 128 characters");
        }

        return n.Type switch
        {
            AppleNotificationType.AssetManagement when n.AssetManagement is null || string.IsNullOrEmpty(n.AssetManagement.AppleEventId)
                => AppleSideRejections.NotificationIncomplete(c.Token, "an ASSET_MANAGEMENT notification carries the event's status (eventId, status, failures)"),
            AppleNotificationType.AssetCount when n.AssetCount is null || n.AssetCount.AdamId == default
                => AppleSideRejections.NotificationIncomplete(c.Token, "an ASSET_COUNT notification carries the asset (adamId, pricingParam) and its countDelta"),
            AppleNotificationType.UserManagement or AppleNotificationType.UserAssociated => CheckUsers(c.Token, n.Users),
            AppleNotificationType.AssetManagement or AppleNotificationType.AssetCount => null,
            _ => AppleSideRejections.NotificationIncomplete(c.Token, "its type must be ASSET_MANAGEMENT, ASSET_COUNT, USER_MANAGEMENT or USER_ASSOCIATED"),
        };
    }

    /// <summary>Refuses an assets snapshot with impossible counts (rule S2).</summary>
    public static Rejection? CheckAssets(ApplyAppleAssetsSnapshot c)
    {
        ArgumentNullException.ThrowIfNull(c);
        foreach (var a in c.Assets ?? [])
        {
            if (a is null || a.AdamId == default || a.TotalCount < 0 || a.AssignedCount < 0 || a.RetiredCount < 0 || a.RetiredCount > a.TotalCount
                || !Enum.IsDefined(a.Pricing) || !Enum.IsDefined(a.Product))
            {
                return AppleSideRejections.AssetsInvalid(c.Token, a);
            }
        }

        var twice = (c.Assets ?? []).GroupBy(a => (a.AdamId, a.Pricing)).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? null : AppleSideRejections.AssetsInvalid(c.Token, twice.First());
    }

    /// <summary>
    /// One page of a walk of Apple's assignments: page 0 starts a walk (a delta must name the last completed walk's
    /// versionId); every next page follows in order under the same versionId, else the walk must start again; the last
    /// page completes it.
    /// </summary>
    public static Decision<IAppleSideEvent> DecidePage(RecordAppleAssignmentsPage c, AppleSideState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(state);
        if (string.IsNullOrEmpty(c.WalkId) || c.WalkId.Length > MaxIdLength || string.IsNullOrEmpty(c.VersionId) || c.VersionId.Length > MaxIdLength
            || c.SinceVersionId?.Length > MaxIdLength || c.PageIndex < 0 || c.Assignments is null
            || c.Assignments.Any(a => a is null || a.AdamId == default || (a.ClientUserId is null) == (a.SerialNumber is null) || a.ClientUserId?.Length > MaxIdLength))
        {
            return AppleSideRejections.PageInvalid(c.Token);
        }

        if (c.PageIndex == 0)
        {
            if (c.WalkId == state.CompletedWalkId)
            {
                return AppleSideRejections.PageOutOfOrder(c.Token, c.WalkId, c.PageIndex, 0, completed: true);
            }

            if (c.SinceVersionId is { } since && since != state.CompletedVersionId)
            {
                return AppleSideRejections.DeltaBaseUnknown(c.Token, since, state.CompletedVersionId);
            }
        }
        else
        {
            if (state.WalkId != c.WalkId || c.PageIndex != state.NextPage)
            {
                return AppleSideRejections.PageOutOfOrder(c.Token, c.WalkId, c.PageIndex, state.WalkId == c.WalkId ? state.NextPage : 0, completed: c.WalkId == state.CompletedWalkId);
            }

            if (c.VersionId != state.WalkVersionId || c.SinceVersionId != state.WalkSinceVersionId)
            {
                return AppleSideRejections.VersionChanged(c.Token, c.WalkId, state.WalkVersionId!, c.VersionId);
            }
        }

        List<IAppleSideEvent> events = [new AppleAssignmentsPageRecorded(c.Token, c.WalkId, c.VersionId, c.SinceVersionId, c.PageIndex, c.Assignments, now)];
        if (c.IsLastPage)
        {
            events.Add(new AppleAssignmentsSnapshotCompleted(c.Token, c.WalkId, c.VersionId, c.SinceVersionId, c.PageIndex + 1, now));
        }

        return Decision<IAppleSideEvent>.Accept(events);
    }

    /// <summary>The identity of a finding: class, pool and holder as Apple names it.</summary>
    public static string FindingKey(ReconciliationClass @class, PoolId pool, string holderRef) =>
        string.Create(CultureInfo.InvariantCulture, $"{@class}|{pool}|{holderRef}");
}

/// <summary>Why a command about Apple's side of a token was refused. Codes are stable and listed in docs/errors.md.</summary>
internal static class AppleSideRejections
{
    public static Rejection NotificationIncomplete(TokenId token, string what) => new(
        RejectionCodes.AppleNotificationIncomplete,
        "S2",
        $"The notification recorded for token {token} is incomplete: {what}. Parse Apple's notification body again and record it whole.");

    public static Rejection ClientConfigInvalid(TokenId token) => new(
        RejectionCodes.AppleClientConfigInvalid,
        "T3",
        $"The client config recorded for token {token} needs the host's own mdmInfo id (1 to 128 characters), and Apple's mdmInfo id and name of at most 128 characters. Pass the id this host sets with POST /client/config.");

    public static Rejection AssetsInvalid(TokenId token, AppleAssetReport? asset) => new(
        RejectionCodes.InvalidAppleAssets,
        "S2",
        asset is null
            ? $"An asset of the assets snapshot of token {token} is missing. Record every asset Apple listed."
            : string.Create(CultureInfo.InvariantCulture, $"Asset {(asset.AdamId == default ? "(no adamId)" : asset.AdamId.Value)} ({asset.Pricing}) of the assets snapshot of token {token} is not possible: total {asset.TotalCount}, assigned {asset.AssignedCount}, retired {asset.RetiredCount} (counts are never negative, retired never exceeds total, and each adamId and pricingParam appears once). Read the assets from Apple again."));

    public static Rejection PageInvalid(TokenId token) => new(
        RejectionCodes.AppleAssignmentsPageInvalid,
        "S2",
        $"A page of Apple's assignments for token {token} needs a walk id and a versionId (1 to 128 characters), a page index from 0, and assignments that each name an adamId and exactly one of clientUserId or serialNumber. Record the page as Apple sent it.");

    public static Rejection PageOutOfOrder(TokenId token, string walkId, int page, int expected, bool completed) => new(
        RejectionCodes.AppleAssignmentsPageOutOfOrder,
        "S2",
        completed
            ? $"Walk '{walkId}' of Apple's assignments for token {token} is already complete. Start a new walk (a new walk id) from page 0."
            : string.Create(CultureInfo.InvariantCulture, $"Page {page} of walk '{walkId}' of Apple's assignments for token {token} does not follow: the walk expects page {expected}. Record the pages in order, or start again from page 0 with a new walk id."));

    public static Rejection VersionChanged(TokenId token, string walkId, string walkVersion, string pageVersion) => new(
        RejectionCodes.AppleAssignmentsVersionChanged,
        "S2",
        $"Apple's versionId changed during walk '{walkId}' of token {token} (from '{walkVersion}' to '{pageVersion}'): the pages do not describe one state. Start the walk again from page 0 with a new walk id.");

    public static Rejection DeltaBaseUnknown(TokenId token, string since, string? completed) => new(
        RejectionCodes.AppleAssignmentsDeltaBaseUnknown,
        "S2",
        completed is null
            ? $"A delta of Apple's assignments for token {token} reads changes since versionId '{since}', but no walk of this token has completed. Walk every assignment first (no sinceVersionId)."
            : $"A delta of Apple's assignments for token {token} reads changes since versionId '{since}', but the last completed walk has versionId '{completed}'. Read the changes since '{completed}', or walk every assignment again.");
}
