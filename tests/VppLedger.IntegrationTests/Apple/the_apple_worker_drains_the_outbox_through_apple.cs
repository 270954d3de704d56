using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VppLedger.Apple;
using VppLedger.Apple.Fake;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Apple;

/// <summary>
/// Issue 13, item 5: the worker of VppLedger.Apple against the fake Apple on loopback, over a real PostgreSQL. Every test
/// drives the worker pass by pass (<see cref="AppleOutboxWorker.RunOnceAsync"/>); Apple's time is virtual.
/// </summary>
public sealed class the_apple_worker_drains_the_outbox_through_apple(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "S2")]
    public async Task a_walk_of_apples_assignments_finds_what_changed_behind_the_ledger_and_the_applied_plan_clears_it()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-walk");
        var (pool, _, _) = await w.GrantedAsync("510", purchased: 4, holders: 2);
        var worker = w.NewWorker(db.Ledger);
        await AppleWorkerWorld.RunUntilIdleAsync(worker);
        var stranger = (await w.Scenario.UsersAsync("walk-stranger", 1))[0];
        var strangerHolder = Holder.ForUser(stranger, AppleIdKind.Managed);
        w.Apple.PageSize = 1; // three pages
        w.Apple.Assignments.Add(new FakeAssignment("510", "STDQ", null, strangerHolder.Key, ++w.Apple.Version)); // given by hand at Apple

        var walk = await worker.WalkAssignmentsAsync(w.Ledger.Tenant, w.Token, pageSize: 2);

        Assert.True(walk.LastPage.Succeeded, walk.LastPage.ToString());
        Assert.Equal((3, 3), (walk.AssignmentCount, walk.ApplePageCount));
        var finding = Assert.Single(await w.Ledger.AppleSide.ListFindingsAsync());
        Assert.Equal((AppleSide.ReconciliationClass.UntrackedAtApple, pool, strangerHolder.Key), (finding.Class, finding.Pool, finding.Holder?.Key));

        var admin = new Actor("apps-admin", Permissions.MobileApps);
        foreach (var step in await w.Ledger.AppleSide.PlanAsync(admin))
        {
            Assert.True((await w.Ledger.ExecuteAsync(step.Command!)).Succeeded); // GrantLicenses: the ledger adopts Apple's seat
        }

        await worker.WalkAssignmentsAsync(w.Ledger.Tenant, w.Token);
        Assert.Empty(await w.Ledger.AppleSide.ListFindingsAsync()); // the next walk no longer shows it
        Assert.Equal(3, (await w.PoolAsync(pool)).UsedCount);
    }

    [Fact]
    [Trait("Rule", "S1")]
    public async Task grants_end_confirmed_once_apple_completes_the_association()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-confirm");
        var (pool, _, holders) = await w.GrantedAsync("500", purchased: 3, holders: 3);
        var worker = w.NewWorker(db.Ledger);

        var first = await worker.RunOnceAsync();
        Assert.Equal((1, 0, 1), (first.Tokens[0].CallsAccepted, first.Tokens[0].ResultsRecorded, first.Tokens[0].EventsPending)); // one call, Apple still working
        Assert.Equal(3, (await w.PoolAsync(pool)).RequestedCount);

        await AppleWorkerWorld.RunUntilIdleAsync(worker);

        var summary = await w.PoolAsync(pool);
        Assert.Equal((3, 0, 3, 0), (summary.UsedCount, summary.RequestedCount, summary.ConfirmedCount, summary.FailedCount));
        Assert.Equal(holders.Select(h => h.Key).Order(), w.Apple.Assignments.Select(a => a.ClientUserId!).Order());
        var counts = await w.Ledger.AppleOutbox.CountAsync();
        Assert.Equal((0, 0, 3), (counts[AppleRequestStatus.Pending], counts[AppleRequestStatus.Sent], counts[AppleRequestStatus.Answered]));
        Assert.Empty(await w.Ledger.AppleOutbox.EventsAwaitingResultAsync(w.Token));
        Assert.All(w.Apple.Requests.Where(r => r.Token is not null), r => Assert.Equal(w.SToken, r.Token)); // revealed through the ledger
    }

    [Fact]
    [Trait("Rule", "R1")]
    public async Task device_seats_go_to_apple_by_serial_number_and_a_revoke_is_pending_until_apple_disassociates()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-devices");
        var pool = await w.Scenario.SyncedPoolAsync(w.Token, "508", purchased: 2);
        var d1 = await w.Scenario.DeviceAsync("d-1", Scenario.CorporateSupervised());
        var d2 = await w.Scenario.DeviceAsync("d-2", Scenario.CorporateSupervised());
        await w.Scenario.RunAsync(new GrantLicenses(pool, [Holder.ForDevice(d1), Holder.ForDevice(d2)], w.Scenario.NextId(), Scenario.Admin));
        w.Apple.Assets.Add(new FakeAsset { AdamId = "508", TotalCount = 2 });
        var worker = w.NewWorker(db.Ledger);

        await AppleWorkerWorld.RunUntilIdleAsync(worker);
        Assert.Equal(["SND1", "SND2"], w.Apple.Assignments.Select(a => a.SerialNumber!).Order());
        Assert.Equal(2, (await w.PoolAsync(pool)).ConfirmedCount);

        await w.Scenario.RunAsync(RevokeLicenses.ForDevice(d1, w.Scenario.NextId(), Scenario.Admin));
        Assert.Equal(1, (await w.PoolAsync(pool)).ReleasePendingCount); // freed in the ledger, still Apple's
        await AppleWorkerWorld.RunUntilIdleAsync(worker);

        Assert.Equal(0, (await w.PoolAsync(pool)).ReleasePendingCount);
        Assert.Equal("SND2", Assert.Single(w.Apple.Assignments).SerialNumber);
        Assert.Contains(w.Apple.BatchesSeen, b => b == ("/assets/disassociate", 1, 1, 0));
    }

    [Fact]
    [Trait("Rule", "A6")]
    public async Task a_holder_apple_refuses_frees_the_seat_and_the_queue_head_is_associated_next()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-refused");
        var (pool, users, holders) = await w.GrantedAsync("501", purchased: 2, holders: 3); // a and b granted, c queued
        var (a, b, c) = (holders[0], holders[1], holders[2]);
        w.Apple.FailingHolders[b.Key] = AppleErrorNumbers.NotEnoughLicenses; // a partial failure: Apple refuses b only

        await AppleWorkerWorld.RunUntilIdleAsync(w.NewWorker(db.Ledger));

        var summary = await w.PoolAsync(pool);
        Assert.Equal((2, 2, 1, 0), (summary.UsedCount, summary.ConfirmedCount, summary.FailedCount, summary.QueuedCount));
        Assert.Empty((await w.Ledger.GetUserLicensesAsync(users[1])).Licenses);
        Assert.Equal(AppleSeatState.Confirmed, (await w.Ledger.GetUserLicensesAsync(users[2])).Licenses.Single().Apple);
        Assert.Equal([a.Key, c.Key], w.Apple.Assignments.Select(x => x.ClientUserId!).Order());
        var explanation = await w.Ledger.Audit.ExplainAsync(b, pool, db.Clock.GetCurrentInstant());
        Assert.Contains("Apple event event-1, error 9709", explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public async Task a_call_apple_refuses_with_an_error_body_under_http_200_fails_its_seats_and_serves_the_queue()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-error-body");
        var (pool, _, holders) = await w.GrantedAsync("502", purchased: 1, holders: 2); // a granted, b queued
        var (a, b) = (holders[0], holders[1]);
        w.Apple.Fail("/assets/associate", FakeFault.ErrorBodyWith200(AppleErrorNumbers.NotEnoughLicenses, "Not enough licenses."));

        var passes = await AppleWorkerWorld.RunUntilIdleAsync(w.NewWorker(db.Ledger));

        Assert.Equal(1, passes[0].Tokens[0].CallsRefused);
        var summary = await w.PoolAsync(pool);
        Assert.Equal((1, 1, 1, 0), (summary.UsedCount, summary.ConfirmedCount, summary.FailedCount, summary.QueuedCount));
        Assert.Equal(b.Key, Assert.Single(w.Apple.Assignments).ClientUserId);
        Assert.Equal(1, (await w.Ledger.AppleOutbox.CountAsync())[AppleRequestStatus.Refused]);
    }

    [Fact]
    [Trait("Rule", "I4")]
    [Trait("Rule", "A6")]
    public async Task duplicate_and_out_of_order_notifications_and_the_status_poll_change_each_seat_once()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-notified");
        var (pool, _, holders) = await w.GrantedAsync("503", purchased: 2, holders: 3);
        var (a, b, c) = (holders[0], holders[1], holders[2]);
        w.Apple.FailingHolders[b.Key] = AppleErrorNumbers.NotEnoughLicenses;
        w.Apple.DuplicateNotifications = true;
        w.Apple.NotificationsOutOfOrder = true;
        var worker = w.NewWorker(db.Ledger);

        await worker.RunOnceAsync(); // event-1 sent, polled PENDING
        w.Apple.CompleteAll(); // Apple finishes and pushes: a SUCCESS for a, a FAILURE for b; delivered newest first, each twice
        var notifications = w.Apple.TakeNotifications();
        Assert.Equal(4, notifications.Count);
        var outcomes = new List<AppleNotificationOutcome>();
        foreach (var body in notifications)
        {
            outcomes.Add(await worker.AcceptNotificationAsync(w.Ledger.Tenant, body));
        }

        // b's failure first (out of order): failed, and c served from the queue; then a's success; each repeat is a replay.
        Assert.Equal(
            [(AppleNotificationResult.Recorded, 2), (AppleNotificationResult.AlreadyRecorded, 0), (AppleNotificationResult.Recorded, 1), (AppleNotificationResult.AlreadyRecorded, 0)],
            outcomes.Select(o => (o.Result, o.ChangeCount)));
        var summary = await w.PoolAsync(pool);
        Assert.Equal((2, 1, 1, 1), (summary.UsedCount, summary.ConfirmedCount, summary.FailedCount, summary.RequestedCount));

        var before = await db.EventCountAsync(w.Ledger.Tenant.Value, PoolStream(pool));
        await AppleWorkerWorld.RunUntilIdleAsync(worker); // the poll of event-1 after its notifications, then c's association
        foreach (var body in notifications.Reverse())
        {
            Assert.Equal(AppleNotificationResult.AlreadyRecorded, (await worker.AcceptNotificationAsync(w.Ledger.Tenant, body)).Result);
        }

        foreach (var body in w.Apple.TakeNotifications())
        {
            Assert.Equal(0, (await worker.AcceptNotificationAsync(w.Ledger.Tenant, body)).ChangeCount); // event-2's, after its poll
        }

        Assert.Equal(before + 1, await db.EventCountAsync(w.Ledger.Tenant.Value, PoolStream(pool))); // c confirmed, once; nothing else
        summary = await w.PoolAsync(pool);
        Assert.Equal((2, 2, 1, 0), (summary.UsedCount, summary.ConfirmedCount, summary.FailedCount, summary.RequestedCount));
        Assert.Equal(AppleNotificationResult.NotHandled, (await worker.AcceptNotificationAsync(w.Ledger.Tenant, """{"notificationId":"x","notificationType":"ASSET_COUNT","notification":{}}""")).Result);
        Assert.Equal(AppleNotificationResult.UnknownEvent, (await worker.AcceptNotificationAsync(w.Ledger.Tenant, """{"notificationId":"y","notificationType":"ASSET_MANAGEMENT","notification":{"eventId":"nope","result":"SUCCESS"}}""")).Result);
        Assert.Equal(AppleNotificationResult.Invalid, (await worker.AcceptNotificationAsync(w.Ledger.Tenant, "not json")).Result);
        var reused = notifications[0].Replace("\"FAILURE\"", "\"SUCCESS\"", StringComparison.Ordinal); // Apple's id again, other content
        var refused = await worker.AcceptNotificationAsync(w.Ledger.Tenant, reused);
        Assert.Equal(AppleNotificationResult.Refused, refused.Result);
        Assert.Contains("IdempotencyKeyReused", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task no_more_than_15_requests_a_second_per_token_reach_apple_from_the_worker()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-rate");
        var (pool, _, _) = await w.GrantedAsync("504", purchased: 40, holders: 40);
        w.Apple.Limits["maxClientUserIds"] = 1; // Apple's limits, read from the service config: one holder a call, 40 calls
        w.Apple.Limits["maxSerialNumbers"] = 1;

        await AppleWorkerWorld.RunUntilIdleAsync(w.NewWorker(db.Ledger));

        Assert.Equal(40, (await w.PoolAsync(pool)).ConfirmedCount);
        Assert.Equal(40, w.Apple.BatchesSeen.Count(b => b.Path == "/assets/associate"));
        Assert.True(w.Apple.RequestCount(w.SToken) >= 120, $"{w.Apple.RequestCount(w.SToken)} requests"); // 40 calls, 80 polls at least
        Assert.Equal(15, w.Apple.MaxRequestsInAnySecond(w.SToken)); // measured by the fake from its request log
        Assert.Equal(0, w.Apple.RateLimitRefusals);
    }

    [Fact]
    public async Task an_event_apple_is_slow_on_keeps_no_other_event_from_its_poll()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-slow");
        var (first, _, _) = await w.GrantedAsync("509", purchased: 1, holders: 1);
        var (second, _, _) = await w.GrantedAsync("510", purchased: 1, holders: 1);
        var (third, _, _) = await w.GrantedAsync("511", purchased: 1, holders: 1);
        w.Apple.CompleteOnPoll = 1;
        w.Apple.SlowEvents.Add("event-1");
        var options = new AppleWorkerOptions { Actor = AppleWorkerWorld.Worker, MaxStatusPollsPerPass = 1 };
        options.Tokens.Add(new AppleWorkerToken(w.Ledger.Tenant, w.Token));
        var worker = new AppleOutboxWorker(db.Ledger, w.Client, Microsoft.Extensions.Options.Options.Create(options), w.Clock);

        var passes = new List<AppleTokenPass>();
        for (var i = 0; i < 4; i++)
        {
            passes.Add((await worker.RunOnceAsync()).Tokens[0]);
        }

        Assert.Equal(3, passes[0].CallsAccepted); // three pools, three holders: three calls
        // One poll a pass: event-1 stays pending, yet event-2 and event-3 are polled and recorded in later passes.
        Assert.Equal((1, 1, 1), ((await w.PoolAsync(first)).RequestedCount, (await w.PoolAsync(second)).ConfirmedCount, (await w.PoolAsync(third)).ConfirmedCount));
        Assert.All(passes, p => Assert.True(p.MoreToPoll || p.EventsPending > 0));

        w.Apple.SlowEvents.Clear();
        await AppleWorkerWorld.RunUntilIdleAsync(worker);
        Assert.Equal(1, (await w.PoolAsync(first)).ConfirmedCount);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task retryable_failures_back_off_and_are_never_recorded_as_answers()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-retry");
        var (pool, _, _) = await w.GrantedAsync("505", purchased: 2, holders: 2);
        // More refusals than the client's 4 attempts: 5xx with Retry-After, 9646 under HTTP 200, 9646 with Retry-After.
        w.Apple.Fail("/assets/associate", FakeFault.ServerError(2), FakeFault.ErrorBodyWith200(9646, "Too many requests."), FakeFault.RateLimited(1), FakeFault.ServerError());
        var worker = w.NewWorker(db.Ledger);

        var failed = (await worker.RunOnceAsync()).Tokens[0];
        Assert.Equal((0, 0), (failed.CallsAccepted, failed.CallsRefused));
        Assert.NotNull(failed.Stopped);
        Assert.NotNull(failed.BackingOffUntil);
        var counts = await w.Ledger.AppleOutbox.CountAsync();
        Assert.Equal((2, 0, 0), (counts[AppleRequestStatus.Pending], counts[AppleRequestStatus.Sent], counts[AppleRequestStatus.Refused]));
        Assert.Equal((0, 2), ((await w.PoolAsync(pool)).FailedCount, (await w.PoolAsync(pool)).RequestedCount));

        var requests = w.Apple.RequestCount(w.SToken);
        var paused = (await worker.RunOnceAsync()).Tokens[0];
        Assert.Equal(failed.BackingOffUntil, paused.BackingOffUntil); // still backing off: nothing sent
        Assert.Equal(requests, w.Apple.RequestCount(w.SToken));

        await w.Clock.DelayAsync(failed.BackingOffUntil!.Value - w.Clock.UtcNow, CancellationToken.None);
        await AppleWorkerWorld.RunUntilIdleAsync(worker);
        Assert.Equal((2, 0), ((await w.PoolAsync(pool)).ConfirmedCount, (await w.PoolAsync(pool)).FailedCount));
        Assert.Equal(5, w.Apple.Requests.Count(r => r.Path == "/assets/associate")); // 4 refused attempts, then the one that went through
        Assert.Equal(1, w.Apple.BatchesSeen.Count(b => b.Path == "/assets/associate"));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task apple_out_of_reach_is_a_backoff_with_nothing_recorded()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-unreachable");
        var (pool, _, _) = await w.GrantedAsync("512", purchased: 1, holders: 1);
        await w.Apple.DisposeAsync(); // the connection is refused from now on

        var pass = (await w.NewWorker(db.Ledger).RunOnceAsync()).Tokens[0];

        Assert.StartsWith("Apple could not be reached", pass.Stopped, StringComparison.Ordinal);
        Assert.NotNull(pass.BackingOffUntil);
        Assert.Equal(1, (await w.Ledger.AppleOutbox.CountAsync())[AppleRequestStatus.Pending]);
        Assert.Equal(1, (await w.PoolAsync(pool)).RequestedCount);
    }

    [Fact]
    [Trait("Rule", "I4")]
    public async Task a_worker_that_dies_between_apples_answer_and_recording_it_changes_no_seat_twice()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-crash");
        var (pool, _, _) = await w.GrantedAsync("506", purchased: 3, holders: 3); // no license to spare at Apple
        var dying = w.NewWorker(db.Ledger);
        dying.BeforeRecordingAnswer = (_, _) => throw new ProcessDied();

        await Assert.ThrowsAsync<ProcessDied>(() => dying.RunOnceAsync());
        var before = await db.EventCountAsync(w.Ledger.Tenant.Value, PoolStream(pool));
        Assert.Equal(1, w.Apple.BatchesSeen.Count(b => b.Path == "/assets/associate")); // Apple took the call: event-1
        Assert.Equal(3, (await w.Ledger.AppleOutbox.CountAsync())[AppleRequestStatus.Pending]); // the ledger never heard of it

        await AppleWorkerWorld.RunUntilIdleAsync(w.NewWorker(db.Ledger)); // the next process sends the same requests again

        Assert.Equal(2, w.Apple.BatchesSeen.Count(b => b.Path == "/assets/associate")); // at least once: Apple saw the call twice
        Assert.Equal(3, w.Apple.Assignments.Count); // but holds each seat once, within its 3 licenses
        var summary = await w.PoolAsync(pool);
        Assert.Equal((3, 3, 0), (summary.UsedCount, summary.ConfirmedCount, summary.FailedCount));
        Assert.Empty(await w.Ledger.AppleOutbox.RequestsOfEventAsync("event-1")); // the lost answer is never recorded
        Assert.Equal(3, (await w.Ledger.AppleOutbox.RequestsOfEventAsync("event-2")).Count);
        Assert.Equal(before + 3, await db.EventCountAsync(w.Ledger.Tenant.Value, PoolStream(pool))); // three confirmations, nothing else
    }

    [Fact]
    public void the_worker_is_registered_as_a_hosted_service_and_a_singleton_hosts_can_call()
    {
        var services = new ServiceCollection();
        services.AddSingleton(db.Ledger);
        services.AddVppLedgerAppleWorker(o => o.Tokens.Add(new AppleWorkerToken(new TenantId("contoso"), new TokenId("tok"))));
        using var provider = services.BuildServiceProvider();

        var worker = provider.GetRequiredService<AppleOutboxWorker>();
        Assert.Same(worker, Assert.Single(provider.GetServices<IHostedService>()));
    }

    [Fact]
    public async Task as_a_hosted_service_it_runs_a_pass_then_waits_the_pass_interval_until_stopped()
    {
        await using var w = await AppleWorkerWorld.StartAsync(db, "worker-hosted");
        var (pool, _, _) = await w.GrantedAsync("507", purchased: 1, holders: 1);
        var clock = new PassGate(w.Clock);
        var options = new AppleWorkerOptions { Actor = AppleWorkerWorld.Worker, PassInterval = TimeSpan.FromSeconds(7) };
        options.Tokens.Add(new AppleWorkerToken(w.Ledger.Tenant, w.Token));
        using var worker = new AppleOutboxWorker(db.Ledger, w.Client, Microsoft.Extensions.Options.Options.Create(options), clock);

        await worker.StartAsync(CancellationToken.None);
        var interval = await clock.PassWaits.Task.WaitAsync(TimeSpan.FromMinutes(2)); // a bound for a hung test, not a timing assumption
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(7), interval);
        Assert.Equal(1, (await w.Ledger.AppleOutbox.CountAsync())[AppleRequestStatus.Sent]); // the first pass sent the grant
    }

    /// <summary>The Apple clock of the hosted test: the client's waits pass virtually; the first wait between passes is
    /// reported and then lasts until the service stops.</summary>
    private sealed class PassGate(VirtualAppleClock inner) : IAppleClock
    {
        public TaskCompletionSource<TimeSpan> PassWaits { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset UtcNow => inner.UtcNow;

        public async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (delay != TimeSpan.FromSeconds(7))
            {
                await inner.DelayAsync(delay, cancellationToken);
                return;
            }

            PassWaits.TrySetResult(delay);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    private sealed class ProcessDied : Exception;

    private static string PoolStream(PoolId pool) => VppLedger.Storage.Streams.Pool(pool);
}
