using VppLedger.Directory;
using static VppLedger.Tests.Directory.DirectorySpec;

namespace VppLedger.Tests.Directory;

public sealed class directory_commands_need_the_directory_permission
{
    [Fact]
    [Trait("Rule", "X1")]
    public void every_directory_command_from_an_actor_without_the_directory_permission_is_refused_and_writes_nothing()
    {
        var user = Users().Given(new UserRecorded(Now, Alice, null, null)).State;
        var device = Devices().Given(new DeviceRecorded(Now, IPad, IPadSerial, CorporateSupervisedIPad, null, null)).State;
        var group = Groups().Given(new GroupCreated(Now, Sales, GroupKind.User)).State;

        Rejection?[] rejections =
        [
            UserDecider.Decide(new RecordUser(Alice, AlicePersonal, null, Command(), TokenAdmin), user, Now).Rejection,
            UserDecider.Decide(new RecordUserLeftOrganization(Alice, Command(), TokenAdmin), user, Now).Rejection,
            DeviceDecider.Decide(new RecordDevice(IPad, IPadSerial, CorporateSupervisedIPad, null, null, Command(), TokenAdmin), device, Now).Rejection,
            DeviceDecider.Decide(new RecordDeviceRemovedFromManagement(IPad, Command(), TokenAdmin), device, Now).Rejection,
            GroupDecider.Decide(new CreateGroup(Sales, GroupKind.User, Command(), TokenAdmin), GroupState.Initial, Now).Rejection,
            GroupDecider.Decide(new AddGroupMembers(Sales, [User("u1")], Command(), TokenAdmin), group, Set(), Now).Rejection,
            GroupDecider.Decide(new RemoveGroupMembers(Sales, [User("u1")], Command(), TokenAdmin), group, Set(User("u1")), Now).Rejection,
        ];

        Assert.All(rejections, r =>
        {
            Assert.NotNull(r);
            Assert.Equal("PermissionDenied", r.Code);
            Assert.Equal("X1", r.Rule);
        });
    }

    [Fact]
    [Trait("Rule", "X1")]
    public void a_rejected_directory_command_decides_no_events()
    {
        Users().When(s => UserDecider.Decide(new RecordUser(Alice, AlicePersonal, null, Command(), TokenAdmin), s, Now))
            .ThenRejected("PermissionDenied", "X1");
    }
}
