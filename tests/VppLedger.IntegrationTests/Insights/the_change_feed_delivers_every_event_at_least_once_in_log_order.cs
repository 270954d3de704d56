using System.Text.Json;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Feed;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>The change feed (issue 15, part 3): durable subscriptions, the NDJSON sink and the webhook sink.</summary>
public sealed class the_change_feed_delivers_every_event_at_least_once_in_log_order(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly byte[] Secret = "a-shared-secret-of-32-bytes-long"u8.ToArray();

    private async Task<Scenario> TenantWithHistoryAsync(string tenant, int users)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "501", purchased: users / 2);
        var members = await s.UsersAsync("f", users);
        var group = await s.GroupAsync("g", GroupKind.User, members.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        await s.Ledger.Audit.WaitForSealAsync();
        return s;
    }

    // The feed reads only the sealed prefix, and a read that finds the background sealer busy sees the head it left:
    // a test that expects every committed event waits until they are sealed.
    private static async Task CommitAndSealAsync(Scenario s, ILedgerCommand command)
    {
        await s.RunAsync(command);
        await s.Ledger.Audit.WaitForSealAsync();
    }

    private async Task<List<long>> PositionsAsync(string tenant) =>
        [.. (await TestServer.ScalarAsync<long[]>(
            $"select array_agg(seq_id order by seq_id) from {db.SchemaName}.mt_events where tenant_id = @t and type like 'vpp.%'", ("t", tenant)))!];

    [Fact]
    [Trait("Rule", "I1")]
    public async Task a_webhook_that_fails_and_duplicates_and_a_feed_that_crashes_lose_no_event_and_never_move_the_checkpoint_back()
    {
        var s = await TenantWithHistoryAsync("feed-webhook", users: 40);
        await using var receiver = new LoopbackReceiver(Secret, n => (n % 4) switch
        {
            1 => LoopbackReceiver.Answer.Fail,
            2 => LoopbackReceiver.Answer.AcceptThenFail,
            _ => LoopbackReceiver.Answer.Accept,
        });
        using var http = new HttpClient();
        var webhook = new WebhookChangeSink(http, receiver.Endpoint, Secret, new WebhookOptions { InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) });
        var checkpoints = new List<long>();
        var options = new ChangeFeedOptions { BatchSize = 7 };

        // The first process delivers three batches and dies before committing the third.
        var crashing = new ObservingSink(s.Ledger.ChangeFeed("siem"), webhook, checkpoints, crashAfterBatches: 3);
        await Assert.ThrowsAsync<TimeoutException>(() => s.Ledger.ChangeFeed("siem").RunAsync(crashing, options));
        var afterCrash = await s.Ledger.ChangeFeed("siem").CheckpointAsync();

        // More history, then a new process resumes from the committed checkpoint.
        await CommitAndSealAsync(s, new RecordUserLeftOrganization(new UserId("f0001"), s.NextId(), Scenario.Admin));
        var resumed = new ObservingSink(s.Ledger.ChangeFeed("siem"), webhook, checkpoints, crashAfterBatches: int.MaxValue);
        var final = await s.Ledger.ChangeFeed("siem").RunAsync(resumed, options);

        var positions = await PositionsAsync("feed-webhook");
        var received = receiver.Kept.SelectMany(b => b.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("position").GetInt64())
            .ToList();
        Assert.Equal(0, receiver.BadSignatures);
        Assert.Equal(positions, received.Distinct().Order()); // every event, nothing else
        Assert.True(received.Count > positions.Count, "the failing receiver must have caused duplicates");
        Assert.Equal(positions, received.Distinct()); // first arrivals are in log order
        Assert.Equal(positions[^1], final);
        Assert.True(afterCrash > 0 && afterCrash < positions[^1]);
        Assert.Equal(checkpoints.Order(), checkpoints); // monotonic
        Assert.True(receiver.Requests > receiver.Kept.Count);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task the_ndjson_sink_writes_each_event_once_per_run_and_a_committed_subscription_resumes_after_it()
    {
        var s = await TenantWithHistoryAsync("feed-ndjson", users: 6);
        var first = new StringWriter();
        var second = new StringWriter();

        var checkpoint = await s.Ledger.ChangeFeed("export").RunAsync(new NdjsonChangeSink(first));
        await CommitAndSealAsync(s, new RecordUserLeftOrganization(new UserId("f0002"), s.NextId(), Scenario.Admin));
        var next = await s.Ledger.ChangeFeed("export").RunAsync(new NdjsonChangeSink(second));
        var other = await s.Ledger.ChangeFeed("other").ReadAsync(0, 10_000);

        var lines = first.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var later = second.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var positions = await PositionsAsync("feed-ndjson");
        Assert.Equal(positions, lines.Concat(later).Select(l => l.GetProperty("position").GetInt64()));
        Assert.All(lines, l => Assert.Equal("feed-ndjson", l.GetProperty("tenant").GetString()));
        Assert.Contains(later, l => l.GetProperty("event").GetString() == "vpp.user.left_organization.v1");
        Assert.Equal("admin@example.org", lines[0].GetProperty("actor").GetString());
        Assert.Equal(positions[^1], next);
        Assert.True(checkpoint < next);
        Assert.Equal(positions, other.Select(e => e.Position)); // subscriptions are independent
        Assert.Equal(next, await s.Ledger.ChangeFeed("export").CommitAsync(1)); // never back
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task a_tenants_feed_carries_no_event_of_another_tenant()
    {
        var a = await TenantWithHistoryAsync("feed-a", users: 2);
        await TenantWithHistoryAsync("feed-b", users: 2);
        await a.Ledger.Audit.WaitForSealAsync();

        var events = await a.Ledger.ChangeFeed("siem").ReadAsync(0, 10_000);

        Assert.Equal(await PositionsAsync("feed-a"), events.Select(e => e.Position));
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task a_following_feed_hands_over_an_event_committed_after_it_caught_up()
    {
        var s = await TenantWithHistoryAsync("feed-follow", users: 2);
        var seen = new TaskCompletionSource<FeedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var sink = new CallbackSink(e => { if (e.EventName == "vpp.user.left_organization.v1") { seen.TrySetResult(e); } });

        var run = s.Ledger.ChangeFeed("follow").RunAsync(sink, new ChangeFeedOptions { Follow = true, PollInterval = TimeSpan.FromMilliseconds(10) }, stop.Token);
        var left = await s.RunAsync(new RecordUserLeftOrganization(new UserId("f0001"), s.NextId(), Scenario.Admin));
        var delivered = await seen.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(left.Changes[0].Stream, delivered.Stream);
    }

    private sealed class CallbackSink(Action<FeedEvent> onEvent) : IChangeSink
    {
        public Task DeliverAsync(TenantId tenant, IReadOnlyList<FeedEvent> batch, CancellationToken cancellationToken)
        {
            foreach (var e in batch)
            {
                onEvent(e);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Records the committed checkpoint before each batch, delivers it, and "crashes" after the given number of batches.</summary>
    private sealed class ObservingSink(IChangeFeed feed, IChangeSink inner, List<long> checkpoints, int crashAfterBatches) : IChangeSink
    {
        private int _batches;

        public async Task DeliverAsync(TenantId tenant, IReadOnlyList<FeedEvent> batch, CancellationToken cancellationToken)
        {
            var committed = await feed.CheckpointAsync(cancellationToken);
            checkpoints.Add(committed);
            Assert.True(batch[0].Position > committed);
            await inner.DeliverAsync(tenant, batch, cancellationToken);
            if (++_batches == crashAfterBatches)
            {
                throw new TimeoutException("simulated crash after delivery, before the checkpoint was committed");
            }
        }
    }
}
