using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Tests.Tokens;

public sealed class token_commands_need_the_managed_apps_permission
{
    [Theory]
    [InlineData(typeof(UploadTokenFile))]
    [InlineData(typeof(RenewTokenFile))]
    [InlineData(typeof(ChangeTokenSettings))]
    [InlineData(typeof(RecordTokenSyncSucceeded))]
    [InlineData(typeof(RecordTokenSyncFailed))]
    [InlineData(typeof(MarkTokenAssignedToExternalMdm))]
    [InlineData(typeof(TakeTokenControl))]
    [InlineData(typeof(MigrateLegacyToken))]
    [InlineData(typeof(DeleteToken))]
    [InlineData(typeof(ApplyAppleCounts))]
    [Trait("Rule", "X1")]
    public void every_token_command_declares_the_managed_apps_permission(Type command)
    {
        Assert.Equal(Permissions.ManagedApps, RequiresPermissionAttribute.For(command));
    }
}
