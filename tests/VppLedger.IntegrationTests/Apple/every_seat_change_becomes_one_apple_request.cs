using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>Issue 13, item 2: the Apple outbox, stored with the events and drained in order.</summary>
public sealed class every_seat_change_becomes_one_apple_request(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "I4")]
    public async Task grants_and_reclaims_each_leave_one_request_and_rejections_or_replays_none()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("outbox-write")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "300", purchased: 2);
        var users = await s.UsersAsync("w", 3);
        var holders = users.Select(u => Holder.ForUser(u, AppleIdKind.Managed)).ToArray();
        var grant = new GrantLicenses(pool, holders, s.NextId(), Scenario.Admin);
        await s.RunAsync(grant);
        await s.Ledger.ExecuteAsync(grant); // a replay writes nothing (I4)
        var refused = await s.Ledger.ExecuteAsync(new GrantLicenses(new PoolId(new TokenId("tok"), new AdamId("999")), [holders[0]], s.NextId(), Scenario.Admin));
        Assert.False(refused.Succeeded);

        var outbox = s.Ledger.AppleOutbox;
        var batch = await outbox.TakeBatchAsync(new TokenId("tok"), AppleServiceLimits.Published);
        Assert.NotNull(batch);
        Assert.Equal(AppleRequestKind.Associate, batch.Kind);
        Assert.Equal([holders[0].Key, holders[1].Key], batch.Requests.Select(r => r.Holder.Key));

        await s.RunAsync(new RevokeLicenses(RevocationScope.User, users[0].Value, s.NextId(), Scenario.Admin));
        var counts = await outbox.CountAsync();
        Assert.Equal(4, counts[AppleRequestStatus.Pending]); // 2 grants, 1 reclaim, 1 promotion from the queue
    }

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I4")]
    public async Task a_drain_takes_batches_in_order_within_the_limits_and_records_apples_answers_once()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("outbox-drain")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "301", purchased: 3);
        var users = await s.UsersAsync("d", 4);
        var holders = users.Select(u => Holder.ForUser(u, AppleIdKind.Managed)).ToArray();
        await s.RunAsync(new GrantLicenses(pool, holders, s.NextId(), Scenario.Admin)); // three granted, one queued
        var outbox = s.Ledger.AppleOutbox;
        var limits = new AppleServiceLimits(MaxAssetsPerCall: 25, MaxHoldersPerCall: 2, MaxRevokeHoldersPerCall: 2);

        var first = (await outbox.TakeBatchAsync(token, limits))!;
        Assert.Equal([holders[0].Key, holders[1].Key], first.Requests.Select(r => r.Holder.Key));
        Assert.Equal(first.Requests, (await outbox.TakeBatchAsync(token, limits))!.Requests); // at least once: taking marks nothing

        var denied = await outbox.RecordAnswerAsync(first, AppleCallAnswer.Accepted("evt-a"), new Actor("sync", Permissions.Directory));
        Assert.Equal("PermissionDenied", denied.Rejection?.Code);

        Assert.True((await outbox.RecordAnswerAsync(first, AppleCallAnswer.Accepted("evt-a"), Worker)).Succeeded);
        var again = await outbox.RecordAnswerAsync(first, AppleCallAnswer.Accepted("evt-a"), Worker);
        Assert.True(again.IsReplay);
        var other = await outbox.RecordAnswerAsync(first, AppleCallAnswer.Refused(9603, "Internal error."), Worker);
        Assert.False(other.Succeeded); // the first answer recorded wins
        Assert.Equal([holders[0].Key, holders[1].Key], (await outbox.RequestsOfEventAsync("evt-a")).Select(r => r.Holder.Key));

        // Apple refuses the next call outright: the seat is failed, freed, and the queued holder is granted (A6).
        var second = (await outbox.TakeBatchAsync(token, limits))!;
        Assert.Equal([holders[2].Key], second.Requests.Select(r => r.Holder.Key));
        var refused = await outbox.RecordAnswerAsync(second, AppleCallAnswer.Refused(9709, "Not enough licenses."), Worker);
        Assert.Equal(["AppleAssociationFailed", "LicenseGranted"], refused.Changes.Select(c => c.Event.GetType().Name));
        var summary = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((3, 1, 0), (summary.UsedCount, summary.FailedCount, summary.QueuedCount));

        var third = (await outbox.TakeBatchAsync(token, limits))!;
        Assert.Equal([holders[3].Key], third.Requests.Select(r => r.Holder.Key));
        var counts = await outbox.CountAsync();
        Assert.Equal((1, 2, 1), (counts[AppleRequestStatus.Pending], counts[AppleRequestStatus.Sent], counts[AppleRequestStatus.Refused]));
        Assert.Equal([token], await outbox.TokensWithPendingRequestsAsync());
    }
}
