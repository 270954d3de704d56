using Newtonsoft.Json;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Storage;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>What-if (issue 15, part 1): a preview decides a command as execution would and writes nothing.</summary>
public sealed class previewing_a_command_writes_nothing_and_foretells_its_events(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly JsonSerializerSettings Json = NewtonsoftSerializer.CreateSettings();

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I3")]
    public async Task a_preview_then_an_execution_write_the_same_events()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("whatif-same")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "101", purchased: 3);
        var users = await s.UsersAsync("u", 5);
        var group = await s.GroupAsync("staff", GroupKind.User, users.Select(GroupMember.ForUser));
        var assign = new CreateAssignment(pool, group, AssignmentIntent.Required, LicenseType.User, s.NextId(), Scenario.Admin);

        var preview = await s.Ledger.PreviewAsync(assign);
        var executed = await s.Ledger.ExecuteAsync(assign);

        Assert.Equal(CommandStatus.Applied, preview.Outcome.Status);
        Assert.False(executed.IsReplay); // the preview left no idempotency record (I4)
        Assert.Equal(Describe(executed.Changes), Describe(preview.Outcome.Changes));
        var p = Assert.Single(preview.Pools);
        Assert.Equal((pool, 3, 2), (p.Pool, p.GrantedCount, p.QueuedCount));
        Assert.Equal(executed.Changes.Count, preview.EventCount);
        Assert.False(preview.EventsTruncated);
    }

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "I4")]
    public async Task a_preview_writes_no_row_and_takes_no_sequence_number()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("whatif-nothing")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "102", purchased: 2);
        var users = await s.UsersAsync("n", 4);
        var group = await s.GroupAsync("team", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        var before = await SchemaRows.FingerprintAsync(db.SchemaName, s.Ledger);

        var removal = await s.Ledger.PreviewAsync(new RemoveAssignment(pool, group, s.NextId(), Scenario.Admin));
        var deletion = await s.Ledger.PreviewAsync(new DeleteToken(pool.Token, s.NextId(), Scenario.Admin));
        var upload = await s.Ledger.PreviewAsync(s.Upload(new TokenId("tok-2"), location: "loc-whatif-2"));

        Assert.Equal(before, await SchemaRows.FingerprintAsync(db.SchemaName, s.Ledger));
        Assert.Equal((2, 2), (removal.Pools.Single().ReclaimedCount, removal.Pools.Single().LeftQueueCount));
        Assert.Equal(CommandStatus.Applied, deletion.Outcome.Status);
        Assert.Equal(CommandStatus.Applied, upload.Outcome.Status);
        Assert.Null(await s.Ledger.GetTokenAsync(new TokenId("tok-2")));
        Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "T10")]
    [Trait("Rule", "R7")]
    public async Task previewing_a_token_deletion_counts_the_seats_it_would_orphan()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("whatif-orphans")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "103", purchased: 10);
        var users = await s.UsersAsync("o", 4);
        var group = await s.GroupAsync("all", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        var delete = new DeleteToken(pool.Token, s.NextId(), Scenario.Admin);

        var preview = await s.Ledger.PreviewAsync(delete);
        var executed = await s.Ledger.ExecuteAsync(delete);

        Assert.Equal(4, preview.Pools.Single(p => p.Pool == pool).OrphanedCount);
        Assert.Equal(Describe(executed.Changes), Describe(preview.Outcome.Changes));
    }

    [Fact]
    [Trait("Rule", "X1")]
    public async Task a_preview_without_the_permission_is_refused_like_the_command()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("whatif-denied")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "104", purchased: 1);
        var sync = new Actor("directory-sync", Permissions.Directory);

        var preview = await s.Ledger.PreviewAsync(new DeleteToken(pool.Token, s.NextId(), sync));

        Assert.Equal(CommandStatus.Rejected, preview.Outcome.Status);
        Assert.Equal("PermissionDenied", preview.Outcome.Rejection!.Code);
        Assert.Empty(preview.Pools);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public async Task previewing_a_command_already_executed_answers_its_first_outcome()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("whatif-replay")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "105", purchased: 5);
        var counts = new ApplyAppleCounts(pool, ProductKind.App, 8, 0, null, s.NextId(), Scenario.Admin);
        var executed = await s.RunAsync(counts);

        var preview = await s.Ledger.PreviewAsync(counts);

        Assert.True(preview.Outcome.IsReplay);
        Assert.Equal(Describe(executed.Changes), Describe(preview.Outcome.Changes));
    }

    internal static IReadOnlyList<string> Describe(IEnumerable<LedgerChange> changes) =>
        [.. changes.Select(c => $"{c.Stream}@{c.Version} {c.EventName} {JsonConvert.SerializeObject(c.Event, Json)}")];
}
