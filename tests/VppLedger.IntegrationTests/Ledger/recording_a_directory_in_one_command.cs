using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Ledger;

public sealed class recording_a_directory_in_one_command(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static DirectoryUser User(string id) => new(new UserId(id), null, new AppleId(id + "@contoso.example", AppleIdKind.Managed));

    private static DirectoryDevice Device(string id, string? user) =>
        new(new DeviceId(id), new SerialNumber("SN" + id), Scenario.CorporateSupervised(), user is null ? null : new UserId(user), null);

    [Fact]
    [Trait("Rule", "I3")]
    public async Task every_user_and_device_is_recorded_as_its_own_command_would_record_it_in_one_transaction()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("dir-batch-1")), db.Clock.GetCurrentInstant());
        var batch = new RecordDirectory([User("ann"), User("bob")], [Device("ipad-1", "ann"), Device("ipad-2", null)], s.NextId(), Scenario.Admin);

        var outcome = await s.RunAsync(batch);
        var again = await s.Ledger.ExecuteAsync(batch);
        var unchanged = await s.Ledger.ExecuteAsync(batch with { Id = s.NextId() });

        Assert.Equal(["user:ann", "user:bob", "device:ipad-1", "device:ipad-2"], outcome.Changes.Select(c => c.Stream));
        Assert.True(again.IsReplay);
        Assert.Equal(CommandStatus.Unchanged, unchanged.Status);
        Assert.Equal(4, await db.EventCountAsync("dir-batch-1"));
        Assert.NotNull(await s.Ledger.GetPromptsAsync(new DeviceId("ipad-2"), LicenseType.Device));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task one_refused_entry_refuses_the_whole_batch_and_writes_nothing()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("dir-batch-2")), db.Clock.GetCurrentInstant());
        var wrongKind = new DirectoryUser(new UserId("cy"), new AppleId("cy@contoso.example", AppleIdKind.Managed), null);

        var outcome = await s.Ledger.ExecuteAsync(new RecordDirectory([User("ann"), wrongKind], [Device("ipad-1", "ann")], s.NextId(), Scenario.Admin));

        Assert.Equal(CommandStatus.Rejected, outcome.Status);
        Assert.Equal("AppleIdKindMismatch", outcome.Rejection!.Code);
        Assert.Equal(0, await db.EventCountAsync("dir-batch-2"));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_batch_over_the_limit_is_refused_before_anything_is_read()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("dir-batch-3")), db.Clock.GetCurrentInstant());
        var users = Enumerable.Range(0, RecordDirectory.MaxEntriesPerCommand + 1).Select(i => User("u" + i)).ToList();

        var outcome = await s.Ledger.ExecuteAsync(new RecordDirectory(users, [], s.NextId(), Scenario.Admin));

        Assert.Equal(("TooManyDirectoryEntriesInOneCommand", "I3"), (outcome.Rejection!.Code, outcome.Rejection.Rule));
        Assert.Equal(0, await db.EventCountAsync("dir-batch-3"));
    }

    [Fact]
    [Trait("Rule", "X1")]
    public async Task a_batch_needs_the_directory_permission()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("dir-batch-4")), db.Clock.GetCurrentInstant());

        var outcome = await s.Ledger.ExecuteAsync(new RecordDirectory([User("ann")], [], s.NextId(), new Actor("apps", Permissions.MobileApps)));

        Assert.Equal(("PermissionDenied", "X1"), (outcome.Rejection!.Code, outcome.Rejection.Rule));
        Assert.Equal(0, await db.EventCountAsync("dir-batch-4"));
    }
}
