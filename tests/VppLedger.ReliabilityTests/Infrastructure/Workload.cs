using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.ReliabilityTests.Infrastructure;

/// <summary>
/// A tenant set up the way a host would, and a generator of mixed commands from actors with narrow permissions.
/// Every command shape the suites use is built here, so a change of a command's shape is made in one place.
/// </summary>
public sealed class Workload
{
    public static readonly Actor Tokens = new("token-admin", Permissions.ManagedApps);
    public static readonly Actor Apps = new("apps-admin", Permissions.MobileApps);
    public static readonly Actor Sync = new("directory-sync", Permissions.Directory);

    private long _ids;

    public Workload(ITenantLedger ledger, Instant now, string tag, int poolCount, int deviceCount, int licenses)
    {
        Ledger = ledger;
        Now = now;
        Tag = tag;
        Token = new TokenId("tok-1");
        Pools = [.. Enumerable.Range(1, poolCount).Select(i => new PoolId(Token, new AdamId($"{400_000 + i}")))];
        Devices = [.. Enumerable.Range(1, deviceCount).Select(i => new DeviceId($"dev-{i:D4}"))];
        Licenses = licenses;
    }

    public ITenantLedger Ledger { get; }

    public Instant Now { get; }

    /// <summary>A marker of this tenant's data (in names, Apple IDs and the token secret), searched for in other tenants' answers.</summary>
    public string Tag { get; }

    public TokenId Token { get; }

    public IReadOnlyList<PoolId> Pools { get; }

    public IReadOnlyList<DeviceId> Devices { get; }

    public int Licenses { get; }

    public GroupId Group { get; } = new("group-devices");

    public UserId User { get; } = new("user-0001");

    public string Secret => $"secret-of-{Tag}";

    public LocationKey Location => LocationKey.FromAppleLocationId($"location-{Tag}");

    // The tag is in every command id, so that it reaches the audit rows (correlation id) and exports of this tenant only.
    public CommandId NextId(string prefix = "c") => new($"{prefix}-{Tag}-{Interlocked.Increment(ref _ids)}-{Guid.NewGuid():N}");

    public UploadTokenFile Upload(string? secret = null, bool consent = true) => new(
        Token,
        VppTokenFile.Create($"Organization {Tag}", secret ?? Secret, Now + Duration.FromDays(365)),
        Location,
        new AppleId($"vpp-admin@{Tag}.example", AppleIdKind.Managed),
        new TokenSettings("Main", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
        ConsentToSendDataToApple: consent,
        TakeControlFromOtherMdm: false,
        NextId("upload"),
        Tokens);

    public ApplyAppleCounts Counts(PoolId pool, int purchased, int retired = 0) =>
        new(pool, ProductKind.App, purchased, retired, null, NextId("counts"), Tokens);

    public GrantLicenses Grant(PoolId pool, DeviceId device) => new(pool, [Holder.ForDevice(device)], NextId("grant"), Apps);

    internal ReclaimLicenses Reclaim(PoolId pool, DeviceId device) => new(pool, [Holder.ForDevice(device)], ReclaimReason.Revoked, NextId("reclaim"), Apps);

    public RecordUser NewUser(string id) => new(new UserId(id), null, new AppleId($"{id}@{Tag}.example", AppleIdKind.Managed), NextId("user"), Sync);

    public AddGroupMembers AddMember(DeviceId device) => new(Group, [GroupMember.ForDevice(device)], NextId("add"), Sync);

    public RemoveGroupMembers RemoveMember(DeviceId device) => new(Group, [GroupMember.ForDevice(device)], NextId("remove"), Sync);

    /// <summary>A token, its pools with Apple's counts, the devices and one user, a device group assigned to the first pool.</summary>
    public async Task SetUpAsync()
    {
        await MustAsync(Upload());
        foreach (var pool in Pools)
        {
            await MustAsync(Counts(pool, Licenses));
        }

        var profile = new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);
        await MustAsync(new RecordDirectory(
            [new DirectoryUser(User, new AppleId($"personal@{Tag}.example", AppleIdKind.Personal), new AppleId($"user@{Tag}.example", AppleIdKind.Managed))],
            [.. Devices.Select((d, i) => new DirectoryDevice(d, new SerialNumber($"SN{Tag.ToUpperInvariant()}{i:D4}"), profile, i == 0 ? User : null, i == 0 ? AppleIdKind.Managed : null))],
            NextId("directory"),
            Sync));
        await MustAsync(new CreateGroup(Group, GroupKind.Device, NextId("group"), Sync));
        await MustAsync(AddMember(Devices[0]));
        await MustAsync(new CreateAssignment(Pools[0], Group, AssignmentIntent.Required, LicenseType.Device, NextId("assign"), Apps));
    }

    /// <summary>One mixed command: grants and reclaims (the pool's seats), Apple's counts up and down, directory changes that fan out.</summary>
    public ILedgerCommand Mixed(Random random, string userPrefix)
    {
        var pool = Pools[random.Next(Pools.Count)];
        var device = Devices[random.Next(Devices.Count)];
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.40 => Grant(pool, device),
            < 0.62 => Reclaim(pool, device),
            < 0.72 => Counts(pool, Licenses - 4 + random.Next(9), random.Next(3)),
            < 0.80 => NewUser($"{userPrefix}-{Interlocked.Increment(ref _ids)}"),
            < 0.90 => AddMember(device),
            _ => RemoveMember(device),
        };
    }

    public async Task<CommandOutcome> MustAsync(ILedgerCommand command)
    {
        var outcome = await Ledger.ExecuteAsync(command);
        Assert.True(outcome.Succeeded, $"{command.GetType().Name} was rejected: {outcome.Rejection}");
        return outcome;
    }
}
