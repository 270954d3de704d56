using System.Diagnostics;
using VppLedger.ReliabilityTests.Infrastructure;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// A tenant whose only commands were rejected, failed or lost a race does not exist: <c>ExistsAsync</c> is false and
/// no query, report or export shows anything. Marten 9 writes "tombstone" rows into the event table for the events of
/// a failed SaveChanges (always, with no option to turn it off: EventGraph.TryCreateTombstoneBatch), under the
/// session's tenant; the ledger reads only its own event types, so they are never data (docs/guarantees.md).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class failed_and_rejected_commands_leave_no_ghost_tenant(ReliabilityRun run)
{
    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "X2")]
    public async Task a_tenant_whose_only_commands_were_rejected_or_failed_does_not_exist_and_shows_nothing()
    {
        var figures = run.For("no trace");
        var (ledger, clock, schema) = run.NewLedger();
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();
        await Faults.InstallAsync(run, schema);

        // Rejected: an upload without the admin's consent (T5), and a grant in a pool nobody synced.
        var rejected = new Workload(ledger.ForTenant(new TenantId("only-rejected")), clock.GetCurrentInstant(), "rejected", 1, 1, 1);
        var noConsent = await Host.ExecuteAsync(rejected.Ledger, rejected.Upload(consent: false), figures);
        var noPool = await Host.ExecuteAsync(rejected.Ledger, rejected.Grant(rejected.Pools[0], rejected.Devices[0]), figures);
        Assert.Equal(CommandStatus.Rejected, noConsent!.Status);
        Assert.Equal(CommandStatus.Rejected, noPool!.Status);

        // Failed: the transaction breaks after the events were appended (a connection failure before COMMIT).
        var failed = new Workload(ledger.ForTenant(new TenantId("only-failed")), clock.GetCurrentInstant(), "failed", 1, 1, 1);
        foreach (var command in new ILedgerCommand[]
        {
            failed.Upload() with { Id = new CommandId("fail-before-upload") },
            failed.NewUser("u1") with { Id = new CommandId("fail-before-user") },
            new Directory.CreateGroup(failed.Group, Directory.GroupKind.Device, new CommandId("fail-before-group"), Workload.Sync),
        })
        {
            figures.Command();
            await Assert.ThrowsAsync<LedgerUnavailableException>(() => failed.Ledger.ExecuteAsync(command));
            figures.Unavailable();
        }

        // Marten posts its tombstones in the background after the failure; wait for them (bounded) so the check below
        // sees them when Marten writes them.
        var tombstones = 0L;
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(10) && tombstones == 0; await Task.Delay(100))
        {
            tombstones = await run.ScalarAsync<long>($"select count(*) from {schema}.mt_events where tenant_id = 'only-failed'");
        }

        run.Note($"Marten wrote {tombstones} tombstone rows in the event table for 3 failed commands of a fresh tenant; the ledger ignores them");

        foreach (var tenant in new[] { rejected.Ledger, failed.Ledger })
        {
            Assert.False(await tenant.ExistsAsync(), $"{tenant.Tenant.Value} exists");
            Assert.Empty(await tenant.ListTokensAsync());
            Assert.Empty(await tenant.ListPoolsAsync());
            Assert.Empty(await tenant.Audit.HistoryAsync().ToListAsync());
            var export = new StringWriter();
            Assert.Equal(0, await tenant.Audit.ExportAsync(export, Audit.AuditExportFormat.Ndjson));
            Assert.Equal("", export.ToString());
            var position = await tenant.Audit.TenantAsOfAsync(clock.GetCurrentInstant());
            Assert.Empty(position.Pools);
            Assert.Empty(position.Tokens);
            Assert.True((await tenant.Audit.VerifyChainAsync()).IsIntact);
            foreach (var table in new[] { "mt_streams", "mt_doc_tokendoc", "mt_doc_pooldoc", "mt_doc_userdoc", "mt_doc_commandrecord", "mt_doc_tokensecretdoc", "vpp_location_claim", "vpp_audit" })
            {
                // Marten's own tombstone stream is the one row allowed in mt_streams.
                var notTombstone = table == "mt_streams" ? " and id <> 'mt_tombstone'" : "";
                Assert.Equal(0L, await run.ScalarAsync<long>($"select count(*) from {schema}.{table} where tenant_id = @t{notTombstone}", ("t", tenant.Tenant.Value)));
            }
        }

        Assert.Equal(0, figures.RawExceptions);
    }
}
