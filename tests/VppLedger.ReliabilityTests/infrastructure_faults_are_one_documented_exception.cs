using VppLedger.ReliabilityTests.Infrastructure;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// A host gets one exception for an unavailable database, <see cref="LedgerUnavailableException"/>, whose
/// <see cref="LedgerUnavailableException.OutcomeUnknown"/> says whether the commit was sent; retrying the same command
/// id is always safe (I4). The faults are made deterministic: a server that is not there, and triggers that fail a
/// command's transaction with a connection error (SQLSTATE 08006) before or at COMMIT.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class infrastructure_faults_are_one_documented_exception(ReliabilityRun run)
{
    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_database_that_is_not_there_gives_the_documented_exception_to_commands_queries_and_the_audit()
    {
        var figures = run.For("faults");
        var closedPort = OwnedCluster.FreeLoopbackPort();
        await using var ledger = LicenseLedger.Create($"Host=127.0.0.1;Port={closedPort};Username=postgres;Timeout=5", o => o.SchemaName = "absent");
        var tenant = ledger.ForTenant(new TenantId("nobody"));
        var work = new Workload(tenant, ReliabilityRun.Start, "nobody", 1, 1, 1);

        figures.Command();
        var command = await Assert.ThrowsAsync<LedgerUnavailableException>(() => tenant.ExecuteAsync(work.NewUser("u1")));
        figures.Unavailable();
        Assert.True(command.CertainlyNotApplied);
        Assert.Contains("same command id", command.Message, StringComparison.Ordinal);
        Assert.NotNull(command.InnerException);

        var queries = new Func<Task>[]
        {
            () => tenant.ExistsAsync(),
            () => tenant.ListPoolsAsync(),
            () => tenant.GetPoolAsync(work.Pools[0]),
            () => tenant.GetQueueAsync(work.Pools[0]),
            () => tenant.ListTokensAsync(),
            () => tenant.GetTokenAsync(work.Token),
            () => tenant.GetUserLicensesAsync(work.User),
            () => tenant.GetDeviceLicensesAsync(work.Devices[0]),
            () => tenant.GetOversubscriptionAsync(),
            () => tenant.ListAssignmentsAsync(work.Pools[0].AdamId),
            () => tenant.GetPromptsAsync(work.Devices[0], LicenseType.Device),
            () => tenant.RevealTokenSecretAsync(work.Token),
            () => tenant.Audit.VerifyChainAsync(),
            () => tenant.Audit.PoolAsOfAsync(work.Pools[0], ReliabilityRun.Start),
            () => tenant.Audit.TokenAsOfAsync(work.Token, ReliabilityRun.Start),
            () => tenant.Audit.TenantAsOfAsync(ReliabilityRun.Start),
            () => tenant.Audit.HolderAsOfAsync(Holder.ForDevice(work.Devices[0]), ReliabilityRun.Start),
            () => tenant.Audit.ExplainAsync(Holder.ForDevice(work.Devices[0]), work.Pools[0], ReliabilityRun.Start),
            () => tenant.Audit.ExportAsync(new StringWriter(), Audit.AuditExportFormat.Ndjson),
            async () => await tenant.Audit.HistoryAsync().ToListAsync(),
        };
        foreach (var query in queries)
        {
            var e = await Assert.ThrowsAsync<LedgerUnavailableException>(query);
            figures.Unavailable();
            Assert.True(e.CertainlyNotApplied);
        }
    }

    [Fact]
    [Trait("Rule", "I4")]
    public async Task a_connection_lost_before_commit_is_certainly_not_applied_and_one_lost_at_commit_is_unknown_and_a_retry_applies_it_once()
    {
        var figures = run.For("faults");
        var (ledger, clock, schema) = run.NewLedger();
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();
        var tenant = ledger.ForTenant(new TenantId("faulty"));
        var work = new Workload(tenant, clock.GetCurrentInstant(), "faulty", 1, 2, 5);
        await work.SetUpAsync();
        await Faults.InstallAsync(run, schema);

        // Fails while the batch runs, before COMMIT.
        var before = work.NewUser("user-before") with { Id = new CommandId("fail-before-1") };
        figures.Command();
        var lostBefore = await Assert.ThrowsAsync<LedgerUnavailableException>(() => tenant.ExecuteAsync(before));
        figures.Unavailable();
        Assert.False(lostBefore.OutcomeUnknown);

        // Fails at COMMIT (a deferred constraint trigger): the outcome is unknown to the ledger.
        var atCommit = work.NewUser("user-at-commit") with { Id = new CommandId("fail-at-commit-1") };
        figures.Command();
        var lostAtCommit = await Assert.ThrowsAsync<LedgerUnavailableException>(() => tenant.ExecuteAsync(atCommit));
        figures.Unavailable();
        Assert.True(lostAtCommit.OutcomeUnknown);

        // Once the database is back, the same command ids apply each command exactly once (I4).
        await Faults.RemoveAsync(run, schema);
        foreach (var command in new[] { before, atCommit })
        {
            var first = await Host.ExecuteAsync(tenant, command, figures);
            var again = await Host.ExecuteAsync(tenant, command, figures);
            Assert.Equal(CommandStatus.Applied, first!.Status);
            Assert.True(again!.IsReplay);
            Assert.Equal(1L, await run.ScalarAsync<long>($"select count(*) from {schema}.mt_events where tenant_id = 'faulty' and stream_id = @s", ("s", first.Changes[0].Stream)));
        }

        Assert.Equal(0, figures.RawExceptions);
    }
}

/// <summary>Triggers that fail a command's transaction with SQLSTATE 08006 (connection failure) for marked command ids.</summary>
public static class Faults
{
    public static Task InstallAsync(ReliabilityRun run, string schema) => run.ScalarAsync<object>($"""
        create function {schema}.fail_marked() returns trigger language plpgsql as $$
        begin
          if new.id like 'fail-%' then raise exception 'simulated connection failure' using errcode = '08006'; end if;
          return new;
        end $$;
        create trigger fail_before_commit before insert on {schema}.mt_doc_commandrecord
          for each row when (new.id like 'fail-before-%') execute function {schema}.fail_marked();
        create constraint trigger fail_at_commit after insert on {schema}.mt_doc_commandrecord deferrable initially deferred
          for each row when (new.id like 'fail-at-commit-%') execute function {schema}.fail_marked();
        """);

    public static Task RemoveAsync(ReliabilityRun run, string schema) => run.ScalarAsync<object>($"""
        drop trigger fail_before_commit on {schema}.mt_doc_commandrecord;
        drop trigger fail_at_commit on {schema}.mt_doc_commandrecord;
        drop function {schema}.fail_marked();
        """);
}
