using System.Security.Cryptography;
using System.Text;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Audit;

/// <summary>
/// The pseudonymous id of a holder in the audit table: the first 16 bytes of SHA-256 of
/// <c>"{tenant}|{holderKey}"</c>, as 32 lower-case hex characters. Deterministic, so an auditor who knows a holder
/// finds its rows; a different tenant gives a different id; no Apple ID or serial number is ever hashed.
/// </summary>
internal static class AuditPseudonym
{
    /// <summary>The pseudonymous id of <paramref name="holderKey"/> (a <see cref="Holder.Key"/>, or <c>u.{userId}</c> for a directory row) in <paramref name="tenant"/>.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="holderKey">The holder key.</param>
    public static string Of(string tenant, string holderKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(holderKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(tenant + "|" + holderKey));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The pseudonymous id of <paramref name="holder"/> in <paramref name="tenant"/>.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="holder">The holder.</param>
    public static string Of(string tenant, Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return Of(tenant, holder.Key);
    }

    /// <summary>The holder kind written in the audit table: <c>user.personal</c>, <c>user.managed</c> or <c>device</c>.</summary>
    /// <param name="holder">The holder.</param>
    public static string KindOf(Holder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return holder.Type == LicenseType.Device ? "device"
            : holder.AppleIdKind == AppleIdKind.Managed ? "user.managed" : "user.personal";
    }
}

/// <summary>What the audit table says about one event, before the storage adds sequence, metadata and hash. Pure.</summary>
/// <param name="Token">The token, if any.</param>
/// <param name="AdamId">The app, if any.</param>
/// <param name="HolderKind">The holder kind, if any.</param>
/// <param name="HolderKey">The holder key (pseudonymised before it is stored), if any.</param>
/// <param name="QueuePosition">The queue position, if queued.</param>
/// <param name="Action">What happened.</param>
/// <param name="Reason">Why, or a short detail.</param>
/// <param name="Rule">The rule id.</param>
internal sealed record AuditFacts(
    string? Token,
    string? AdamId,
    string? HolderKind,
    string? HolderKey,
    long? QueuePosition,
    string Action,
    string? Reason,
    string? Rule)
{
    /// <summary>
    /// The facts of one event of <paramref name="stream"/>. Every event of the ledger gives a row (pool, token,
    /// assignment and directory streams); an unknown event gives an <c>unknown</c> action.
    /// </summary>
    /// <param name="stream">The stream id.</param>
    /// <param name="event">The event.</param>
    public static AuditFacts Of(string stream, ILedgerEvent @event)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var streamToken = stream.StartsWith("token:", StringComparison.Ordinal) ? stream[6..] : null;
        var owner = stream.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? stream[(colon + 1)..] : stream;
        return @event switch
        {
            AppleCountsApplied e => Pool(e.Pool, "apple_counts_applied", $"purchased={e.PurchasedCount} retired={e.RetiredCount}", "S2"),
            AssignedCountDriftRecorded e => Pool(e.Pool, "assigned_count_drift_recorded", $"apple={e.AppleAssignedCount} ledger={e.LedgerUsedCount}", "S2"),
            LicenseGranted e => Seat(e.Pool, e.Holder, null, "license_granted", e.Reason.ToString(), e.Rule),
            HolderQueued e => Seat(e.Pool, e.Holder, e.Position, "holder_queued", null, e.Rule),
            HolderLeftQueue e => Seat(e.Pool, e.Holder, null, "holder_left_queue", e.Reason.ToString(), e.Rule),
            LicenseReclaimed e => Seat(e.Pool, e.Holder, null, "license_reclaimed", e.Reason.ToString(), e.Rule),
            PoolOrphaned e => Pool(e.Pool, "pool_orphaned", "token deleted", "T10"),
            AppleAssociationConfirmed e => Seat(e.Pool, e.Holder, null, "apple_association_confirmed", "event=" + e.AppleEventId, "S1"),
            AppleAssociationFailed e => Seat(e.Pool, e.Holder, null, "apple_association_failed", FormattableString.Invariant($"event={e.AppleEventId} error={e.ErrorNumber}"), "A6"),
            AppleDisassociationRequested e => Seat(e.Pool, e.Holder, null, "apple_disassociation_requested", null, "S1"),
            AppleDisassociationConfirmed e => Seat(e.Pool, e.Holder, null, "apple_disassociation_confirmed", "event=" + e.AppleEventId, "S1"),
            AppleDisassociationFailed e => Seat(e.Pool, e.Holder, null, "apple_disassociation_failed", FormattableString.Invariant($"event={e.AppleEventId} error={e.ErrorNumber}"), "S2"),
            AssignmentCreated e => Assignment(e.Pool, "assignment_created", $"group={e.Group.Value} intent={e.Intent} type={e.LicenseType}", "A1"),
            AssignmentChanged e => Assignment(e.Pool, "assignment_changed", $"group={e.Group.Value} intent={e.Intent} type={e.LicenseType}", e.Intent == AssignmentIntent.Uninstall ? "A4" : "A1"),
            AssignmentRemoved e => Assignment(e.Pool, "assignment_removed", $"group={e.Group.Value}", "R2"),
            AssignmentEndedWithToken e => Assignment(e.Pool, "assignment_ended_with_token", $"group={e.Group.Value}", "T10"),
            TenantTokensChanged e => TokenFacts(e.Token.Value, "tenant_tokens_changed", $"live={e.LiveTokenCount}", "T1"),
            TokenUploaded e => TokenFacts(e.Token.Value, "token_uploaded", e.DuplicateOf is { } d ? "duplicate of " + d.Value : null, "T5"),
            TokenRenewed => TokenFacts(streamToken, "token_renewed", null, "T8"),
            TokenSettingsChanged e => TokenFacts(streamToken, "token_settings_changed", "country=" + e.Settings.CountryCode, "T7"),
            TokenSyncSucceeded e => TokenFacts(streamToken, "token_sync_succeeded", $"{e.Trigger} apps={e.AppCount} licenses={e.LicenseCount}", "T6"),
            TokenSyncFailed e => TokenFacts(streamToken, "token_sync_failed", e.Trigger.ToString(), "T6"),
            TokenAssignedToExternalMdm => TokenFacts(streamToken, "token_assigned_to_external_mdm", null, "T3"),
            TokenControlTaken => TokenFacts(streamToken, "token_control_taken", null, "T3"),
            TokenMigratedFromLegacyVpp => TokenFacts(streamToken, "token_migrated_from_legacy_vpp", null, "T9"),
            TokenDeleted e => TokenFacts(streamToken, "token_deleted", e.RevocationRequested ? "revocation requested" : null, "T10"),
            UserRecorded e => Directory("user", "u." + e.User.Value, "user_recorded", null, "L4"),
            UserAppleIdsChanged => Directory("user", "u." + owner, "user_apple_ids_changed", null, "L4"),
            UserLeftOrganization => Directory("user", "u." + owner, "user_left_organization", null, "R4"),
            DeviceRecorded e => Directory("device", "d." + e.Device.Value, "device_recorded", e.Profile.Platform.ToString(), "L2"),
            DeviceFactsChanged e => Directory("device", "d." + owner, "device_facts_changed", e.Profile.Platform.ToString(), "L5"),
            DeviceRemovedFromManagement => Directory("device", "d." + owner, "device_removed_from_management", null, "R5"),
            GroupCreated e => new AuditFacts(null, null, null, null, null, "group_created", $"group={e.Group.Value} kind={e.Kind}", "A1"),
            GroupMembersAdded e => new AuditFacts(null, null, null, null, null, "group_members_added", $"group={owner} count={e.Members.Count}", "A6"),
            GroupMembersRemoved e => new AuditFacts(null, null, null, null, null, "group_members_removed", $"group={owner} count={e.Members.Count}", "R4"),
            Alerts.AlertRaised e => new AuditFacts(e.Token.Value, e.App?.Value, null, null, null, "alert_raised", $"{e.Key} observed={e.Observed}", e.Rule),
            Alerts.AlertCleared e => new AuditFacts(e.Token.Value, e.App?.Value, null, null, null, "alert_cleared", e.Key, null),
            Operations.OperationStarted e => new AuditFacts(null, null, null, null, null, "operation_started", e.CommandType, "I4"),
            Operations.OperationPageCommitted e => new AuditFacts(null, null, null, null, null, "operation_page_committed", FormattableString.Invariant($"page={e.Page}"), "I4"),
            Operations.OperationCompleted e => new AuditFacts(null, null, null, null, null, "operation_completed", FormattableString.Invariant($"pages={e.PageCount}"), "I4"),
            AppleAssociationRequestedAgain e => Seat(e.Pool, e.Holder, null, "apple_association_requested_again", e.WasConfirmed ? "was confirmed" : null, "S2"),
            AppleReleaseRequested e => Seat(e.Pool, e.Holder, null, "apple_release_requested", null, "S2"),
            AppleAssetFactsRecorded e => Pool(e.Pool, "apple_asset_facts_recorded", $"deviceAssignable={e.Facts.DeviceAssignable} revocable={e.Facts.Revocable}", "L6"),
            AppleSide.AppleNotificationRecorded e => TokenFacts(e.Token.Value, "apple_notification_recorded", e.Type.ToString(), "S2"),
            AppleSide.AppleUserStatesRecorded e => TokenFacts(e.Token.Value, "apple_user_states_recorded", FormattableString.Invariant($"users={e.Users.Count}"), "L4"),
            AppleSide.AppleClientConfigRecorded e => TokenFacts(e.Token.Value, "apple_client_config_recorded", e.ManagedByThisMdm ? "this MDM" : "another MDM", "T3"),
            AppleSide.AppleAssignmentsPageRecorded e => TokenFacts(e.Token.Value, "apple_assignments_page_recorded", FormattableString.Invariant($"walk={e.WalkId} page={e.PageIndex} count={e.Assignments.Count}"), "S2"),
            AppleSide.AppleAssignmentsSnapshotCompleted e => TokenFacts(e.Token.Value, "apple_assignments_snapshot_completed", FormattableString.Invariant($"walk={e.WalkId} pages={e.PageCount}"), "S2"),
            AppleSide.ReconciliationFindingRecorded e => e.Holder is { } h
                ? Seat(e.Pool, h, null, "reconciliation_finding_recorded", e.Class.ToString(), e.Rule)
                : Pool(e.Pool, "reconciliation_finding_recorded", e.Class.ToString(), e.Rule),
            AppleSide.ReconciliationFindingCleared e => Pool(e.Pool, "reconciliation_finding_cleared", e.Class.ToString(), "S2"),
            _ => new AuditFacts(null, null, null, null, null, "unknown", @event?.GetType().Name, null),
        };
    }

    private static AuditFacts Pool(PoolId pool, string action, string? reason, string rule) =>
        new(pool.Token.Value, pool.AppKey, null, null, null, action, reason, rule);

    private static AuditFacts Seat(PoolId pool, Holder holder, long? position, string action, string? reason, string rule) =>
        new(pool.Token.Value, pool.AppKey, AuditPseudonym.KindOf(holder), holder.Key, position, action, reason, rule);

    private static AuditFacts Assignment(PoolId pool, string action, string reason, string rule) =>
        new(pool.Token.Value, pool.AppKey, null, null, null, action, reason, rule);

    private static AuditFacts TokenFacts(string? token, string action, string? reason, string rule) =>
        new(token, null, null, null, null, action, reason, rule);

    private static AuditFacts Directory(string kind, string key, string action, string? reason, string rule) =>
        new(null, null, kind, key, null, action, reason, rule);
}
