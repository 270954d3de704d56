using NodaTime;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Model;

/// <summary>
/// The one place where the model test builds the ledger's public commands from its <see cref="Op"/>s: when the
/// command API changes (CreateAssignment and ChangeAssignment losing Product and Target, permissions moving to the
/// runner), this file is the edit.
/// </summary>
public sealed class ModelCommands(string tenant)
{
    public static readonly Actor TokenAdmin = new("token-admin", Permissions.ManagedApps);

    public static readonly Actor AppAdmin = new("app-admin", Permissions.MobileApps);

    public static readonly Actor DirectorySync = new("sync", Permissions.Directory);

    /// <summary>Used instead of <see cref="DirectorySync"/> while <see cref="KnownBugs.Item1_DirectorySyncRefused"/> is set.</summary>
    public static readonly Actor DirectorySyncWithMobileApps = new("sync+apps", Permissions.Directory | Permissions.MobileApps);

    private readonly Dictionary<int, int> _secrets = [];
    private int _commands;

    public static TokenId Token(int t) => new($"t{t}");

    public static AdamId App(int a) => new(a == ModelUniverse.BookApp ? $"90000{a}" : $"10000{a}");

    public static ProductKind ProductOf(int a) => a == ModelUniverse.BookApp ? ProductKind.Book : ProductKind.App;

    public static PoolId Pool(int t, int a) => new(Token(t), App(a));

    public static UserId User(int u) => new($"u{u}");

    public static DeviceId Device(int d) => new($"d{d}");

    public static GroupId Group(int g) => new($"g{g}");

    public static GroupKind KindOf(int g) => g < 2 ? GroupKind.User : GroupKind.Device;

    public static GroupMember Member(int g, int m) => KindOf(g) == GroupKind.User ? GroupMember.ForUser(User(m)) : GroupMember.ForDevice(Device(m));

    public static Holder HolderOf((int Owner, AppleIdKind? Kind) h) =>
        h.Kind is { } kind ? Holder.ForUser(User(h.Owner), kind) : Holder.ForDevice(Device(h.Owner));

    /// <summary>The one permission a command needs (rule X1, one permission per command type).</summary>
    public static Permissions Needs(Op op) => op switch
    {
        Op.UploadToken or Op.RenewToken or Op.DeleteToken or Op.ChangeTokenSettings or Op.RecordTokenSync or Op.AppleCounts
            or Op.MarkExternal or Op.TakeControl or Op.AppleAnswer => Permissions.ManagedApps,
        Op.RecordUser or Op.RecordDirectory or Op.UserLeft or Op.RecordDevice or Op.RetireDevice or Op.CreateGroup or Op.AddMembers or Op.RemoveMembers => Permissions.Directory,
        _ => Permissions.MobileApps,
    };

    public static Actor ActorFor(Op op, ModelScope scope)
    {
        var needs = Needs(op);
        if (!op.RightActor)
        {
            return needs == Permissions.Directory ? AppAdmin : DirectorySync;
        }

        return needs switch
        {
            Permissions.ManagedApps => TokenAdmin,
            Permissions.Directory => scope.Excludes(KnownBugs.Item1_DirectorySyncRefused) ? DirectorySyncWithMobileApps : DirectorySync,
            _ => AppAdmin,
        };
    }

    public CommandId NextId() => new($"{tenant}-c{Interlocked.Increment(ref _commands)}");

    public static string Location(string tenant, int t) => $"loc-{tenant}-t{t}";

    /// <summary>The ledger command for <paramref name="op"/> at <paramref name="now"/>; null for an op that is not a command.</summary>
    public ILedgerCommand? Build(Op op, Instant now, ModelScope scope)
    {
        var actor = ActorFor(op, scope);
        var id = NextId();
        return op switch
        {
            Op.UploadToken o => new UploadTokenFile(
                Token(o.Token),
                VppTokenFile.Create($"Org {tenant}", NextSecret(o.Token), now + Duration.FromDays(o.ValidDays)),
                LocationKey.FromAppleLocationId(Location(tenant, o.Token)),
                new AppleId("vpp-admin@contoso.example", AppleIdKind.Managed),
                new TokenSettings($"Token {o.Token}", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
                ConsentToSendDataToApple: true,
                TakeControlFromOtherMdm: false,
                id,
                actor),
            Op.RenewToken o => new RenewTokenFile(
                Token(o.Token),
                VppTokenFile.Create($"Org {tenant}", NextSecret(o.Token), now + Duration.FromDays(o.ValidDays)),
                LocationKey.FromAppleLocationId(Location(tenant, o.Token)),
                id,
                actor),
            Op.DeleteToken o => new DeleteToken(Token(o.Token), id, actor),
            Op.ChangeTokenSettings o => new ChangeTokenSettings(Token(o.Token), new TokenSettings($"Token {o.Token}", "US", TokenAccountType.Business, o.AutomaticUpdates), id, actor),
            Op.RecordTokenSync { Succeeded: true } o => new RecordTokenSyncSucceeded(Token(o.Token), SyncTrigger.OnDemand, 3, 10, [], id, actor),
            Op.RecordTokenSync o => new RecordTokenSyncFailed(Token(o.Token), SyncTrigger.Scheduled, "Apple answered 503", id, actor),
            Op.AppleCounts o => new ApplyAppleCounts(Pool(o.Token, o.App), ProductOf(o.App), o.Purchased, o.Retired, o.AppleAssigned, id, actor),
            Op.RecordUser o => new RecordUser(
                User(o.User),
                PersonalAppleId(o),
                ManagedAppleId(o),
                id,
                actor),
            Op.RecordDirectory o => new RecordDirectory(
                [.. o.Users.Select(u => new DirectoryUser(User(u.User), PersonalAppleId(u), ManagedAppleId(u)))],
                [.. o.Devices.Select(d => new DirectoryDevice(Device(d.Device), Serial(d), Profile(d), d.Owner is { } owner ? User(owner) : null, d.Owner is null ? null : AppleIdKind.Managed))],
                id,
                actor),
            Op.MarkExternal o => new MarkTokenAssignedToExternalMdm(Token(o.Token), "Other MDM", id, actor),
            Op.TakeControl o => new TakeTokenControl(Token(o.Token), id, actor),
            Op.RemoveApp o => new RemoveAppFromMdm(Pool(o.Token, o.App), o.Mac ? Platform.macOS : Platform.iOS, id, actor),
            Op.UserLeft o => new RecordUserLeftOrganization(User(o.User), id, actor),
            Op.RecordDevice o => new RecordDevice(
                Device(o.Device),
                Serial(o),
                Profile(o),
                o.Owner is { } owner ? User(owner) : null,
                o.Owner is null ? null : AppleIdKind.Managed,
                id,
                actor),
            Op.RetireDevice o => new RecordDeviceRemovedFromManagement(Device(o.Device), id, actor),
            Op.CreateGroup o => new CreateGroup(Group(o.Group), KindOf(o.Group), id, actor),
            Op.AddMembers o => new AddGroupMembers(Group(o.Group), [.. o.Members.Select(m => Member(o.Group, m))], id, actor),
            Op.RemoveMembers o => new RemoveGroupMembers(Group(o.Group), [.. o.Members.Select(m => Member(o.Group, m))], id, actor),
            Op.CreateAssignment o => new CreateAssignment(Pool(o.Token, o.App), Group(o.Group), o.Intent, o.LicenseType, id, actor),
            Op.ChangeAssignment o => new ChangeAssignment(Pool(o.Token, o.App), Group(o.Group), o.Intent, o.LicenseType, id, actor),
            Op.RemoveAssignment o => new RemoveAssignment(Pool(o.Token, o.App), Group(o.Group), id, actor),
            Op.Grant o => new GrantLicenses(Pool(o.Token, o.App), [.. o.Holders.Select(HolderOf)], id, actor),
            Op.RevokeApp o => RevokeLicenses.ForApp(Pool(o.Token, o.App), id, actor),
            Op.AppleAnswer o => new RecordAppleEventResult(
                Pool(o.Token, o.App),
                "evt-" + id.Value,
                AppleEventType.Associate,
                [.. o.Confirmed.Select(HolderOf)],
                [.. o.Failed.Select(HolderOf).DistinctBy(h => h.Key).Select(h => new AppleHolderFailure(h, 9709, "Not enough licenses."))],
                id,
                actor),
            Op.RevokeUser o => RevokeLicenses.ForUser(User(o.User), id, actor),
            Op.RevokeDevice o => RevokeLicenses.ForDevice(Device(o.Device), id, actor),
            Op.RevokeToken o => RevokeLicenses.ForToken(Token(o.Token), id, actor),
            _ => null,
        };
    }

    private static AppleId? PersonalAppleId(Op.RecordUser o) => o.Personal ? new AppleId($"u{o.User}@me.example", AppleIdKind.Personal) : null;

    private static AppleId? ManagedAppleId(Op.RecordUser o) => o.Managed ? new AppleId($"u{o.User}@contoso.example", AppleIdKind.Managed) : null;

    private static SerialNumber Serial(Op.RecordDevice o) => new($"SN{o.Device:D4}");

    private static DeviceProfile Profile(Op.RecordDevice o) => new(
        o.Mac ? Platform.macOS : Platform.iOS,
        o.UserEnrollment ? Ownership.Personal : Ownership.Corporate,
        o.UserEnrollment ? EnrollmentKind.UserEnrollment : EnrollmentKind.Device,
        Supervised: !o.UserEnrollment,
        Kiosk: false,
        o.AppStoreBlocked);

    private string NextSecret(int t)
    {
        lock (_secrets)
        {
            _secrets[t] = _secrets.GetValueOrDefault(t) + 1;
            return $"secret-{tenant}-t{t}-{_secrets[t]}";
        }
    }
}
