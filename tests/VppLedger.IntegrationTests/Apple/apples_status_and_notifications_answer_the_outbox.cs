using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>Issue 13, item 3 (status results and ASSET_MANAGEMENT notifications): Apple's answers through the outbox.</summary>
public sealed class apples_status_and_notifications_answer_the_outbox(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I4")]
    public async Task a_status_and_its_notification_in_any_order_and_twice_change_the_seats_once()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-status")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "400", purchased: 2);
        var users = await s.UsersAsync("s", 3);
        var (a, b, c) = (Holder.ForUser(users[0], AppleIdKind.Managed), Holder.ForUser(users[1], AppleIdKind.Managed), Holder.ForUser(users[2], AppleIdKind.Managed));
        await s.RunAsync(new GrantLicenses(pool, [a, b, c], s.NextId(), Scenario.Admin)); // a and b granted, c queued
        var outbox = s.Ledger.AppleOutbox;
        var batch = (await outbox.TakeBatchAsync(token, AppleServiceLimits.Published))!;
        await outbox.RecordAnswerAsync(batch, AppleCallAnswer.Accepted("evt-1"), Worker);

        var status = new AppleEventStatus("evt-1", AppleEventState.Failure, 2, 1, [new AppleEventFailure(pool.AdamId, b.Key, null, 9709, "Not enough licenses.")]);
        var notified = await outbox.RecordEventStatusAsync(status, "notification-1", Worker);
        Assert.Equal(["AppleAssociationConfirmed", "AppleAssociationFailed", "LicenseGranted", "AppleNotificationRecorded"], notified.Changes.Select(e => e.Event.GetType().Name)); // the id joins the token's set

        Assert.True((await outbox.RecordEventStatusAsync(status, "notification-1", Worker)).IsReplay); // the same notification again
        var polled = await outbox.RecordEventStatusAsync(status, null, Worker); // the poll after the notification
        Assert.Empty(polled.Changes);
        var summary = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((2, 1, 1, 0), (summary.UsedCount, summary.ConfirmedCount, summary.FailedCount, summary.QueuedCount));

        // The release of a's confirmed seat is pending until Apple's status of the disassociation says so.
        await s.RunAsync(new RevokeLicenses(RevocationScope.User, users[0].Value, s.NextId(), Scenario.Admin));
        var next = (await outbox.TakeBatchAsync(token, AppleServiceLimits.Published))!;
        Assert.Equal(AppleRequestKind.Associate, next.Kind); // c, promoted, first: decision order per pool
        await outbox.RecordAnswerAsync(next, AppleCallAnswer.Accepted("evt-2"), Worker);
        var release = (await outbox.TakeBatchAsync(token, AppleServiceLimits.Published))!;
        Assert.Equal((AppleRequestKind.Disassociate, a.Key), (release.Kind, Assert.Single(release.Requests).Holder.Key));
        await outbox.RecordAnswerAsync(release, AppleCallAnswer.Accepted("evt-3"), Worker);
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.ReleasePendingCount);

        var released = await outbox.RecordEventStatusAsync(new AppleEventStatus("evt-3", AppleEventState.Complete, 1, 1, []), "notification-2", Worker);
        Assert.Single(released.EventsOf<AppleDisassociationConfirmed>());
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.ReleasePendingCount);
        Assert.Empty((await outbox.RecordEventStatusAsync(new AppleEventStatus("evt-2", AppleEventState.Pending, 1, 0, []), null, Worker)).Changes);
    }
}
