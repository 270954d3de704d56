using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Infrastructure;

/// <summary>Builds ledger situations in few words: a tenant, a token, a synced pool, users, devices, groups.</summary>
public sealed class Scenario(ITenantLedger ledger, Instant now)
{
    public static readonly Actor Admin = new("admin@example.org", Permissions.All);

    private int _commands;

    public ITenantLedger Ledger { get; } = ledger;

    public CommandId NextId() => new($"cmd-{Interlocked.Increment(ref _commands)}-{Guid.NewGuid():N}");

    public async Task<CommandOutcome> RunAsync(ILedgerCommand command)
    {
        var outcome = await Ledger.ExecuteAsync(command);
        Assert.True(outcome.Succeeded, $"{command.GetType().Name} was rejected: {outcome.Rejection}");
        return outcome;
    }

    public static string TokenFile(string organization, Instant expiresAt, string secret = "s3cr3t-token-value") =>
        VppTokenFile.Create(organization, secret, expiresAt);

    public UploadTokenFile Upload(TokenId token, string organization = "Contoso Ltd", string? location = null, Duration? validFor = null) => new(
        token,
        TokenFile(organization, now + (validFor ?? Duration.FromDays(365)), "secret-of-" + token.Value),
        location is null ? null : LocationKey.FromAppleLocationId(location),
        new AppleId("vpp-admin@contoso.example", AppleIdKind.Managed),
        new TokenSettings("Main", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
        ConsentToSendDataToApple: true,
        TakeControlFromOtherMdm: false,
        NextId(),
        Admin);

    public async Task<PoolId> SyncedPoolAsync(TokenId token, string adamId, int purchased, ProductKind product = ProductKind.App, bool upload = true)
    {
        if (upload)
        {
            await RunAsync(Upload(token, location: $"loc-{Ledger.Tenant.Value}-{token.Value}"));
        }

        var pool = new PoolId(token, new AdamId(adamId));
        await RunAsync(new ApplyAppleCounts(pool, product, purchased, 0, null, NextId(), Admin));
        return pool;
    }

    public Task<CommandOutcome> CountsAsync(PoolId pool, int purchased, int retired = 0, ProductKind product = ProductKind.App) =>
        RunAsync(new ApplyAppleCounts(pool, product, purchased, retired, null, NextId(), Admin));

    public async Task<IReadOnlyList<UserId>> UsersAsync(string prefix, int count, bool personal = false, bool managed = true)
    {
        var users = new List<UserId>(count);
        for (var i = 1; i <= count; i++)
        {
            var user = new UserId($"{prefix}{i:D4}");
            users.Add(user);
            await RunAsync(new RecordUser(
                user,
                personal ? new AppleId($"{user.Value}@me.example", AppleIdKind.Personal) : null,
                managed ? new AppleId($"{user.Value}@contoso.example", AppleIdKind.Managed) : null,
                NextId(),
                Admin));
        }

        return users;
    }

    /// <summary>Users {prefix}0001.. with a managed Apple ID each, recorded in one <see cref="RecordDirectory"/> command.</summary>
    public async Task<IReadOnlyList<UserId>> DirectoryUsersAsync(string prefix, int count)
    {
        var users = Enumerable.Range(1, count).Select(i => new UserId($"{prefix}{i:D4}")).ToList();
        await RunAsync(new RecordDirectory(
            [.. users.Select(u => new DirectoryUser(u, null, new AppleId($"{u.Value}@contoso.example", AppleIdKind.Managed)))], [], NextId(), Admin));
        return users;
    }

    public async Task<DeviceId> DeviceAsync(string id, DeviceProfile profile, UserId? user = null, AppleIdKind? signedIn = null)
    {
        var device = new DeviceId(id);
        await RunAsync(new RecordDevice(device, new SerialNumber("SN" + id.ToUpperInvariant().Replace("-", "", StringComparison.Ordinal)), profile, user, signedIn, NextId(), Admin));
        return device;
    }

    public async Task<GroupId> GroupAsync(string id, GroupKind kind, IEnumerable<GroupMember> members)
    {
        var group = new GroupId(id);
        await RunAsync(new CreateGroup(group, kind, NextId(), Admin));
        foreach (var chunk in members.Chunk(GroupDecider.MaxMembersPerCommand))
        {
            await RunAsync(new AddGroupMembers(group, chunk, NextId(), Admin));
        }

        return group;
    }

    public Task<CommandOutcome> AssignAsync(PoolId pool, GroupId group, AssignmentIntent intent, LicenseType type) =>
        RunAsync(new CreateAssignment(pool, group, intent, type, NextId(), Admin));

    public static DeviceProfile CorporateSupervised(Platform platform = Platform.iOS) =>
        new(platform, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);

    public static DeviceProfile Byod(Platform platform = Platform.iOS) =>
        new(platform, Ownership.Personal, EnrollmentKind.Device, Supervised: false, Kiosk: false, AppStoreBlocked: false);

    public static DeviceProfile UserEnrolled() =>
        new(Platform.iOS, Ownership.Personal, EnrollmentKind.UserEnrollment, Supervised: false, Kiosk: false, AppStoreBlocked: false);
}
