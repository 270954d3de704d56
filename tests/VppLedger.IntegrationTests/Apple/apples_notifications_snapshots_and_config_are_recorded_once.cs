using VppLedger.AppleSide;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>Issue 13, item 3: notifications, user states, client config, assets and assignments snapshots through the facade.</summary>
public sealed class apples_notifications_snapshots_and_config_are_recorded_once(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);

    [Fact]
    [Trait("Rule", "I4")]
    public async Task each_notification_is_recorded_once_in_any_order_and_user_states_only_move_forward()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-notify")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "600", purchased: 2);
        var user = Holder.ForUser((await s.UsersAsync("n", 1))[0], AppleIdKind.Managed);
        await s.RunAsync(new GrantLicenses(pool, [user], s.NextId(), Scenario.Admin));
        var batch = (await s.Ledger.AppleOutbox.TakeBatchAsync(token, AppleServiceLimits.Published))!;
        await s.Ledger.AppleOutbox.RecordAnswerAsync(batch, AppleCallAnswer.Accepted("evt-9"), Worker);

        var retired = new AppleNotification("n-3", AppleNotificationType.UserManagement, Users: [new AppleUserStateReport(user.Key, AppleUserState.Retired)]);
        var associated = new AppleNotification("n-2", AppleNotificationType.UserAssociated, Users: [new AppleUserStateReport(user.Key, AppleUserState.Associated)]);
        var count = new AppleNotification("n-4", AppleNotificationType.AssetCount, AssetCount: new AppleAssetCountChange(pool.AdamId, PricingParam.Stdq, 5));
        var asset = new AppleNotification("n-1", AppleNotificationType.AssetManagement, AssetManagement: new AppleEventStatus("evt-9", AppleEventState.Complete, 1, 1, []));

        // Out of order: the retire arrives before the association, the asset's result after both.
        Assert.Single((await s.RunAsync(new RecordAppleNotification(token, retired, s.NextId(), Worker))).EventsOf<AppleUserStatesRecorded>());
        Assert.Empty((await s.RunAsync(new RecordAppleNotification(token, associated, s.NextId(), Worker))).EventsOf<AppleUserStatesRecorded>());
        Assert.Equal(AppleUserState.Retired, await s.Ledger.AppleSide.GetUserStateAsync(token, user.Key));
        await s.RunAsync(new RecordAppleNotification(token, count, s.NextId(), Worker));
        var confirmed = await s.RunAsync(new RecordAppleNotification(token, asset, s.NextId(), Worker));
        Assert.Single(confirmed.EventsOf<AppleAssociationConfirmed>());

        // Every one again, under new command ids: the stored set of notification ids decides nothing.
        foreach (var n in new[] { asset, count, associated, retired })
        {
            var again = await s.RunAsync(new RecordAppleNotification(token, n, s.NextId(), Worker));
            Assert.Equal(CommandStatus.Unchanged, again.Status);
        }

        // The status poll after the notification changes nothing either (only a requested seat can be confirmed).
        Assert.Empty((await s.Ledger.AppleOutbox.RecordEventStatusAsync(asset.AssetManagement!, null, Worker)).Changes);
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.ConfirmedCount);
        Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.TotalCount); // ASSET_COUNT is recorded; only an assets snapshot changes counts

        var incomplete = await s.Ledger.ExecuteAsync(new RecordAppleNotification(token, new AppleNotification("n-5", AppleNotificationType.AssetCount), s.NextId(), Worker));
        Assert.Equal(RejectionCodes.AppleNotificationIncomplete, incomplete.Rejection!.Code);
        var denied = await s.Ledger.ExecuteAsync(new RecordAppleNotification(token, count with { NotificationId = "n-6" }, s.NextId(), new Actor("apps", Permissions.MobileApps)));
        Assert.Equal(RejectionCodes.PermissionDenied, denied.Rejection!.Code); // rule X1: Apple's answers need ManagedApps
    }

    [Fact]
    [Trait("Rule", "I4")]
    public async Task a_notification_after_the_status_poll_records_its_id_and_changes_no_seat()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-poll-first")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "650", purchased: 2);
        var users = await s.UsersAsync("p", 2);
        var (a, b) = (Holder.ForUser(users[0], AppleIdKind.Managed), Holder.ForUser(users[1], AppleIdKind.Managed));
        await s.RunAsync(new GrantLicenses(pool, [a, b], s.NextId(), Scenario.Admin));
        var batch = (await s.Ledger.AppleOutbox.TakeBatchAsync(token, AppleServiceLimits.Published))!;
        await s.Ledger.AppleOutbox.RecordAnswerAsync(batch, AppleCallAnswer.Accepted("evt-p"), Worker);
        var status = new AppleEventStatus("evt-p", AppleEventState.Failure, 2, 1, [new AppleEventFailure(pool.AdamId, b.Key, null, 9709, "Not enough licenses.")]);

        var polled = await s.Ledger.AppleOutbox.RecordEventStatusAsync(status, null, Worker);
        Assert.Equal(["AppleAssociationConfirmed", "AppleAssociationFailed"], polled.Changes.Select(c => c.Event.GetType().Name));
        var notified = await s.RunAsync(new RecordAppleNotification(token, new AppleNotification("np-1", AppleNotificationType.AssetManagement, AssetManagement: status), s.NextId(), Worker));
        Assert.IsType<AppleNotificationRecorded>(Assert.Single(notified.Changes).Event);
        var summary = (await s.Ledger.GetPoolAsync(pool))!;
        Assert.Equal((1, 1, 1), (summary.UsedCount, summary.ConfirmedCount, summary.FailedCount));
    }

    [Fact]
    [Trait("Rule", "S2")]
    [Trait("Rule", "L10")]
    public async Task an_assets_snapshot_fills_one_pool_per_pricing_and_keeps_standard_pools_as_they_were()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-assets")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var before = await s.SyncedPoolAsync(token, "700", purchased: 2); // a pool recorded before pricing was known
        var snapshot = await s.RunAsync(new ApplyAppleAssetsSnapshot(token, "v1",
        [
            new AppleAssetReport(new AdamId("700"), PricingParam.Stdq, ProductKind.App, 10, 3, 1, true, true, ["macOS", "iOS"]),
            new AppleAssetReport(new AdamId("700"), PricingParam.Plus, ProductKind.App, 4, 0, 0, false, false, ["iOS"]),
        ], s.NextId(), Worker));
        Assert.Single(snapshot.EventsOf<AssignedCountDriftRecorded>()); // Apple assigned 3, the ledger none (rule S2)

        var standard = (await s.Ledger.GetPoolAsync(before))!;
        var plus = (await s.Ledger.GetPoolAsync(new PoolId(token, new AdamId("700"), PricingParam.Plus)))!;
        Assert.Equal((9, 4), (standard.TotalCount, plus.TotalCount));
        Assert.Equal(2, (await s.Ledger.ListPoolsAsync(token)).Count);
        Assert.Equal(new PoolId(token, new AdamId("700")), before); // the standard pool keeps its identity
        Assert.Empty((await s.RunAsync(new ApplyAppleAssetsSnapshot(token, "v1",
        [
            new AppleAssetReport(new AdamId("700"), PricingParam.Stdq, ProductKind.App, 10, 3, 1, true, true, ["iOS", "macOS"]),
            new AppleAssetReport(new AdamId("700"), PricingParam.Plus, ProductKind.App, 4, 0, 0, false, false, ["iOS"]),
        ], s.NextId(), Worker))).Changes); // the same snapshot again changes nothing

        var invalid = await s.Ledger.ExecuteAsync(new ApplyAppleAssetsSnapshot(token, "v2", [new AppleAssetReport(new AdamId("700"), PricingParam.Stdq, ProductKind.App, 1, 0, 2, true, true, [])], s.NextId(), Worker));
        Assert.Equal(RejectionCodes.InvalidAppleAssets, invalid.Rejection!.Code);
    }

    [Fact]
    [Trait("Rule", "S2")]
    public async Task a_walk_whose_version_changes_is_refused_and_restarted_and_a_delta_builds_on_the_last_walk()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-walk")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "800", purchased: 5);
        var users = await s.UsersAsync("w", 3);
        var (a, b, c) = (Holder.ForUser(users[0], AppleIdKind.Managed), Holder.ForUser(users[1], AppleIdKind.Managed), Holder.ForUser(users[2], AppleIdKind.Managed));
        AppleSeatReport Seat(Holder h) => new(pool.AdamId, PricingParam.Stdq, h.Key, null);
        RecordAppleAssignmentsPage Page(string walk, string version, int page, bool last, string? since, params Holder[] holders) =>
            new(token, walk, version, since, page, last, [.. holders.Select(Seat)], s.NextId(), Worker);

        await s.RunAsync(Page("w1", "v1", 0, false, null, a));
        var changed = await s.Ledger.ExecuteAsync(Page("w1", "v2", 1, true, null, b));
        Assert.Equal(RejectionCodes.AppleAssignmentsVersionChanged, changed.Rejection!.Code);
        Assert.Equal(RejectionCodes.AppleAssignmentsPageOutOfOrder, (await s.Ledger.ExecuteAsync(Page("w1", "v1", 2, true, null, b))).Rejection!.Code);
        Assert.Equal("w1", (await s.Ledger.AppleSide.GetAsync(token))!.WalkInProgress);

        await s.RunAsync(Page("w2", "v2", 0, false, null, a));
        var done = await s.RunAsync(Page("w2", "v2", 1, true, null, b));
        Assert.Single(done.EventsOf<AppleAssignmentsSnapshotCompleted>());
        Assert.Equal(2, done.EventsOf<ReconciliationFindingRecorded>().Count()); // a and b untracked
        Assert.Equal(RejectionCodes.AppleAssignmentsPageOutOfOrder, (await s.Ledger.ExecuteAsync(Page("w2", "v2", 0, true, null))).Rejection!.Code);

        Assert.Equal(RejectionCodes.AppleAssignmentsDeltaBaseUnknown, (await s.Ledger.ExecuteAsync(Page("d1", "v3", 0, true, "v1", c))).Rejection!.Code);
        var delta = await s.RunAsync(Page("d1", "v3", 0, true, "v2", c)); // adds c; a and b stay Apple's
        Assert.Equal(c.Key, Assert.Single(delta.EventsOf<ReconciliationFindingRecorded>()).Holder!.Key);
        Assert.Empty(delta.EventsOf<ReconciliationFindingCleared>());
        Assert.Equal(3, (await s.Ledger.AppleSide.ListFindingsAsync(token)).Count);

        var whole = await s.RunAsync(Page("w3", "v4", 0, true, null, c)); // a whole walk: Apple holds only c now
        Assert.Equal(2, whole.EventsOf<ReconciliationFindingCleared>().Count());
        Assert.Equal("v4", (await s.Ledger.AppleSide.GetAsync(token))!.CompletedVersionId);
    }

    [Fact]
    [Trait("Rule", "T3")]
    public async Task a_client_config_of_this_mdm_changes_nothing_and_another_mdms_marks_the_token_external()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("apple-config")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        await s.RunAsync(s.Upload(token));
        var ours = await s.RunAsync(new RecordAppleClientConfig(token, "our-mdm", "Our MDM", "uid-1", "our-mdm", s.NextId(), Worker));
        Assert.Single(ours.EventsOf<AppleClientConfigRecorded>());
        Assert.Empty((await s.RunAsync(new RecordAppleClientConfig(token, "our-mdm", "Our MDM", "uid-1", "our-mdm", s.NextId(), Worker))).Changes);
        Assert.NotEqual(Tokens.TokenStatus.AssignedToExternalMdm, (await s.Ledger.GetTokenAsync(token))!.Status);

        var theirs = await s.RunAsync(new RecordAppleClientConfig(token, "their-mdm", "Their MDM", "uid-1", "our-mdm", s.NextId(), Worker));
        Assert.False(Assert.Single(theirs.EventsOf<AppleClientConfigRecorded>()).ManagedByThisMdm);
        Assert.Equal(Tokens.TokenStatus.AssignedToExternalMdm, (await s.Ledger.GetTokenAsync(token))!.Status);
        Assert.Equal(RejectionCodes.AppleClientConfigInvalid, (await s.Ledger.ExecuteAsync(new RecordAppleClientConfig(token, "x", null, null, "", s.NextId(), Worker))).Rejection!.Code);
    }
}
