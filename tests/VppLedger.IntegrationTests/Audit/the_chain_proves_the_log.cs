using Marten;
using Marten.Services;
using NodaTime;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>A ledger whose chain is sealed only when a test asks (no background sealer), and whose commands can be held open before their commit.</summary>
public sealed class ManualSealLedgerFixture : LedgerFixture
{
    public CommitGate Gate { get; } = new();

    protected override void Configure(VppLedgerOptions options)
    {
        options.SealInterval = TimeSpan.Zero;
        options.ConfigureMarten = o => o.Listeners.Add(Gate);
    }
}

/// <summary>Holds the next command's transaction open after its statements ran and before its commit, until released.</summary>
public sealed class CommitGate : DocumentSessionListenerBase, ITransactionParticipant
{
    private TaskCompletionSource? _entered;
    private TaskCompletionSource? _release;

    /// <summary>Arms the gate for the next commit; its first task completes when that transaction is open and waiting.</summary>
    public (Task Entered, TaskCompletionSource Release) Arm()
    {
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (_entered.Task, _release);
    }

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (_release is not null && session is ITransactionParticipantRegistrar registrar)
        {
            registrar.AddTransactionParticipant(this);
        }

        return Task.CompletedTask;
    }

    public async Task BeforeCommitAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, CancellationToken token)
    {
        var release = Interlocked.Exchange(ref _release, null);
        if (release is not null)
        {
            _entered!.SetResult();
            await release.Task.ConfigureAwait(false);
        }
    }

    public Task AfterCommitAsync(CancellationToken token) => Task.CompletedTask;
}

/// <summary>
/// The chain is defined over the event log in log order and is sealed outside the commands (I1, I2): every change,
/// deletion or insertion of an event, an audit row or a link, and a truncated tail, is found and named by verify,
/// also after a rebuild; a rebuild keeps the head hash after concurrent writers; sealing never skips an event whose
/// transaction commits late.
/// </summary>
public sealed class the_chain_proves_the_log(ManualSealLedgerFixture db) : IClassFixture<ManualSealLedgerFixture>
{
    private string Schema => db.SchemaName;

    private async Task<(Scenario S, PoolId Pool, IReadOnlyList<AuditEntry> Rows)> SealedTenantAsync(string tenant, Func<Task>? afterFirstCommands = null)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok-" + tenant), "361309726", purchased: 2);
        if (afterFirstCommands is not null)
        {
            await afterFirstCommands();
        }

        var users = await s.UsersAsync("u", 4);
        var group = await s.GroupAsync("sales", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        await s.Ledger.Audit.WaitForSealAsync();
        var verification = await s.Ledger.Audit.VerifyChainAsync();
        Assert.True(verification.IsIntact, verification.FirstMismatch?.Reason);
        var rows = await s.Ledger.Audit.HistoryAsync().ToListAsync();
        Assert.All(rows, r => Assert.NotNull(r.ChainPosition));
        return (s, pool, rows);
    }

    private Task ExecAsync(string sql, params (string Name, object Value)[] parameters) => TestServer.ScalarAsync<object>(sql, parameters);

    private static void AssertNamed(ChainVerification v, ChainMismatchKind kind, AuditEntry row)
    {
        Assert.False(v.IsIntact);
        Assert.Equal(kind, v.FirstMismatch!.Kind);
        Assert.Equal((row.Sequence, row.Stream, row.Version), (v.FirstMismatch.Sequence, v.FirstMismatch.Stream, v.FirstMismatch.Version));
    }

    /// <summary>Takes a sequence number and throws it away (a rolled-back append), so that the sealed part of the log has a gap.</summary>
    private async Task<long> BurnASequenceNumberAsync() =>
        await TestServer.ScalarAsync<long>($"select nextval('{Schema}.mt_events_sequence')");

    [Fact]
    [Trait("Rule", "I1")]
    [Trait("Rule", "I2")]
    public async Task editing_an_event_in_the_log_is_named_also_after_a_rebuild()
    {
        var (s, _, rows) = await SealedTenantAsync("edit-event");
        var counts = rows.First(r => r.Action == "apple_counts_applied");

        await ExecAsync(
            $"update {Schema}.mt_events set data = jsonb_set(data, '{{PurchasedCount}}', '9999') where tenant_id = 'edit-event' and seq_id = @seq",
            ("seq", counts.Sequence));

        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.EventChanged, counts);
        await db.Ledger.RebuildAsync();
        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.EventChanged, counts);
    }

    [Fact]
    [Trait("Rule", "I1")]
    [Trait("Rule", "I2")]
    public async Task deleting_an_event_from_the_log_is_named_also_after_a_rebuild()
    {
        var (s, _, rows) = await SealedTenantAsync("delete-event");
        var granted = rows.First(r => r.Action == "license_granted");

        await ExecAsync($"delete from {Schema}.mt_events where tenant_id = 'delete-event' and seq_id = @seq", ("seq", granted.Sequence));

        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.EventDeleted, granted);
        await db.Ledger.RebuildAsync();
        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.EventDeleted, granted);
    }

    [Fact]
    [Trait("Rule", "I1")]
    [Trait("Rule", "I2")]
    public async Task inserting_an_event_into_the_sealed_log_is_named_also_after_a_rebuild()
    {
        long gap = 0;
        var (s, _, rows) = await SealedTenantAsync("insert-event", async () => gap = await BurnASequenceNumberAsync());
        var model = rows.First(r => r.Action == "user_recorded");

        // A forged event, with a sequence number inside the sealed part of the log.
        await ExecAsync(
            $"""
            create temp table forged on commit drop as select * from {Schema}.mt_events where tenant_id = 'insert-event' and seq_id = @model;
            update forged set seq_id = @gap, id = gen_random_uuid(), version = 1000;
            insert into {Schema}.mt_events select * from forged;
            """,
            ("model", model.Sequence), ("gap", gap));

        var verification = await s.Ledger.Audit.VerifyChainAsync();
        Assert.False(verification.IsIntact);
        Assert.Equal((ChainMismatchKind.EventInserted, gap, model.Stream, 1000L), (verification.FirstMismatch!.Kind, verification.FirstMismatch.Sequence, verification.FirstMismatch.Stream, verification.FirstMismatch.Version));
        await db.Ledger.RebuildAsync();
        Assert.Equal(ChainMismatchKind.EventInserted, (await s.Ledger.Audit.VerifyChainAsync()).FirstMismatch?.Kind);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task editing_an_audit_row_is_named()
    {
        var (s, _, rows) = await SealedTenantAsync("edit-row");
        var queued = rows.First(r => r.Action == "holder_queued");

        await ExecAsync(
            $"update {Schema}.vpp_audit set action = 'license_granted' where tenant_id = 'edit-row' and seq = @seq", ("seq", queued.Sequence));

        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.AuditRowChanged, queued);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task deleting_an_audit_row_the_last_one_or_all_of_them_is_named()
    {
        var (s, _, rows) = await SealedTenantAsync("delete-row");

        await ExecAsync($"delete from {Schema}.vpp_audit where tenant_id = 'delete-row' and seq = @seq", ("seq", rows[^1].Sequence));
        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.AuditRowDeleted, rows[^1]);

        await ExecAsync($"delete from {Schema}.vpp_audit where tenant_id = 'delete-row' and seq = @seq", ("seq", rows[3].Sequence));
        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.AuditRowDeleted, rows[3]);

        await ExecAsync($"delete from {Schema}.vpp_audit where tenant_id = 'delete-row'");
        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.AuditRowDeleted, rows[0]);

        // The rows are a projection of the log: a rebuild writes them again, and the kept chain verifies them.
        await db.Ledger.RebuildAsync();
        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task inserting_an_audit_row_is_named()
    {
        long gap = 0;
        var (s, _, rows) = await SealedTenantAsync("insert-row", async () => gap = await BurnASequenceNumberAsync());

        await ExecAsync(
            $"""
            create temp table forged on commit drop as select * from {Schema}.vpp_audit where tenant_id = 'insert-row' and seq = @model;
            update forged set seq = @gap, version = 1000, action = 'license_granted';
            insert into {Schema}.vpp_audit select * from forged;
            """,
            ("model", rows[1].Sequence), ("gap", gap));

        var verification = await s.Ledger.Audit.VerifyChainAsync();
        Assert.Equal((ChainMismatchKind.AuditRowInserted, gap), (verification.FirstMismatch!.Kind, verification.FirstMismatch.Sequence));
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task deleting_or_editing_a_link_is_named()
    {
        var (s, _, rows) = await SealedTenantAsync("links");

        await ExecAsync($"update {Schema}.vpp_audit_chain set hash = sha256(hash) where tenant_id = 'links' and seq = @seq", ("seq", rows[2].Sequence));
        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.AuditRowChanged, rows[2]);

        await ExecAsync($"delete from {Schema}.vpp_audit_chain where tenant_id = 'links' and seq = @seq", ("seq", rows[2].Sequence));
        AssertNamed(await s.Ledger.Audit.VerifyChainAsync(), ChainMismatchKind.LinkBroken, rows[2]);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task a_truncated_tail_is_found_against_a_head_recorded_earlier()
    {
        var (s, pool, _) = await SealedTenantAsync("truncate");
        var recorded = (await s.Ledger.Audit.VerifyChainAsync()).Head!;
        await s.CountsAsync(pool, purchased: 5);
        await s.Ledger.Audit.WaitForSealAsync();
        Assert.True((await s.Ledger.Audit.VerifyChainAsync(ChainHead.Parse(recorded.ToString()))).ExtendsRecordedHead);

        // Everything from the recorded head on is removed, consistently: events, rows, links, the sealed head.
        await ExecAsync(
            $"""
            delete from {Schema}.mt_events where tenant_id = 'truncate' and seq_id >= @seq;
            delete from {Schema}.vpp_audit where tenant_id = 'truncate' and seq >= @seq;
            delete from {Schema}.vpp_audit_chain where tenant_id = 'truncate' and seq >= @seq;
            update {Schema}.vpp_audit_head h set chain_position = c.chain_position, seq = c.seq, hash = c.hash
              from {Schema}.vpp_audit_chain c where h.tenant_id = 'truncate' and c.tenant_id = 'truncate' and c.chain_position = @position - 1;
            """,
            ("seq", recorded.Sequence), ("position", recorded.Position));

        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact); // nothing inside the database can tell
        var verification = await s.Ledger.Audit.VerifyChainAsync(recorded);
        Assert.False(verification.IsIntact);
        Assert.False(verification.ExtendsRecordedHead);
        Assert.Equal(ChainMismatchKind.Truncated, verification.FirstMismatch!.Kind);

        var forged = (await s.Ledger.Audit.VerifyChainAsync(recorded with { Position = 2 })).FirstMismatch;
        Assert.Equal(ChainMismatchKind.DoesNotExtendRecordedHead, forged!.Kind);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task a_seal_asked_while_another_sealer_works_waits_its_turn_and_seals_what_was_committed()
    {
        var (s, pool, _) = await SealedTenantAsync("turns");
        await s.CountsAsync(pool, purchased: 7); // committed, not sealed (no background sealer here)

        // Another sealer (another process) holds the turn: the seal lock, a session-level advisory lock.
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Schema + ".vpp_audit_seal")), 0);
        await using var other = new Npgsql.NpgsqlConnection(await TestServer.ConnectionStringAsync());
        await other.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand($"select pg_advisory_lock({key})", other))
        {
            await take.ExecuteNonQueryAsync();
        }

        var seal = s.Ledger.Audit.SealAsync();
        // Wait until the call is queued behind the lock (seen by PostgreSQL, not by a timer); then the other sealer ends.
        while (!seal.IsCompleted && await TestServer.ScalarAsync<long>($"select count(*) from pg_locks where locktype = 'advisory' and not granted and ((classid::bigint << 32) | objid::bigint) = {key}") == 0)
        {
            await Task.Yield();
        }

        await using (var release = new Npgsql.NpgsqlCommand($"select pg_advisory_unlock({key})", other))
        {
            await release.ExecuteNonQueryAsync();
        }

        var status = await seal;

        Assert.Equal(0, status.UnsealedCount); // before: the call returned at once with the tail unsealed
        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task sealing_never_skips_an_event_whose_transaction_commits_late()
    {
        var (s, pool, _) = await SealedTenantAsync("late");
        var audit = s.Ledger.Audit;

        // A command's transaction, held open after its events are written and before its commit.
        var (entered, release) = db.Gate.Arm();
        var late = Task.Run(() => s.RunAsync(new RecordUser(new UserId("late-user"), null, new AppleId("late@contoso.example", AppleIdKind.Managed), s.NextId(), Scenario.Admin)));
        await entered;
        var lateSeq = await TestServer.ScalarAsync<long>($"select last_value from {Schema}.mt_events_sequence");

        // Another command commits after it, with a higher sequence number; the seal stops before the open one.
        await s.CountsAsync(pool, purchased: 6);
        var during = await audit.SealAsync();
        Assert.True(during.SealedThrough < lateSeq, $"sealed through {during.SealedThrough}, past the open transaction's {lateSeq}");
        Assert.True(during.UnsealedCount > 0);
        Assert.True((await audit.VerifyChainAsync()).IsIntact);

        release.SetResult();
        await late;
        var after = await audit.WaitForSealAsync();
        var verification = await audit.VerifyChainAsync();

        Assert.Equal(0, after.UnsealedCount);
        Assert.True(verification.IsIntact, verification.FirstMismatch?.Reason);
        Assert.Equal(1, await TestServer.ScalarAsync<long>($"select count(*) from {Schema}.vpp_audit_chain where tenant_id = 'late' and stream = 'user:late-user'"));
        Assert.Equal(await db.EventCountAsync("late"), verification.RowCount);
    }

    [Fact]
    [Trait("Rule", "I1")]
    [Trait("Rule", "I2")]
    public async Task a_rebuild_after_eight_concurrent_writers_keeps_the_head_hash()
    {
        const int Writers = 8;
        const int GrantsPerWriter = 25;
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("writers")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok-writers");
        var pools = new List<PoolId> { await s.SyncedPoolAsync(token, "1000", purchased: 40) };
        for (var i = 1; i < Writers / 2; i++)
        {
            pools.Add(await s.SyncedPoolAsync(token, (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), purchased: 40, upload: false));
        }

        // A direct grant takes only holders the directory recorded (rule A1).
        for (var w = 0; w < Writers; w++)
        {
            for (var i = 0; i < GrantsPerWriter; i++)
            {
                await s.DeviceAsync($"w{w}-{i}", Scenario.CorporateSupervised());
            }
        }

        // Two writers per pool: commits interleave across pools, and conflicts on a pool leave gaps in the sequence.
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < GrantsPerWriter; i++)
            {
                // Exhausted retries are a typed outcome that wrote nothing: a host retries the same command id (I3).
                var grant = new GrantLicenses(pools[w % pools.Count], [Holder.ForDevice(new DeviceId($"w{w}-{i}"))], s.NextId(), Scenario.Admin);
                CommandOutcome outcome;
                do
                {
                    outcome = await s.Ledger.ExecuteAsync(grant);
                }
                while (outcome.Rejection?.Code == "ConcurrencyConflict");

                Assert.True(outcome.Succeeded, outcome.Rejection?.Message);
            }
        })));

        await s.Ledger.Audit.WaitForSealAsync();
        var live = await s.Ledger.Audit.VerifyChainAsync();
        Assert.True(live.IsIntact, live.FirstMismatch?.Reason);
        Assert.Equal(await db.EventCountAsync("writers"), live.RowCount);

        await db.Ledger.RebuildAsync();
        var rebuilt = await s.Ledger.Audit.VerifyChainAsync(live.Head);
        Assert.True(rebuilt.IsIntact, rebuilt.FirstMismatch?.Reason);
        Assert.Equal(live.Head, rebuilt.Head);

        // The chain is a function of the log: sealed again from nothing, it is the same, head hash included.
        await ExecAsync($"truncate {Schema}.vpp_audit_chain, {Schema}.vpp_audit_head, {Schema}.vpp_audit_seal");
        await db.Ledger.RebuildAsync();
        var resealed = await s.Ledger.Audit.VerifyChainAsync(live.Head);
        Assert.True(resealed.IsIntact, resealed.FirstMismatch?.Reason);
        Assert.Equal(live.Head, resealed.Head);
    }
}
