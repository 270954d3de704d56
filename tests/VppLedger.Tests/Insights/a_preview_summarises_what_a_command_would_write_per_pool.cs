using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Pools;

namespace VppLedger.Tests.Insights;

/// <summary>What-if (issue 15, part 1): the per-pool summary of a decided command, and commands read from JSON files.</summary>
public sealed class a_preview_summarises_what_a_command_would_write_per_pool
{
    private static readonly Instant At = Instant.FromUtc(2026, 5, 1, 8, 0);
    private static readonly PoolId Pool = new(new TokenId("tok"), new AdamId("42"));
    private static readonly Actor Admin = new("admin", Permissions.All);

    private static LedgerChange Change(IPoolEvent e, int version) => new("pool:tok:42", version, e.GetType().Name, e);

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "T10")]
    public void grants_queues_reclaims_and_orphans_are_counted_and_the_listing_is_cut()
    {
        var user = Holder.ForUser(new UserId("u1"), AppleIdKind.Managed);
        var changes = new List<LedgerChange>
        {
            Change(new LicenseGranted(Pool, user, GrantReason.Targeted, "A6", At), 1),
            Change(new LicenseGranted(Pool, user, GrantReason.Targeted, "A6", At), 2),
            Change(new HolderQueued(Pool, user, 1, "A6", At), 3),
            Change(new LicenseReclaimed(Pool, user, ReclaimReason.AssignmentRemoved, "R2", At), 4),
            Change(new PoolOrphaned(Pool, At), 5),
        };
        var outcome = new CommandOutcome(new CommandId("c"), CommandStatus.Applied, changes, null);
        var after = PoolState.Initial(Pool) with { Synced = true, PurchasedCount = 10, UserLicenseCount = 7 };

        var preview = CommandPreview.Summarize(outcome, [after], maxListedEvents: 2);

        var p = Assert.Single(preview.Pools);
        Assert.Equal((2, 1, 1, 0, 7), (p.GrantedCount, p.QueuedCount, p.ReclaimedCount, p.LeftQueueCount, p.OrphanedCount));
        Assert.Equal(5, preview.EventCount);
        Assert.Equal(2, preview.Outcome.Changes.Count);
        Assert.True(preview.EventsTruncated);
    }

    [Fact]
    public void a_command_written_as_json_reads_back_equal()
    {
        var command = new CreateAssignment(Pool, new GroupId("sales"), AssignmentIntent.Required, LicenseType.User, new CommandId("c-1"), Admin);

        var read = LedgerCommandJson.Parse(LedgerCommandJson.Write(command));

        Assert.Equal(command, read);
    }

    [Fact]
    public void a_file_without_id_or_actor_takes_the_defaults_given()
    {
        var read = LedgerCommandJson.Parse("""{"command": "deletetoken", "token": "tok-9"}""", new CommandId("d-1"), Admin);

        Assert.Equal(new VppLedger.Tokens.DeleteToken(new TokenId("tok-9"), new CommandId("d-1"), Admin), read);
    }

    [Fact]
    public void the_removal_example_of_the_docs_reads()
    {
        var read = LedgerCommandJson.Parse("""{ "command": "RemoveAssignment", "Pool": { "Token": "tok-main", "AdamId": "361309726" }, "Group": "sales" }""", new CommandId("r-1"), Admin);

        Assert.Equal(new RemoveAssignment(new PoolId(new TokenId("tok-main"), new AdamId("361309726")), new GroupId("sales"), new CommandId("r-1"), Admin), read);
    }

    [Theory]
    [InlineData("not json", "is not a JSON object")]
    [InlineData("""{"Token": "t"}""", "names no command")]
    [InlineData("""{"command": "Nope"}""", "the unknown command 'Nope'")]
    [InlineData("""{"command": "DeleteToken", "Id": "x", "Actor": {"Name": "a", "Permissions": "All"}}""", "lacks Token")]
    [InlineData("""{"command": "DeleteToken", "Token": "a b", "Id": "x", "Actor": {"Name": "a", "Permissions": "All"}}""", "contains white space")]
    public void a_bad_file_says_what_is_wrong(string json, string problem)
    {
        var error = Assert.Throws<FormatException>(() => LedgerCommandJson.Parse(json));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
