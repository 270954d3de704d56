namespace VppLedger;

/// <summary>
/// Every <see cref="Rejection.Code"/> the ledger gives, as constants to switch on. Codes are stable: never renamed
/// or reused; docs/errors.md explains each one and what to do.
/// </summary>
public static class RejectionCodes
{
    /// <summary>Apple's answer named one holder as both completed and failed (docs/apple.md).</summary>
    public const string AppleAnswerContradictsItself = nameof(AppleAnswerContradictsItself);

    /// <summary>A delta of Apple's assignments names a base versionId that is not the last completed walk's (docs/apple.md).</summary>
    public const string AppleAssignmentsDeltaBaseUnknown = nameof(AppleAssignmentsDeltaBaseUnknown);

    /// <summary>A page of Apple's assignments is malformed (docs/apple.md).</summary>
    public const string AppleAssignmentsPageInvalid = nameof(AppleAssignmentsPageInvalid);

    /// <summary>A page of Apple's assignments does not follow the walk in progress (docs/apple.md).</summary>
    public const string AppleAssignmentsPageOutOfOrder = nameof(AppleAssignmentsPageOutOfOrder);

    /// <summary>Apple's versionId changed during a walk of its assignments: start again (docs/apple.md).</summary>
    public const string AppleAssignmentsVersionChanged = nameof(AppleAssignmentsVersionChanged);

    /// <summary>Apple's answer to a call was neither an event id nor an error, or both (docs/apple.md).</summary>
    public const string AppleCallAnswerNotOneOf = nameof(AppleCallAnswerNotOneOf);

    /// <summary>A client config was recorded without the host's own mdmInfo id, or with over-long fields (rule T3).</summary>
    public const string AppleClientConfigInvalid = nameof(AppleClientConfigInvalid);

    /// <summary>A notification's body does not match its type (docs/apple.md).</summary>
    public const string AppleNotificationIncomplete = nameof(AppleNotificationIncomplete);

    /// <summary>An Apple ID was given in the slot of the other kind (rule L4).</summary>
    public const string AppleIdKindMismatch = nameof(AppleIdKindMismatch);

    /// <summary>The group already has a different assignment of this app (rule A1).</summary>
    public const string AssignmentAlreadyExists = nameof(AssignmentAlreadyExists);

    /// <summary>There is no active assignment to change (rule A1).</summary>
    public const string AssignmentNotFound = nameof(AssignmentNotFound);

    /// <summary>Available intent was asked for a device group (rule A2).</summary>
    public const string AvailableIntentNotForDeviceGroups = nameof(AvailableIntentNotForDeviceGroups);

    /// <summary>Apple's assets snapshot says the asset is not device-assignable: it takes user licenses only (rule L6; Apple's error 9707).</summary>
    public const string AssetNotDeviceAssignable = nameof(AssetNotDeviceAssignable);

    /// <summary>Apple's assets snapshot says the asset is not revocable: its seats cannot be revoked (rule R3).</summary>
    public const string AssetNotRevocable = nameof(AssetNotRevocable);

    /// <summary>A book takes user licenses only (rule L6).</summary>
    public const string BooksTakeUserLicensesOnly = nameof(BooksTakeUserLicensesOnly);

    /// <summary>Other writers kept changing what the command read, more times than the retries allow (rule I3).</summary>
    public const string ConcurrencyConflict = nameof(ConcurrencyConflict);

    /// <summary>The administrator did not consent to send user and device data to Apple (rule T5).</summary>
    public const string ConsentRequired = nameof(ConsentRequired);

    /// <summary>A device license was asked for a member that is no device (rule L2).</summary>
    public const string DeviceLicenseNeedsDevice = nameof(DeviceLicenseNeedsDevice);

    /// <summary>A User Enrollment device cannot take a device license (rule L5).</summary>
    public const string DeviceLicensingNotOnUserEnrollment = nameof(DeviceLicensingNotOnUserEnrollment);

    /// <summary>No device was recorded under this id (rule R5).</summary>
    public const string DeviceNotFound = nameof(DeviceNotFound);

    /// <summary>A license was asked for a device removed from management (rule R5: it keeps what it holds, but takes nothing new).</summary>
    public const string DeviceNotManaged = nameof(DeviceNotManaged);

    /// <summary>Licenses move from user to device only, never back (rule L8).</summary>
    public const string DeviceToUserMigrationNotSupported = nameof(DeviceToUserMigrationNotSupported);

    /// <summary>The location is active in another tenant (rule T4).</summary>
    public const string DuplicateLocationInAnotherTenant = nameof(DuplicateLocationInAnotherTenant);

    /// <summary>A group was created again with the other kind (rule A1).</summary>
    public const string GroupKindCannotChange = nameof(GroupKindCannotChange);

    /// <summary>No group was created under this id (rule A1).</summary>
    public const string GroupNotFound = nameof(GroupNotFound);

    /// <summary>A license was asked for a user who left the organization (rule R4).</summary>
    public const string HolderLeftOrganization = nameof(HolderLeftOrganization);

    /// <summary>A license was asked for a holder the directory never recorded (rule A1).</summary>
    public const string HolderNotRecorded = nameof(HolderNotRecorded);

    /// <summary>A command id already used for a different command (rule I4).</summary>
    public const string IdempotencyKeyReused = nameof(IdempotencyKeyReused);

    /// <summary>An imported line carried Apple's answer about a seat; Apple's answers are recorded live (docs/apple.md).</summary>
    public const string ImportAppleAnswerNotSupported = nameof(ImportAppleAnswerNotSupported);

    /// <summary>A drift record whose ledger count is not the pool's used count, or whose Apple count is negative (rule S2).</summary>
    public const string ImportDriftNotConsistent = nameof(ImportDriftNotConsistent);

    /// <summary>A token's duplicate mark names no live token of the same location, or is missing while one exists (rule T4).</summary>
    public const string ImportDuplicateMarkNotConsistent = nameof(ImportDuplicateMarkNotConsistent);

    /// <summary>A grant while every license of the pool was in use (rule S4).</summary>
    public const string ImportGrantOverTotal = nameof(ImportGrantOverTotal);

    /// <summary>A holder granted or queued while it already holds a license of the pool or waits in its queue (rule A6).</summary>
    public const string ImportHolderAlreadySeated = nameof(ImportHolderAlreadySeated);

    /// <summary>A seat for a user who left the organization (rule R4).</summary>
    public const string ImportHolderLeftOrganization = nameof(ImportHolderLeftOrganization);

    /// <summary>A promotion from the queue, or a departure from it, of a holder that does not wait in it (rule A6).</summary>
    public const string ImportHolderNotQueued = nameof(ImportHolderNotQueued);

    /// <summary>A seat for a holder the directory never recorded: an unknown user or device, or a user without an Apple ID of that kind (rule A1).</summary>
    public const string ImportHolderNotRecorded = nameof(ImportHolderNotRecorded);

    /// <summary>A pool orphaned while its token was not deleted (rule T10: only a token's deletion orphans its pools).</summary>
    public const string ImportOrphanedWithoutDeletion = nameof(ImportOrphanedWithoutDeletion);

    /// <summary>A promotion from the queue of a holder who is not first in line (rule A6: first in, first out).</summary>
    public const string ImportPromotionOutOfOrder = nameof(ImportPromotionOutOfOrder);

    /// <summary>A queue position other than the next one of the pool (rule A6: positions increase one by one, first in first out).</summary>
    public const string ImportQueuePositionNotNext = nameof(ImportQueuePositionNotNext);

    /// <summary>A holder queued while a license of the pool was free (rule A6: the queue holds only those who found none).</summary>
    public const string ImportQueuedWhileLicenseFree = nameof(ImportQueuedWhileLicenseFree);

    /// <summary>A reclaim of a license the holder does not hold (rule S1: used counts the seats held).</summary>
    public const string ImportSeatNotHeld = nameof(ImportSeatNotHeld);

    /// <summary>A token event of a token this tenant never uploaded, or an upload of a token that exists (rules T8, T10).</summary>
    public const string ImportTokenEventBeforeUpload = nameof(ImportTokenEventBeforeUpload);

    /// <summary>A pool or assignment event names a token this tenant never uploaded, here or earlier in the file (rule X2).</summary>
    public const string ImportTokenNotInTenant = nameof(ImportTokenNotInTenant);

    /// <summary>Apple's assets snapshot has impossible counts or names an asset twice (rule S2).</summary>
    public const string InvalidAppleAssets = nameof(InvalidAppleAssets);

    /// <summary>Apple's counts cannot be right: negative, or more retired than purchased (rule S2).</summary>
    public const string InvalidAppleCounts = nameof(InvalidAppleCounts);

    /// <summary>The country or region is not two ISO 3166 letters (rule T7).</summary>
    public const string InvalidCountryCode = nameof(InvalidCountryCode);

    /// <summary>The rejection of a bad value: which field, what is wrong, and that nothing was written. (rule I3)</summary>
    public const string InvalidInput = nameof(InvalidInput);

    /// <summary>A sync result carries a negative count (rule T6).</summary>
    public const string InvalidSyncCounts = nameof(InvalidSyncCounts);

    /// <summary>The token name is empty or too long (rule T5).</summary>
    public const string InvalidTokenName = nameof(InvalidTokenName);

    /// <summary>The token was deleted: its licenses are orphaned and cannot be revoked any more (rule R7, T10).</summary>
    public const string LicensesOrphanedTokenDeleted = nameof(LicensesOrphanedTokenDeleted);

    /// <summary>A legacy token would migrate to a location that another live token of the tenant already holds (rules T9, T4): the location's licenses would be counted twice.</summary>
    public const string LocationAlreadyHeldInTenant = nameof(LocationAlreadyHeldInTenant);

    /// <summary>The Apple ID given for the account is not a managed Apple ID (rule T5).</summary>
    public const string ManagedAppleIdRequired = nameof(ManagedAppleIdRequired);

    /// <summary>A member of the wrong kind for the group (rule A1).</summary>
    public const string MemberKindMismatch = nameof(MemberKindMismatch);

    /// <summary>A group member was never recorded in the directory, so it got no license (rule A1). A warning: the others are served.</summary>
    public const string MemberNotRecorded = nameof(MemberNotRecorded);

    /// <summary>A migration to device licenses names no device, or names a user holder as a target (rule L8).</summary>
    public const string MigrationNeedsDeviceHolders = nameof(MigrationNeedsDeviceHolders);

    /// <summary>Only a legacy VPP token can be migrated (rule T9).</summary>
    public const string NotALegacyToken = nameof(NotALegacyToken);

    /// <summary>The actor lacks a permission the command needs (rule X1). One code, one message, wherever it is checked.</summary>
    public const string PermissionDenied = nameof(PermissionDenied);

    /// <summary>The pool has never received Apple's counts, so its product kind and total are unknown (rule S2).</summary>
    public const string PoolNotSynced = nameof(PoolNotSynced);

    /// <summary>The token was deleted: the pool grants and syncs no more (rule T10).</summary>
    public const string PoolOrphanedTokenDeleted = nameof(PoolOrphanedTokenDeleted);

    /// <summary>A renewal file belongs to another location (rule T8).</summary>
    public const string RenewalForAnotherLocation = nameof(RenewalForAnotherLocation);

    /// <summary>A renewal file expires before the current one (rule T8).</summary>
    public const string RenewalOlderThanCurrent = nameof(RenewalOlderThanCurrent);

    /// <summary>Apple was asked to take back a seat the ledger grants: revoke it instead (docs/apple.md).</summary>
    public const string SeatHeldByTheLedger = nameof(SeatHeldByTheLedger);

    /// <summary>A failed sync carries no reason (rule T6).</summary>
    public const string SyncFailureReasonMissing = nameof(SyncFailureReasonMissing);

    /// <summary>A different token file was already uploaded under this token id (rule T8: renew instead).</summary>
    public const string TokenAlreadyUploaded = nameof(TokenAlreadyUploaded);

    /// <summary>Apple reports the token bound to another MDM (rule T3).</summary>
    public const string TokenAssignedToExternalMdm = nameof(TokenAssignedToExternalMdm);

    /// <summary>The token was deleted (rules T10, R7).</summary>
    public const string TokenDeleted = nameof(TokenDeleted);

    /// <summary>The token has expired: no sync, no grant (rule T2).</summary>
    public const string TokenExpired = nameof(TokenExpired);

    /// <summary>The expiry date of the file cannot be read (rule T2: the expiry comes from the file).</summary>
    public const string TokenFileBadDate = nameof(TokenFileBadDate);

    /// <summary>The file holds nothing but white space (rule T5).</summary>
    public const string TokenFileEmpty = nameof(TokenFileEmpty);

    /// <summary>The token file has expired already (rule T2).</summary>
    public const string TokenFileExpired = nameof(TokenFileExpired);

    /// <summary>A field of the file is empty (rule T5).</summary>
    public const string TokenFileFieldEmpty = nameof(TokenFileFieldEmpty);

    /// <summary>A field of the file holds text no token file holds: too long, a NUL character or a lone UTF-16 surrogate (rule T5).</summary>
    public const string TokenFileFieldInvalid = nameof(TokenFileFieldInvalid);

    /// <summary>A field of the file is absent (rule T5).</summary>
    public const string TokenFileFieldMissing = nameof(TokenFileFieldMissing);

    /// <summary>A field of the file is not a text value (rule T5).</summary>
    public const string TokenFileFieldNotText = nameof(TokenFileFieldNotText);

    /// <summary>The decoded file is not a JSON object (rule T5).</summary>
    public const string TokenFileNotJson = nameof(TokenFileNotJson);

    /// <summary>The file is larger than <c>MaxFileBytes</c> (rule T5).</summary>
    public const string TokenFileTooLarge = nameof(TokenFileTooLarge);

    /// <summary>No token was uploaded under this id. (rule T5)</summary>
    public const string TokenNotFound = nameof(TokenNotFound);

    /// <summary>Too many users and devices in one <c>RecordDirectory</c> command (rule I3: one transaction each).</summary>
    public const string TooManyDirectoryEntriesInOneCommand = nameof(TooManyDirectoryEntriesInOneCommand);

    /// <summary>Too many members in one command (rule A6: order is kept across batches).</summary>
    public const string TooManyMembersInOneCommand = nameof(TooManyMembersInOneCommand);

    /// <summary>The tenant holds the most tokens allowed (rule T1).</summary>
    public const string TooManyTokens = nameof(TooManyTokens);

    /// <summary>A token's facts were sent without its file, so the ledger could not keep the secret apart (rule T12).</summary>
    public const string UseTokenFileCommand = nameof(UseTokenFileCommand);

    /// <summary>A user license on a User Enrollment device needs a managed Apple ID (rule L5).</summary>
    public const string UserEnrollmentNeedsManagedAppleId = nameof(UserEnrollmentNeedsManagedAppleId);

    /// <summary>A user license was asked for a member that is no user, or a user with no Apple ID (rules L3, L4).</summary>
    public const string UserLicenseNeedsAppleId = nameof(UserLicenseNeedsAppleId);

    /// <summary>A migration names a holder that holds no user license in this pool (rule L8).</summary>
    public const string UserLicenseNotHeld = nameof(UserLicenseNotHeld);

    /// <summary>User licensing goes through the App Store, which a policy blocks (rule L7).</summary>
    public const string UserLicensingNeedsAppStore = nameof(UserLicensingNeedsAppStore);

    /// <summary>The tenant is being moved to another database: nothing was written; retry the command with the same command id (docs/scale-out.md).</summary>
    public const string TenantMoving = nameof(TenantMoving);

    /// <summary>User licensing was asked for a device group (rules L5, L7): a user license goes to a user's Apple ID through the App Store, and a device group names devices, not users, so such an assignment would grant nobody.</summary>
    public const string UserLicensingNotForDeviceGroups = nameof(UserLicensingNotForDeviceGroups);

    /// <summary>No user was recorded under this id (rule R4).</summary>
    public const string UserNotFound = nameof(UserNotFound);

    /// <summary>An iOS-family VPP app cannot be removed from the MDM (rule S3).</summary>
    public const string VppAppCannotBeRemovedFromMdm = nameof(VppAppCannotBeRemovedFromMdm);
}
