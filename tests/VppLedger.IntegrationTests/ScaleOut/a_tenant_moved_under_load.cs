using Npgsql;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.IntegrationTests.LocationTokens;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.ScaleOut;

/// <summary>
/// A tenant moves from the control database to db2 while several writers keep sending it commands: each command
/// either committed before the cut or was refused with the retryable TenantMoving and, retried with the same command
/// id, committed after the move, exactly once; the chain verifies on db2 and still extends the head recorded before the
/// move; the control database no longer holds the tenant; its location claim stays where it was (rule T4).
/// </summary>
public sealed class a_tenant_moved_under_load(GuardFixture db) : IClassFixture<GuardFixture>
{
    private const int Writers = 3;
    private const int CommandsPerWriter = 30;

    private static readonly Actor Sync = new("directory-sync", Permissions.Directory);

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "I4")]
    [Trait("Rule", "T4")]
    public async Task every_command_sent_during_the_move_commits_exactly_once_and_the_chain_carries_over()
    {
        var tenant = await db.TenantAsync("mover");
        await ReadModels.BookAsync(tenant, "loc-mover");
        var before = await tenant.Ledger.Audit.VerifyChainAsync();
        Assert.True(before.IsIntact);

        var applied = 0;
        var refusals = 0;
        var moveStarted = new TaskCompletionSource();
        async Task WriteAsync(int writer)
        {
            for (var i = 0; i < CommandsPerWriter; i++)
            {
                var command = new RecordUser(new UserId($"w{writer}-u{i}"), null, null, new CommandId($"mover-w{writer}-{i}"), Sync);
                while (true)
                {
                    var outcome = await tenant.Ledger.ExecuteAsync(command);
                    if (outcome.Status == CommandStatus.Applied)
                    {
                        if (Interlocked.Increment(ref applied) == Writers * 5)
                        {
                            moveStarted.TrySetResult();
                        }

                        break;
                    }

                    Assert.Equal(RejectionCodes.TenantMoving, outcome.Rejection?.Code);
                    Interlocked.Increment(ref refusals);
                    await Task.Delay(5);
                }
            }
        }

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w))).ToArray();
        await moveStarted.Task;
        var steps = new List<TenantMoveStep>();

        // Once the writes are stopped (the move reports sealing), a command is refused, retryably, and writes nothing.
        var duringMove = new RecordUser(new UserId("during-move"), null, null, new CommandId("mover-during"), Sync);
        CommandOutcome? refused = null;
        (string Source, string Target)? readModels = null;
        await db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2", new Progress(steps, step =>
        {
            if (step == TenantMoveStep.Sealing)
            {
                refused = tenant.Ledger.ExecuteAsync(duringMove).GetAwaiter().GetResult();
            }

            // Right before the switch: the source still holds the tenant as of the cut, the target its rebuilt projections.
            if (step == TenantMoveStep.Switching)
            {
                readModels = (ReadModels.OfAsync(db.Control, db.SchemaName, "mover").GetAwaiter().GetResult(), ReadModels.OfAsync(db.Db2, db.SchemaName, "mover").GetAwaiter().GetResult());
            }
        }));
        await Task.WhenAll(writers);
        Assert.Equal((RejectionCodes.TenantMoving, "I3"), (refused?.Rejection?.Code, refused?.Rejection?.Rule));

        // The projections were rebuilt on db2 from the copied log, not copied, and equal the source's (rule I2).
        Assert.NotNull(readModels);
        Assert.Equal(readModels.Value.Source, readModels.Value.Target);
        Assert.Contains(TenantMoveStep.Rebuilding, steps);
        Assert.Equal(CommandStatus.Applied, (await tenant.Ledger.ExecuteAsync(duringMove)).Status);

        // The model: every command exactly once, on db2, and nothing of the tenant left on the control database.
        Assert.Equal(Writers * CommandsPerWriter, applied);
        Assert.Equal("db2", await db.Ledger.Databases.FindTenantAsync(tenant.Ledger.Tenant));
        Assert.Equal(Writers * CommandsPerWriter, await CountAsync(db.Db2, "select count(*) from {0}.mt_events where tenant_id = 'mover' and stream_id like 'user:w%'"));
        Assert.Equal(Writers * CommandsPerWriter, await CountAsync(db.Db2, "select count(*) from {0}.mt_doc_commandrecord where tenant_id = 'mover' and id like 'mover-w%'"));
        Assert.Equal(0, await CountAsync(db.Control, "select count(*) from {0}.mt_events where tenant_id = 'mover' and type <> 'tombstone'"));
        Assert.Equal(0, await CountAsync(db.Control, "select count(*) from {0}.mt_streams where tenant_id = 'mover' and id <> 'mt_tombstone'"));
        Assert.Equal(0, await CountAsync(db.Control, "select count(*) from {0}.vpp_audit_chain where tenant_id = 'mover'"));
        Assert.Contains(TenantMoveStep.Switching, steps); // Marten's tombstones of refused writes are not the tenant's log

        // A command retried after the move is a replay of its first outcome, from the record that moved with it (I4).
        var replay = await tenant.Ledger.ExecuteAsync(new RecordUser(new UserId("w0-u0"), null, null, new CommandId("mover-w0-0"), Sync));
        Assert.True(replay.IsReplay);

        var after = await tenant.Ledger.Audit.VerifyChainAsync(before.Head);
        Assert.True(after.IsIntact, after.FirstMismatch?.ToString());
        Assert.Equal("mover held tok", await db.ClaimAsync("loc-mover"));
        Assert.Equal(1, await CountAsync(db.Db2, "select count(*) from {0}.mt_doc_tokendoc where tenant_id = 'mover' and not (data->>'Deleted')::boolean"));
        Assert.NotNull(await tenant.Ledger.GetTokenAsync(new TokenId("tok")));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_move_that_crashed_before_the_switch_leaves_the_tenant_in_its_database_and_run_again_finishes()
    {
        var tenant = await db.TenantAsync("crash-mover");
        var sync = new RecordUser(new UserId("u1"), null, null, new CommandId("crash-mover-1"), Sync);
        await tenant.RunAsync(sync);

        // A crash right before the registry switch (the commit point).
        await Assert.ThrowsAsync<TimeoutException>(() => db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2", new Progress([], step =>
        {
            if (step == TenantMoveStep.Switching)
            {
                throw new TimeoutException("simulated crash before the switch");
            }
        })));

        // The tenant lives where it was: readable there, its writes refused (retryable) until the move is run again.
        Assert.Equal(TenantDatabaseOptions.Control, await db.Ledger.Databases.FindTenantAsync(tenant.Ledger.Tenant));
        Assert.True(await tenant.Ledger.ExistsAsync());
        var meanwhile = new RecordUser(new UserId("u2"), null, null, new CommandId("crash-mover-2"), Sync);
        Assert.Equal(RejectionCodes.TenantMoving, (await tenant.Ledger.ExecuteAsync(meanwhile)).Rejection?.Code);

        await db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2");

        Assert.Equal("db2", await db.Ledger.Databases.FindTenantAsync(tenant.Ledger.Tenant));
        Assert.Equal(CommandStatus.Applied, (await tenant.Ledger.ExecuteAsync(meanwhile)).Status);
        Assert.True((await tenant.Ledger.Audit.VerifyChainAsync()).IsIntact);
        Assert.Equal(2, await CountAsync(db.Db2, "select count(*) from {0}.mt_events where tenant_id = 'crash-mover' and stream_id like 'user:%'"));
        Assert.Equal(0, await CountAsync(db.Control, "select count(*) from {0}.mt_events where tenant_id = 'crash-mover' and type <> 'tombstone'"));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_move_that_crashed_after_the_switch_serves_the_tenant_from_the_target_and_run_again_removes_the_old_copy()
    {
        var tenant = await db.TenantAsync("late-mover");
        await tenant.RunAsync(new RecordUser(new UserId("u1"), null, null, new CommandId("late-mover-1"), Sync));

        await Assert.ThrowsAsync<TimeoutException>(() => db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2", new Progress([], step =>
        {
            if (step == TenantMoveStep.RemovingOldCopy)
            {
                throw new TimeoutException("simulated crash after the switch");
            }
        })));

        Assert.Equal("db2", await db.Ledger.Databases.FindTenantAsync(tenant.Ledger.Tenant));
        Assert.Equal(CommandStatus.Applied, (await tenant.Ledger.ExecuteAsync(new RecordUser(new UserId("u2"), null, null, new CommandId("late-mover-2"), Sync))).Status);
        Assert.Equal(1, await CountAsync(db.Control, "select count(*) from {0}.mt_events where tenant_id = 'late-mover' and type <> 'tombstone'"));

        await db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2");

        Assert.Equal(0, await CountAsync(db.Control, "select count(*) from {0}.mt_events where tenant_id = 'late-mover' and type <> 'tombstone'"));
        Assert.Equal(2, await CountAsync(db.Db2, "select count(*) from {0}.mt_events where tenant_id = 'late-mover' and stream_id like 'user:%'"));
        Assert.True((await tenant.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_feed_checkpoint_committed_during_the_move_is_refused_retryably_and_not_written_into_the_source()
    {
        var tenant = await db.TenantAsync("feed-mover");
        await ReadModels.BookAsync(tenant, "loc-feed-mover");
        var feed = tenant.Ledger.ChangeFeed("siem");
        var events = await feed.ReadAsync(0, 1000);
        var first = await feed.CommitAsync(events[2].Position);

        LedgerUnavailableException? refused = null;
        await db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, "db2", new Progress([], step =>
        {
            if (step == TenantMoveStep.Copying)
            {
                refused = Assert.ThrowsAsync<LedgerUnavailableException>(() => feed.CommitAsync(events[^1].Position)).GetAwaiter().GetResult();
            }
        }));

        Assert.NotNull(refused);
        Assert.False(refused.OutcomeUnknown);
        Assert.Equal(first, await CountAsync(db.Db2, "select checkpoint_seq from {0}.vpp_feed_checkpoint where tenant_id = 'feed-mover'")); // the copy carried the checkpoint of before
        Assert.Equal(first, await feed.CheckpointAsync());

        // After the move it commits, on db2.
        Assert.Equal(events[^1].Position, await feed.CommitAsync(events[^1].Position));
        Assert.Equal(events[^1].Position, await CountAsync(db.Db2, "select checkpoint_seq from {0}.vpp_feed_checkpoint where tenant_id = 'feed-mover'"));
    }

    private async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, db.SchemaName), connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    // Synchronous (unlike System.Progress): the move waits for the callback, so a command sent in it meets the step.
    private sealed class Progress(List<TenantMoveStep> steps, Action<TenantMoveStep> onStep) : IProgress<TenantMoveProgress>
    {
        public void Report(TenantMoveProgress value)
        {
            lock (steps)
            {
                steps.Add(value.Step);
            }

            onStep(value.Step);
        }
    }
}
