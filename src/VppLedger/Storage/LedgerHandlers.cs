using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>
/// Every command of the ledger: load what it touches, call the pure deciders, append. Storage never decides a
/// rule; it only gathers the inputs the deciders ask for and fans one decision out to the streams it reaches.
/// </summary>
internal sealed partial class LedgerHandlers(WriteContext context, CancellationToken cancellationToken)
{
    private readonly IDocumentSession _session = context.Session;

    /// <summary>The one permission the command declares on its type (rule X1); its consequences run under it.</summary>
    public static Permissions PermissionFor(ILedgerCommand command) => RequiresPermissionAttribute.For(command.GetType());

    public Task<Handled> HandleAsync(ILedgerCommand command) => command switch
    {
        UploadTokenFile c => UploadAsync(c),
        RenewTokenFile c => RenewAsync(c),
        DeleteToken c => DeleteTokenAsync(c),
        MigrateLegacyTokenFile c => MigrateAsync(c),
        ChangeTokenSettings c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        RecordTokenSyncSucceeded c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        RecordTokenSyncFailed c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        MarkTokenAssignedToExternalMdm c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        TakeTokenControl c => TakeControlAsync(c),
        UploadToken or RenewToken or MigrateLegacyToken => Task.FromResult<Handled>(TokenRejections.UseTokenFileCommand()),
        RecordUser c => UserAsync(c),
        RecordDirectory c => DirectoryAsync(c),
        RecordUserLeftOrganization c => UserLeftAsync(c),
        RecordDevice c => RecordDeviceAsync(c),
        RecordDeviceRemovedFromManagement c => DeviceAsync(c.Device, s => DeviceDecider.Decide(c, s, context.Now)), // rule R5: nothing is reclaimed
        CreateGroup c => GroupAsync(c.Group, s => Task.FromResult(GroupDecider.Decide(c, s, context.Now))),
        AddGroupMembers c => AddMembersAsync(c),
        RemoveGroupMembers c => RemoveMembersAsync(c),
        CreateAssignment c => AssignmentAsync(c),
        ChangeAssignment c => AssignmentAsync(c),
        RemoveAssignment c => AssignmentAsync(c),
        RevokeLicenses c => RevokeAsync(c),
        ApplyAppleCounts c => CountsAsync(c),
        GrantLicenses c => DirectGrantAsync(c),
        MigrateToDeviceLicenses c => GatedPoolAsync(c),
        RequestAppleAssociationAgain c => GatedPoolAsync(c), // rules T2, T3: only a token that may grant asks Apple
        ReleaseAtApple c => GatedPoolAsync(c),
        IPoolCommand c => PoolAsync(c),
        Alerts.EvaluateAlerts c => AlertsAsync(c),
        RecordAppleCallAnswer c => AppleCallAnswerAsync(c),
        RecordAppleEventStatus c => AppleEventStatusAsync(c),
        AppleSide.RecordAppleNotification c => AppleNotificationAsync(c),
        AppleSide.RecordAppleUserStates c => AppleUserStatesAsync(c),
        AppleSide.RecordAppleClientConfig c => AppleClientConfigAsync(c),
        AppleSide.ApplyAppleAssetsSnapshot c => AppleAssetsAsync(c),
        AppleSide.RecordAppleAssignmentsPage c => AppleAssignmentsPageAsync(c),
        _ => throw new ArgumentException($"VppLedger has no handler for {command.GetType().Name}.", nameof(command)),
    };
}
