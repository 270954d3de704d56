using NodaTime;
using VppLedger.Directory;
using VppLedger.Tests.Specs;

namespace VppLedger.Tests.Directory;

/// <summary>Users, devices and groups as most directory specs need them.</summary>
internal static class DirectorySpec
{
    public static readonly Instant Now = Instant.FromUtc(2025, 6, 1, 12, 0);
    public static readonly Actor SyncJob = new("directory-sync", Permissions.Directory);
    public static readonly Actor TokenAdmin = new("token-admin", Permissions.ManagedApps | Permissions.MobileApps);
    public static readonly UserId Alice = new("user-alice");
    public static readonly AppleId AlicePersonal = new("alice@icloud.example", AppleIdKind.Personal);
    public static readonly AppleId AliceManaged = new("alice@contoso.example", AppleIdKind.Managed);
    public static readonly DeviceId IPad = new("device-ipad-1");
    public static readonly SerialNumber IPadSerial = new("DMPXK0ABCDEF");
    public static readonly DeviceProfile CorporateSupervisedIPad = new(Platform.iPadOS, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);
    public static readonly GroupId Sales = new("group-sales");

    public static CommandId Command(string id = "cmd-1") => new(id);

    public static EventSpec<UserState, IUserEvent> Users() => new(UserState.Initial, UserDecider.Evolve);

    public static EventSpec<DeviceState, IDeviceEvent> Devices() => new(DeviceState.Initial, DeviceDecider.Evolve);

    public static EventSpec<GroupState, IGroupEvent> Groups() => new(GroupState.Initial, GroupDecider.Evolve);

    public static GroupMember User(string id) => GroupMember.ForUser(new UserId(id));

    public static GroupMember Device(string id) => GroupMember.ForDevice(new DeviceId(id));

    public static IReadOnlySet<GroupMember> Set(params GroupMember[] members) => members.ToHashSet();
}
