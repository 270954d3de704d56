using VppLedger.Directory;

namespace VppLedger.Tests.Directory;

public sealed class directory_commands_need_the_directory_permission
{
    [Theory]
    [InlineData(typeof(RecordUser))]
    [InlineData(typeof(RecordUserLeftOrganization))]
    [InlineData(typeof(RecordDevice))]
    [InlineData(typeof(RecordDeviceRemovedFromManagement))]
    [InlineData(typeof(RecordDirectory))]
    [InlineData(typeof(CreateGroup))]
    [InlineData(typeof(AddGroupMembers))]
    [InlineData(typeof(RemoveGroupMembers))]
    [Trait("Rule", "X1")]
    public void every_directory_command_declares_the_directory_permission_and_nothing_more(Type command)
    {
        // A host's sync job holds only this permission; the licenses a membership change or a departure moves
        // follow under it (the runner checks it once, no decider checks again).
        Assert.Equal(Permissions.Directory, RequiresPermissionAttribute.For(command));
    }
}
