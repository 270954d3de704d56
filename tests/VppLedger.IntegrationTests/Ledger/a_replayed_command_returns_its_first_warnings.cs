using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>Rule I4: a retry with the same command id returns the first outcome whole, its warnings included.</summary>
public sealed class a_replayed_command_returns_its_first_warnings(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "I4")]
    public async Task a_retry_of_a_command_that_warned_returns_the_same_warnings_and_writes_nothing()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("replay-warnings")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "300", purchased: 5);
        var users = await s.UsersAsync("u", 1);
        var staff = await s.GroupAsync("staff", GroupKind.User, [GroupMember.ForUser(users[0])]);
        await s.AssignAsync(pool, staff, AssignmentIntent.Required, LicenseType.User);

        // A member never recorded in the directory gets no license: a warning, while the command is applied (A1).
        var add = new AddGroupMembers(staff, [GroupMember.ForUser(new UserId("never-recorded"))], s.NextId(), new Actor("sync", Permissions.Directory));
        var first = await s.RunAsync(add);
        var events = await db.EventCountAsync("replay-warnings");
        var again = await s.RunAsync(add);

        Assert.NotEmpty(first.Warnings);
        Assert.True(again.IsReplay);
        Assert.Equal(first.Warnings, again.Warnings);
        Assert.Equal(events, await db.EventCountAsync("replay-warnings"));
    }
}
