using NodaTime;
using NodaTime.Testing;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Cli.Tests.Infrastructure;

/// <summary>
/// A schema of its own, created by <c>vppledger db apply</c>, with one tenant written through the package's public
/// API: two tokens and three pools on <see cref="Uploaded"/>; a day later a pool of 3 licenses assigned to 5 users
/// (2 queued) and the second token deleted. Shared by the test classes of <see cref="SeededCollection"/>, which run
/// one after the other.
/// </summary>
public sealed class SeededTenant : IAsyncLifetime
{
    /// <summary>When the tokens were uploaded and the counts applied.</summary>
    public static readonly Instant Uploaded = Tool.Now - Duration.FromDays(2);

    /// <summary>When the app was assigned and the second token deleted.</summary>
    public static readonly Instant Assigned = Tool.Now - Duration.FromDays(1);

    public const string Schema = "cli_report";
    public const string Tenant = "contoso";
    private static readonly Actor Admin = new("admin@contoso.example", Permissions.All);
    private int _ids;

    public string Connection { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["VPPLEDGER_CONNECTION"] = Connection };

    public async Task InitializeAsync()
    {
        Connection = await TestServer.ConnectionStringAsync();
        await using (var connection = new Npgsql.NpgsqlConnection(Connection))
        {
            // A server of one's own (VPPLEDGER_CONNECTION) may keep the schema of an earlier run.
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {Schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }

        var apply = await Tool.RunAsync(Environment, "db", "apply", "--schema", Schema);
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var clock = new FakeClock(Uploaded);
        await using var ledger = LicenseLedger.Create(Connection, o => { o.SchemaName = Schema; o.Schema = SchemaCreation.None; }, clock);
        var tenant = ledger.ForTenant(new TenantId(Tenant));
        var main = new TokenId("tok-main");
        var old = new TokenId("tok-old");
        await RunAsync(tenant, Upload(main, "Contoso Ltd", "secret-main", Duration.FromDays(300)));
        await RunAsync(tenant, Upload(old, "Contoso Retail", "secret-old", Duration.FromDays(20)));
        var pages = new PoolId(main, new AdamId("361309726"));
        await RunAsync(tenant, new ApplyAppleCounts(pages, ProductKind.App, 3, 0, null, Id(), Admin));
        await RunAsync(tenant, new ApplyAppleCounts(new PoolId(main, new AdamId("361285480")), ProductKind.App, 10, 0, 0, Id(), Admin));
        await RunAsync(tenant, new ApplyAppleCounts(new PoolId(old, new AdamId("361304891")), ProductKind.App, 4, 0, null, Id(), Admin));
        clock.Reset(Assigned);
        var group = new GroupId("sales");
        await RunAsync(tenant, new CreateGroup(group, GroupKind.User, Id(), Admin));
        var members = new List<GroupMember>();
        for (var i = 1; i <= 5; i++)
        {
            var user = new UserId($"u{i}");
            await RunAsync(tenant, new RecordUser(user, null, new AppleId($"u{i}@contoso.example", AppleIdKind.Managed), Id(), Admin));
            members.Add(GroupMember.ForUser(user));
        }

        await RunAsync(tenant, new AddGroupMembers(group, members, Id(), Admin));
        await RunAsync(tenant, new CreateAssignment(pages, group, AssignmentIntent.Required, LicenseType.User, Id(), Admin));
        await RunAsync(tenant, new DeleteToken(old, Id(), Admin));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private CommandId Id() => new($"seed-{Interlocked.Increment(ref _ids)}");

    private UploadTokenFile Upload(TokenId token, string organization, string secret, Duration validFor) => new(
        token,
        VppTokenFile.Create(organization, secret, Tool.Now + validFor),
        null,
        new AppleId("vpp-admin@contoso.example", AppleIdKind.Managed),
        new TokenSettings(organization, "US", TokenAccountType.Business, AutomaticAppUpdates: true),
        ConsentToSendDataToApple: true,
        TakeControlFromOtherMdm: false,
        Id(),
        Admin);

    private static async Task RunAsync(ITenantLedger tenant, ILedgerCommand command)
    {
        var outcome = await tenant.ExecuteAsync(command);
        Assert.True(outcome.Succeeded, $"{command.GetType().Name} was rejected: {outcome.Rejection}");
    }
}

/// <summary>The test classes that read the seeded tenant; they run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class SeededCollection : ICollectionFixture<SeededTenant>
{
    public const string Name = "seeded tenant";
}
