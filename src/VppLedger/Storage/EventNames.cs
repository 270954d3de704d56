namespace VppLedger.Storage;

/// <summary>
/// The persisted name of every event type, mapped once. The log stores these names, not .NET type names,
/// so classes can be renamed or moved freely. A name never changes: a changed event gets a new type and a
/// new <c>.v2</c> name (plus an upcaster), and the golden files in the tests keep the old one honest.
/// </summary>
internal static class EventNames
{
    /// <summary>Every event type of the ledger with its stable name <c>vpp.&lt;aggregate&gt;.&lt;event&gt;.v&lt;n&gt;</c>.</summary>
    public static IReadOnlyList<(Type Type, string Name)> All { get; } =
    [
        (typeof(Tokens.TokenUploaded), "vpp.token.uploaded.v1"),
        (typeof(Tokens.TokenRenewed), "vpp.token.renewed.v1"),
        (typeof(Tokens.TokenSettingsChanged), "vpp.token.settings_changed.v1"),
        (typeof(Tokens.TokenSyncSucceeded), "vpp.token.sync_succeeded.v1"),
        (typeof(Tokens.TokenSyncFailed), "vpp.token.sync_failed.v1"),
        (typeof(Tokens.TokenAssignedToExternalMdm), "vpp.token.assigned_to_external_mdm.v1"),
        (typeof(Tokens.TokenControlTaken), "vpp.token.control_taken.v1"),
        (typeof(Tokens.TokenMigratedFromLegacyVpp), "vpp.token.migrated_from_legacy_vpp.v1"),
        (typeof(Tokens.TokenDeleted), "vpp.token.deleted.v1"),
        (typeof(Directory.UserRecorded), "vpp.user.recorded.v1"),
        (typeof(Directory.UserAppleIdsChanged), "vpp.user.apple_ids_changed.v1"),
        (typeof(Directory.UserLeftOrganization), "vpp.user.left_organization.v1"),
        (typeof(Directory.DeviceRecorded), "vpp.device.recorded.v1"),
        (typeof(Directory.DeviceFactsChanged), "vpp.device.facts_changed.v1"),
        (typeof(Directory.DeviceRemovedFromManagement), "vpp.device.removed_from_management.v1"),
        (typeof(Directory.GroupCreated), "vpp.group.created.v1"),
        (typeof(Directory.GroupMembersAdded), "vpp.group.members_added.v1"),
        (typeof(Directory.GroupMembersRemoved), "vpp.group.members_removed.v1"),
        (typeof(Pools.AppleCountsApplied), "vpp.pool.apple_counts_applied.v1"),
        (typeof(Pools.AssignedCountDriftRecorded), "vpp.pool.assigned_count_drift_recorded.v1"),
        (typeof(Pools.LicenseGranted), "vpp.pool.license_granted.v1"),
        (typeof(Pools.HolderQueued), "vpp.pool.holder_queued.v1"),
        (typeof(Pools.HolderLeftQueue), "vpp.pool.holder_left_queue.v1"),
        (typeof(Pools.LicenseReclaimed), "vpp.pool.license_reclaimed.v1"),
        (typeof(Pools.PoolOrphaned), "vpp.pool.orphaned.v1"),
        (typeof(Pools.AppleAssociationConfirmed), "vpp.pool.apple_association_confirmed.v1"),
        (typeof(Pools.AppleAssociationFailed), "vpp.pool.apple_association_failed.v1"),
        (typeof(Pools.AppleDisassociationRequested), "vpp.pool.apple_disassociation_requested.v1"),
        (typeof(Pools.AppleDisassociationConfirmed), "vpp.pool.apple_disassociation_confirmed.v1"),
        (typeof(Pools.AppleDisassociationFailed), "vpp.pool.apple_disassociation_failed.v1"),
        (typeof(Assignments.AssignmentCreated), "vpp.assignment.created.v1"),
        (typeof(Assignments.AssignmentChanged), "vpp.assignment.changed.v1"),
        (typeof(Assignments.AssignmentRemoved), "vpp.assignment.removed.v1"),
        (typeof(Assignments.AssignmentEndedWithToken), "vpp.assignment.ended_with_token.v1"),
        (typeof(Tokens.TenantTokensChanged), "vpp.tenant.tokens_changed.v1"),
        (typeof(Alerts.AlertRaised), "vpp.alert.raised.v1"),
        (typeof(Alerts.AlertCleared), "vpp.alert.cleared.v1"),
        (typeof(Operations.OperationStarted), "vpp.operation.started.v1"),
        (typeof(Operations.OperationPageCommitted), "vpp.operation.page_committed.v1"),
        (typeof(Operations.OperationCompleted), "vpp.operation.completed.v1"),
        (typeof(Pools.AppleAssociationRequestedAgain), "vpp.pool.apple_association_requested_again.v1"),
        (typeof(Pools.AppleReleaseRequested), "vpp.pool.apple_release_requested.v1"),
        (typeof(Pools.AppleAssetFactsRecorded), "vpp.pool.apple_asset_facts_recorded.v1"),
        (typeof(AppleSide.AppleNotificationRecorded), "vpp.apple.notification_recorded.v1"),
        (typeof(AppleSide.AppleUserStatesRecorded), "vpp.apple.user_states_recorded.v1"),
        (typeof(AppleSide.AppleClientConfigRecorded), "vpp.apple.client_config_recorded.v1"),
        (typeof(AppleSide.AppleAssignmentsPageRecorded), "vpp.apple.assignments_page_recorded.v1"),
        (typeof(AppleSide.AppleAssignmentsSnapshotCompleted), "vpp.apple.assignments_snapshot_completed.v1"),
        (typeof(AppleSide.ReconciliationFindingRecorded), "vpp.apple.reconciliation_finding_recorded.v1"),
        (typeof(AppleSide.ReconciliationFindingCleared), "vpp.apple.reconciliation_finding_cleared.v1"),
    ];

    private static readonly Dictionary<Type, string> NameByType = All.ToDictionary(e => e.Type, e => e.Name);

    /// <summary>The stable name of an event type; throws for a type that was never mapped (a bug).</summary>
    public static string NameOf(Type eventType) =>
        NameByType.TryGetValue(eventType, out var name)
            ? name
            : throw new InvalidOperationException($"Event type {eventType.Name} has no stable name; add it to {nameof(EventNames)}.{nameof(All)}.");
}
