using VppLedger.Audit;
using VppLedger.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// Every tampering case of the chain-and-throughput issue (11), each on a tenant of its own in the cluster the suite
/// owns: events of the log edited, deleted or forged; audit rows edited, deleted or inserted; links deleted; the tail
/// of all three truncated. Verify must name each one (the recorded head anchors the truncation), and still name it
/// after a rebuild of every projection when the log or the chain was touched (I1, I2). The audit table is a
/// projection of the log: a rebuild derives its rows again from the untouched log, so a tampering of the rows alone
/// is healed, and verify then rightly says intact. The figure "tamper cases found" must equal "tamper cases".
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class tampering_with_the_log_is_always_found(ReliabilityRun run, ITestOutputHelper output)
{
    private sealed record Case(string Name, Func<string, string, string> Sql, bool HealedByRebuild = false);

    // {0} is the schema, {1} the tenant. Every statement changes the database behind the ledger's back.
    private static readonly Case[] Cases =
    [
        new("a purchased count edited in the log", (s, t) => $"update {s}.mt_events set data = jsonb_set(data, '{{PurchasedCount}}', '9999') where tenant_id = '{t}' and seq_id = (select min(seq_id) from {s}.mt_events where tenant_id = '{t}' and type = 'vpp.pool.apple_counts_applied.v1')"),
        new("a grant's holder edited in the log", (s, t) => $"update {s}.mt_events set data = jsonb_set(data, '{{Holder}}', '\"d.forged\"') where tenant_id = '{t}' and seq_id = (select min(seq_id) from {s}.mt_events where tenant_id = '{t}' and type = 'vpp.pool.license_granted.v1')"),
        new("an event's actor edited in the log", (s, t) => $"update {s}.mt_events set user_name = 'someone-else' where tenant_id = '{t}' and seq_id = (select min(seq_id) from {s}.mt_events where tenant_id = '{t}' and type = 'vpp.pool.license_granted.v1')"),
        new("an event deleted from the log", (s, t) => $"delete from {s}.mt_events where tenant_id = '{t}' and seq_id = (select min(seq_id) from {s}.mt_events where tenant_id = '{t}' and type = 'vpp.pool.license_granted.v1')"),
        new("the last event deleted from the log", (s, t) => $"delete from {s}.mt_events where tenant_id = '{t}' and seq_id = (select max(seq) from {s}.vpp_audit_chain where tenant_id = '{t}')"),
        new("an audit row edited", (s, t) => $"update {s}.vpp_audit set actor = 'someone-else' where tenant_id = '{t}' and seq = (select min(seq) from {s}.vpp_audit where tenant_id = '{t}' and action = 'license_granted')", HealedByRebuild: true),
        new("the last audit row deleted", (s, t) => $"delete from {s}.vpp_audit where tenant_id = '{t}' and seq = (select max(seq) from {s}.vpp_audit where tenant_id = '{t}')", HealedByRebuild: true),
        new("every audit row of the tenant deleted", (s, t) => $"delete from {s}.vpp_audit where tenant_id = '{t}'", HealedByRebuild: true),
        new("a link of the chain deleted", (s, t) => $"delete from {s}.vpp_audit_chain where tenant_id = '{t}' and chain_position = 2"),
        new("a link's hash overwritten", (s, t) => $"update {s}.vpp_audit_chain set event_hash = sha256('forged') where tenant_id = '{t}' and chain_position = 3"),
        new("the tail of log, rows and links truncated together", (s, t) =>
            $"""
            delete from {s}.mt_events where tenant_id = '{t}' and seq_id > (select seq from {s}.vpp_audit_chain where tenant_id = '{t}' and chain_position = 3);
            delete from {s}.vpp_audit where tenant_id = '{t}' and seq > (select seq from {s}.vpp_audit_chain where tenant_id = '{t}' and chain_position = 3);
            delete from {s}.vpp_audit_chain where tenant_id = '{t}' and chain_position > 3;
            """),
    ];

    [Fact]
    [Trait("Rule", "I1")]
    [Trait("Rule", "I2")]
    public async Task every_tampering_is_named_by_verify_before_and_after_a_rebuild()
    {
        var figures = run.For("tampering");
        var (ledger, clock, schema) = run.NewLedger();
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();

        var tenants = new List<(Case Case, ITenantLedger Ledger, ChainHead Head)>();
        for (var i = 0; i < Cases.Length; i++)
        {
            var work = new Workload(ledger.ForTenant(new TenantId($"tamper-{i:D2}")), clock.GetCurrentInstant(), $"tamper{i:D2}x", poolCount: 1, deviceCount: 6, licenses: 4);
            await work.SetUpAsync();
            var random = new Random(900 + i);
            for (var c = 0; c < 12; c++)
            {
                await Host.ExecuteAsync(work.Ledger, work.Mixed(random, "user"), figures);
            }

            var sealedStatus = await work.Ledger.Audit.WaitForSealAsync();
            var before = await work.Ledger.Audit.VerifyChainAsync();
            Assert.True(before.IsIntact, $"{Cases[i].Name}: the untouched chain must verify ({before.FirstMismatch?.Reason})");
            tenants.Add((Cases[i], work.Ledger, sealedStatus.Head!));
        }

        foreach (var (c, tenant, _) in tenants)
        {
            await run.ScalarAsync<object>(c.Sql(schema, tenant.Tenant.Value));
        }

        var missed = new List<string>();
        foreach (var phase in new[] { "before a rebuild", "after a rebuild" })
        {
            if (phase == "after a rebuild")
            {
                await ledger.RebuildAsync();
            }

            foreach (var (c, tenant, head) in tenants)
            {
                var verification = await tenant.Audit.VerifyChainAsync(head);
                if (phase == "after a rebuild" && c.HealedByRebuild)
                {
                    if (!verification.IsIntact)
                    {
                        figures.Mismatch();
                        missed.Add($"{c.Name}: the rebuilt rows should match the untouched log ({verification.FirstMismatch!.Reason})");
                    }

                    continue;
                }

                figures.TamperCase();
                if (verification.IsIntact)
                {
                    missed.Add($"{c.Name} ({phase}): verify said intact");
                    continue;
                }

                figures.TamperFound();
                output.WriteLine($"found {phase}: {c.Name}: {verification.FirstMismatch!.Kind}: {verification.FirstMismatch.Reason}");
            }
        }

        Assert.True(missed.Count == 0, "not as expected: " + string.Join("; ", missed));
    }
}
