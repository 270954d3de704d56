using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>Issue 13, item 1: seat states at Apple through PostgreSQL (seat rows, pending releases, explain).</summary>
public sealed class apple_answers_move_seats_through_the_ledger(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S1")]
    public async Task a_confirmed_seat_a_failed_one_and_a_released_one_end_as_apple_said()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-states")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "200", purchased: 2);
        var users = await s.UsersAsync("u", 3);
        var (a, b, c) = (Holder.ForUser(users[0], AppleIdKind.Managed), Holder.ForUser(users[1], AppleIdKind.Managed), Holder.ForUser(users[2], AppleIdKind.Managed));
        await s.RunAsync(new GrantLicenses(pool, [a, b, c], s.NextId(), Scenario.Admin));

        var answered = await s.RunAsync(new RecordAppleEventResult(
            pool, "evt-1", AppleEventType.Associate, [a], [new AppleHolderFailure(b, 9709, "Not enough licenses.")], s.NextId(), Worker));
        Assert.Equal(
            ["AppleAssociationConfirmed", "AppleAssociationFailed", "LicenseGranted"],
            answered.Changes.Select(e => e.Event.GetType().Name));

        var summary = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((2, 1, 1, 1, 0), (summary.UsedCount, summary.RequestedCount, summary.ConfirmedCount, summary.FailedCount, summary.QueuedCount));
        Assert.Equal(AppleSeatState.Confirmed, (await s.Ledger.GetUserLicensesAsync(users[0])).Licenses.Single().Apple);
        Assert.Empty((await s.Ledger.GetUserLicensesAsync(users[1])).Licenses);
        Assert.Equal(AppleSeatState.Requested, (await s.Ledger.GetUserLicensesAsync(users[2])).Licenses.Single().Apple);

        var again = await s.Ledger.ExecuteAsync(new RecordAppleEventResult(
            pool, "evt-1", AppleEventType.Associate, [a], [new AppleHolderFailure(b, 9709, "Not enough licenses.")], s.NextId(), Worker));
        Assert.Empty(again.Changes);

        var explanation = await s.Ledger.Audit.ExplainAsync(b, pool, db.Clock.GetCurrentInstant());
        Assert.Contains("Apple event evt-1, error 9709", explanation.Summary, StringComparison.Ordinal);

        var revoked = await s.RunAsync(new RevokeLicenses(RevocationScope.User, users[0].Value, s.NextId(), Scenario.Admin));
        Assert.Single(revoked.EventsOf<AppleDisassociationRequested>());
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.ReleasePendingCount);

        var released = await s.RunAsync(new RecordAppleEventResult(pool, "evt-2", AppleEventType.Disassociate, [a], [], s.NextId(), Worker));
        Assert.IsType<AppleDisassociationConfirmed>(Assert.Single(released.Changes).Event);
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.ReleasePendingCount);
        Assert.Empty((await s.Ledger.ExecuteAsync(new RecordAppleEventResult(pool, "evt-2", AppleEventType.Disassociate, [a], [], s.NextId(), Worker))).Changes);
    }

    [Fact]
    [Trait("Rule", "I2")]
    public async Task a_rebuild_restores_the_apple_state_of_every_seat()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-rebuild")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "201", purchased: 3);
        var users = await s.UsersAsync("r", 2);
        var (a, b) = (Holder.ForUser(users[0], AppleIdKind.Managed), Holder.ForUser(users[1], AppleIdKind.Managed));
        await s.RunAsync(new GrantLicenses(pool, [a, b], s.NextId(), Scenario.Admin));
        await s.RunAsync(new RecordAppleEventResult(pool, "evt-r", AppleEventType.Associate, [a, b], [], s.NextId(), Worker));
        await s.RunAsync(new RevokeLicenses(RevocationScope.User, users[1].Value, s.NextId(), Scenario.Admin));

        await db.Ledger.RebuildAsync();

        Assert.Equal(AppleSeatState.Confirmed, (await s.Ledger.GetUserLicensesAsync(users[0])).Licenses.Single().Apple);
        var released = await s.RunAsync(new RecordAppleEventResult(pool, "evt-r2", AppleEventType.Revoke, [b], [], s.NextId(), Worker));
        Assert.IsType<AppleDisassociationConfirmed>(Assert.Single(released.Changes).Event);
    }
}
