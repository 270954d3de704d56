using VppLedger.AppleSide;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>
/// Issue 13, item 4: a completed walk of Apple's assignments is compared with the seats; each class of difference is
/// found, its plan run through the facade, and a later walk that no longer shows it clears it.
/// </summary>
public sealed class reconciliation_finds_each_class_and_its_plan_clears_it(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);
    private static readonly Actor AppsAdmin = new("apps-admin", Permissions.MobileApps);
    private static readonly Actor TokenAdmin = new("token-admin", Permissions.ManagedApps);

    private static AppleSeatReport User(PoolId pool, Holder holder) => new(pool.AdamId, pool.Pricing, holder.Key, null);

    private static AppleSeatReport Serial(PoolId pool, string serial) => new(pool.AdamId, pool.Pricing, null, new SerialNumber(serial));

    private static async Task<CommandOutcome> WalkAsync(Scenario s, TokenId token, string version, params AppleSeatReport[] seats)
    {
        var walk = "walk-" + Guid.NewGuid().ToString("N");
        return await s.RunAsync(new RecordAppleAssignmentsPage(token, walk, version, null, 0, IsLastPage: true, seats, s.NextId(), Worker));
    }

    /// <summary>A tenant of its own with token "tok", one synced pool and one recorded user.</summary>
    private async Task<(Scenario S, TokenId Token, PoolId Pool, Holder User)> TenantAsync(string tenant, string adamId, int purchased)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, adamId, purchased);
        var user = Holder.ForUser((await s.UsersAsync(tenant, 1))[0], AppleIdKind.Managed);
        return (s, token, pool, user);
    }

    private static async Task<ReconciliationStep> OnlyStepAsync(Scenario s, ReconciliationClass expected, Actor actor)
    {
        var step = Assert.Single(await s.Ledger.AppleSide.PlanAsync(actor));
        Assert.Equal(expected, step.Finding.Class);
        return step;
    }

    [Fact]
    [Trait("Rule", "S2")]
    public async Task a_seat_untracked_at_apple_is_found_and_adopting_it_clears_it()
    {
        var (s, token, pool, user) = await TenantAsync("rec-untracked", "500", 3);

        var stranger = new AppleSeatReport(pool.AdamId, pool.Pricing, "u.stranger.managed", null); // a user key of a user never recorded
        var walked = await WalkAsync(s, token, "v1", User(pool, user), Serial(pool, "NOBODY1"), stranger);
        Assert.Equal(3, walked.EventsOf<ReconciliationFindingRecorded>().Count());
        var plan = await s.Ledger.AppleSide.PlanAsync(AppsAdmin);
        Assert.All(plan, p => Assert.Equal(ReconciliationClass.UntrackedAtApple, p.Finding.Class));
        Assert.Equal(2, plan.Count(p => p.Finding.Holder is null && p.Command is null)); // holders the ledger does not know: a person acts
        var adopt = Assert.IsType<GrantLicenses>(plan.Single(p => p.Finding.Holder is not null).Command);

        Assert.Equal(CommandStatus.Applied, (await s.Ledger.ExecuteAsync(adopt)).Status);
        Assert.True((await s.Ledger.ExecuteAsync(adopt)).IsReplay); // a plan run twice runs once (rule I4)

        var again = await WalkAsync(s, token, "v2", User(pool, user), Serial(pool, "NOBODY1"), stranger);
        var cleared = Assert.Single(again.EventsOf<ReconciliationFindingCleared>());
        Assert.Equal(ReconciliationClass.UntrackedAtApple, cleared.Class);
        Assert.Empty(again.EventsOf<ReconciliationFindingRecorded>()); // the unknown holders stay open, recorded once
        Assert.Equal(2, (await s.Ledger.AppleSide.ListFindingsAsync(token)).Count);
    }

    [Fact]
    [Trait("Rule", "S2")]
    public async Task a_phantom_seat_is_found_and_asking_apple_again_clears_it()
    {
        var (s, token, pool, user) = await TenantAsync("rec-phantom", "501", 2);
        await s.RunAsync(new GrantLicenses(pool, [user], s.NextId(), AppsAdmin));
        await s.RunAsync(new RecordAppleEventResult(pool, "evt-1", AppleEventType.Associate, [user], [], s.NextId(), Worker));

        var walked = await WalkAsync(s, token, "v1"); // Apple no longer shows the confirmed seat
        Assert.Equal(ReconciliationClass.PhantomInLedger, Assert.Single(walked.EventsOf<ReconciliationFindingRecorded>()).Class);
        var step = await OnlyStepAsync(s, ReconciliationClass.PhantomInLedger, AppsAdmin);
        var asked = await s.Ledger.ExecuteAsync(step.Command!);
        Assert.True(Assert.Single(asked.EventsOf<AppleAssociationRequestedAgain>()).WasConfirmed);
        Assert.Equal((1, 0), ((await s.Ledger.GetPoolAsync(pool))!.UsedCount, (await s.Ledger.GetPoolAsync(pool))!.ConfirmedCount));
        var explained = await s.Ledger.Audit.ExplainAsync(user, pool, db.Clock.GetCurrentInstant());
        Assert.Contains(explained.Steps, step => step.Sentence.Contains("asked Apple for it again", StringComparison.Ordinal));
        var batch = await s.Ledger.AppleOutbox.TakeBatchAsync(token, AppleServiceLimits.Published);
        Assert.Contains(batch!.Requests, r => r.Kind == AppleRequestKind.Associate && r.Holder.Key == user.Key);

        var again = await WalkAsync(s, token, "v2"); // the seat is in flight again: no longer a phantom
        Assert.Equal(ReconciliationClass.PhantomInLedger, Assert.Single(again.EventsOf<ReconciliationFindingCleared>()).Class);
        Assert.Empty(await s.Ledger.AppleSide.ListFindingsAsync());
    }

    [Fact]
    [Trait("Rule", "S2")]
    public async Task a_duplicate_holder_at_both_pricings_is_found_and_releasing_the_extra_seat_clears_it()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("rec-duplicate")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        await s.RunAsync(s.Upload(token));
        await s.RunAsync(new ApplyAppleAssetsSnapshot(token, "assets-1",
        [
            new AppleAssetReport(new AdamId("502"), PricingParam.Stdq, ProductKind.App, 5, 1, 0, true, true, ["iOS"]),
            new AppleAssetReport(new AdamId("502"), PricingParam.Plus, ProductKind.App, 2, 1, 0, true, true, ["iOS"]),
        ], s.NextId(), Worker));
        var standard = new PoolId(token, new AdamId("502"));
        var plus = new PoolId(token, new AdamId("502"), PricingParam.Plus);
        var device = Holder.ForDevice(await s.DeviceAsync("dup-1", Scenario.CorporateSupervised()));
        await s.RunAsync(new GrantLicenses(standard, [device], s.NextId(), AppsAdmin));

        var walked = await WalkAsync(s, token, "v1", Serial(standard, "SNDUP1"), Serial(plus, "SNDUP1"));
        var found = Assert.Single(walked.EventsOf<ReconciliationFindingRecorded>());
        Assert.Equal((ReconciliationClass.DuplicateHolder, plus, device.Key), (found.Class, found.Pool, found.Holder!.Key));
        var step = await OnlyStepAsync(s, ReconciliationClass.DuplicateHolder, AppsAdmin);
        var released = await s.Ledger.ExecuteAsync(step.Command!);
        Assert.Single(released.EventsOf<AppleReleaseRequested>());
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(plus))!.UsedCount); // the ledger never counted Apple's extra seat

        var again = await WalkAsync(s, token, "v2", Serial(standard, "SNDUP1")); // Apple took the extra seat back
        Assert.Equal(ReconciliationClass.DuplicateHolder, Assert.Single(again.EventsOf<ReconciliationFindingCleared>()).Class);
        Assert.Empty(await s.Ledger.AppleSide.ListFindingsAsync(token));
    }

    [Fact]
    [Trait("Rule", "T3")]
    public async Task seats_held_under_another_mdm_are_found_and_taking_control_clears_them()
    {
        var (s, token, pool, user) = await TenantAsync("rec-other-mdm", "503", 2);

        var config = await s.RunAsync(new RecordAppleClientConfig(token, "other-mdm-id", "Other MDM", "uid-1", "our-mdm-id", s.NextId(), Worker));
        Assert.Single(config.EventsOf<Tokens.TokenAssignedToExternalMdm>());
        Assert.True((await s.Ledger.AppleSide.GetAsync(token))!.ManagedByAnotherMdm);
        var refused = await s.Ledger.ExecuteAsync(new GrantLicenses(pool, [user], s.NextId(), AppsAdmin));
        Assert.Equal(RejectionCodes.TokenAssignedToExternalMdm, refused.Rejection!.Code); // rule T3: no grant until control is taken

        var walked = await WalkAsync(s, token, "v1", User(pool, user));
        Assert.Equal(ReconciliationClass.HeldUnderAnotherMdm, Assert.Single(walked.EventsOf<ReconciliationFindingRecorded>()).Class);
        var step = await OnlyStepAsync(s, ReconciliationClass.HeldUnderAnotherMdm, TokenAdmin);
        Assert.IsType<Tokens.TakeTokenControl>(step.Command);
        Assert.Equal(CommandStatus.Rejected, (await s.Ledger.ExecuteAsync(Assert.Single(await s.Ledger.AppleSide.PlanAsync(AppsAdmin)).Command!)).Status); // needs ManagedApps (rule X1)
        Assert.Equal(CommandStatus.Applied, (await s.Ledger.ExecuteAsync(step.Command!)).Status);

        var again = await WalkAsync(s, token, "v2", User(pool, user));
        Assert.Equal(ReconciliationClass.HeldUnderAnotherMdm, Assert.Single(again.EventsOf<ReconciliationFindingCleared>()).Class);
        Assert.Equal(ReconciliationClass.UntrackedAtApple, Assert.Single(again.EventsOf<ReconciliationFindingRecorded>()).Class); // now ours to adopt
    }

    [Fact]
    [Trait("Rule", "S2")]
    public async Task a_seat_pending_too_long_is_found_and_asking_apple_again_clears_it()
    {
        var (s, token, pool, user) = await TenantAsync("rec-pending", "504", 2);
        await s.RunAsync(new GrantLicenses(pool, [user], s.NextId(), AppsAdmin));
        Assert.Empty((await WalkAsync(s, token, "v0", User(pool, user))).EventsOf<ReconciliationFindingRecorded>()); // in flight: no finding

        db.Clock.Advance(NodaTime.Duration.FromHours(25)); // beyond LedgerPolicy.ApplePendingTooLong (24 hours)
        var walked = await WalkAsync(s, token, "v1", User(pool, user));
        Assert.Equal(ReconciliationClass.PendingTooLong, Assert.Single(walked.EventsOf<ReconciliationFindingRecorded>()).Class);
        var step = await OnlyStepAsync(s, ReconciliationClass.PendingTooLong, AppsAdmin);
        Assert.False(Assert.Single((await s.Ledger.ExecuteAsync(step.Command!)).EventsOf<AppleAssociationRequestedAgain>()).WasConfirmed);

        var again = await WalkAsync(s, token, "v2", User(pool, user));
        Assert.Equal(ReconciliationClass.PendingTooLong, Assert.Single(again.EventsOf<ReconciliationFindingCleared>()).Class);
    }
}
