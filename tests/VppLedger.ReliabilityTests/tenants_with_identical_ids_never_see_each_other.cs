using System.Text;
using VppLedger.Audit;
using VppLedger.ReliabilityTests.Infrastructure;
using VppLedger.Storage;
using Xunit.Abstractions;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// Ten tenants with identical token, pool, user, device and group ids, written to at the same time. Each tenant's data
/// carries a marker of its own (in command ids, names, Apple IDs, serial numbers, the secret); every query, audit call,
/// export and tool command of one tenant is searched for the markers of the nine others (X2). Hostile tenant ids are
/// refused with the documented <see cref="ArgumentException"/>, and tenant ids differing only in case are two tenants.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class tenants_with_identical_ids_never_see_each_other(ReliabilityRun run, ITestOutputHelper output)
{
    private const int TenantCount = 10;
    private static readonly int CommandsPerTenant = ReliabilityRun.Long ? 200 : 40;
    private static readonly NewtonsoftSerializer Json = new();

    [Fact]
    [Trait("Rule", "X2")]
    public async Task no_query_audit_call_export_or_tool_command_of_one_tenant_shows_another_tenants_data()
    {
        var figures = run.For("tenants");
        var (ledger, clock, schema) = run.NewLedger();
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();
        var tenants = Enumerable.Range(1, TenantCount)
            .Select(i => new Workload(ledger.ForTenant(new TenantId($"tenant-{i:D2}")), clock.GetCurrentInstant(), $"mark{i:D2}x", poolCount: 2, deviceCount: 12, licenses: 5 + i))
            .ToList();

        await Task.WhenAll(tenants.Select(t => t.SetUpAsync()));
        await Task.WhenAll(tenants.Select((t, i) => Task.Run(async () =>
        {
            var random = new Random(500 + i);
            for (var c = 0; c < CommandsPerTenant; c++)
            {
                await Host.ExecuteAsync(t.Ledger, t.Mixed(random, "user"), figures);
            }
        })));

        var reads = 0;
        foreach (var t in tenants)
        {
            // Every tool command opens a store of its own (about half a second): CI runs them for three tenants.
            var withTool = ReliabilityRun.Long || tenants.IndexOf(t) < 3;
            var answers = await AnswersAsync(t, run, schema, clock.GetCurrentInstant(), figures, withTool);
            reads += answers.Count;
            Assert.Contains(t.Tag, string.Concat(answers.Select(a => a.Text)), StringComparison.Ordinal);
            foreach (var (what, text) in answers)
            {
                foreach (var other in tenants.Where(o => o != t))
                {
                    if (text.Contains(other.Tag, StringComparison.Ordinal))
                    {
                        figures.CrossTenantRead();
                        output.WriteLine($"{t.Ledger.Tenant.Value}: {what} shows data of {other.Ledger.Tenant.Value}");
                    }
                }
            }

            // Counts come from this tenant's own log only.
            var events = await run.ScalarAsync<long>($"select count(*) from {schema}.vpp_audit where tenant_id = @t", ("t", t.Ledger.Tenant.Value));
            var history = await t.Ledger.Audit.HistoryAsync().CountAsync();
            if (history != events)
            {
                figures.CrossTenantRead();
            }
        }

        output.WriteLine($"{reads} answers of {TenantCount} tenants searched for the other tenants' markers");
        Assert.Equal(0, figures.Values()[8]);
        Assert.Equal(0, figures.RawExceptions);
    }

    [Theory]
    [Trait("Rule", "X2")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("../other")]
    [InlineData("tenant-01' or '1'='1")]
    [InlineData("tenant-01;drop schema public")]
    [InlineData("tenant\u0000-01")]
    [InlineData("tenant-01\n")]
    [InlineData("*")]
    [InlineData("%")]
    [InlineData("ténant")]
    [InlineData("tenant-01\u202e")]
    [InlineData("tenant-01\ud800")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task a_hostile_tenant_id_is_refused_with_the_documented_exception(string tenantId)
    {
        var figures = run.For("tenants");
        var (ledger, _, _) = run.NewLedger(maxPoolSize: 2);
        await using var __ = ledger;
        figures.Command();
        try
        {
            ledger.ForTenant(new TenantId(tenantId));
            figures.CrossTenantRead();
            Assert.Fail($"tenant id '{tenantId}' was accepted");
        }
        catch (ArgumentException e)
        {
            Assert.Contains("Tenant id", e.Message, StringComparison.Ordinal);
        }

        var tool = await Tool.RunAsync(null, ["report", "--tenant", tenantId, .. Tool.Database(run, "absent")]);
        if (tool.Escaped is not null)
        {
            figures.RawException(tool.Escaped, "report --tenant");
        }

        Assert.Null(tool.Escaped);
        Assert.Equal(2, tool.ExitCode);
    }

    [Fact]
    [Trait("Rule", "X2")]
    public async Task tenant_ids_that_differ_only_in_case_are_two_tenants()
    {
        var figures = run.For("tenants");
        var (ledger, clock, _) = run.NewLedger(maxPoolSize: 4);
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();
        var upper = new Workload(ledger.ForTenant(new TenantId("Contoso")), clock.GetCurrentInstant(), "upper1x", 1, 1, 1);
        await Host.ExecuteAsync(upper.Ledger, upper.NewUser("u1"), figures);
        var lower = ledger.ForTenant(new TenantId("contoso"));
        if (await lower.ExistsAsync() || (await lower.GetUserLicensesAsync(new UserId("u1"))).Licenses.Count > 0)
        {
            figures.CrossTenantRead();
        }

        Assert.True(await upper.Ledger.ExistsAsync());
        Assert.False(await lower.ExistsAsync());
    }

    /// <summary>Every answer a host or an auditor can get about one tenant, as text.</summary>
    private static async Task<List<(string What, string Text)>> AnswersAsync(Workload t, ReliabilityRun run, string schema, NodaTime.Instant now, Figures figures, bool withTool)
    {
        var l = t.Ledger;
        var a = l.Audit;
        var device = Holder.ForDevice(t.Devices[0]);
        var answers = new List<(string, string)>();

        async Task Add(string what, Func<Task<object?>> read) =>
            answers.Add((what, Json.ToJson(await Host.QueryAsync(read, figures, what) ?? "")));

        await Add("ExistsAsync", async () => await l.ExistsAsync());
        await Add("ListPoolsAsync", async () => await l.ListPoolsAsync());
        await Add("ListPoolsAsync(token)", async () => await l.ListPoolsAsync(t.Token));
        await Add("ListTokensAsync", async () => await l.ListTokensAsync());
        await Add("GetTokenAsync", async () => await l.GetTokenAsync(t.Token));
        await Add("RevealTokenSecretAsync", async () => await l.RevealTokenSecretAsync(t.Token));
        await Add("GetOversubscriptionAsync", async () => await l.GetOversubscriptionAsync());
        await Add("GetUserLicensesAsync", async () => await l.GetUserLicensesAsync(t.User));
        await Add("GetPromptsAsync", async () => await l.GetPromptsAsync(t.Devices[0], LicenseType.Device));
        await Add("VerifyChainAsync", async () => await a.VerifyChainAsync());
        await Add("TenantAsOfAsync", async () => await a.TenantAsOfAsync(now));
        await Add("TokenAsOfAsync", async () => await a.TokenAsOfAsync(t.Token, now));
        await Add("HolderAsOfAsync", async () => await a.HolderAsOfAsync(device, now));
        await Add("HistoryAsync", async () => await a.HistoryAsync().ToListAsync());
        await Add("HistoryAsync(holder)", async () => await a.HistoryAsync(new AuditQuery { Holder = device }).ToListAsync());
        foreach (var pool in t.Pools)
        {
            await Add("GetPoolAsync", async () => await l.GetPoolAsync(pool));
            await Add("GetQueueAsync", async () => await l.GetQueueAsync(pool));
            await Add("ListAssignmentsAsync", async () => await l.ListAssignmentsAsync(pool.AdamId));
            await Add("PoolAsOfAsync", async () => await a.PoolAsOfAsync(pool, now));
            await Add("ExplainAsync", async () => await a.ExplainAsync(device, pool, now));
        }

        foreach (var d in t.Devices)
        {
            await Add("GetDeviceLicensesAsync", async () => await l.GetDeviceLicensesAsync(d));
        }

        foreach (var format in new[] { AuditExportFormat.Ndjson, AuditExportFormat.Csv })
        {
            using var stream = new MemoryStream();
            await Host.QueryAsync(() => a.ExportAsync(stream, format), figures, "ExportAsync");
            answers.Add(($"ExportAsync {format}", Encoding.UTF8.GetString(stream.ToArray())));
        }

        if (!withTool)
        {
            return answers;
        }

        var db = Tool.Database(run, schema);
        var tenant = l.Tenant.Value;
        var pool0 = $"{t.Token.Value}:{t.Pools[0].AdamId.Value}";
        foreach (var args in new[]
        {
            new[] { "report", "--tenant", tenant, "--json" },
            ["report", "--tenant", tenant],
            ["audit", "history", "--tenant", tenant, "--app", t.Pools[0].AdamId.Value],
            ["audit", "history", "--tenant", tenant, "--holder", $"d.{t.Devices[0].Value}", "--json"],
            ["audit", "as-of", "2030-01-01", "--tenant", tenant, "--json"],
            ["audit", "as-of", "2030-01-01", "--tenant", tenant, "--pool", pool0],
            ["audit", "explain", "--tenant", tenant, "--holder", $"d.{t.Devices[0].Value}", "--pool", pool0],
            ["audit", "verify", "--tenant", tenant],
            ["export", "--tenant", tenant, "--format", "ndjson"],
            ["export", "--tenant", tenant, "--format", "csv"],
        })
        {
            var run1 = await Tool.RunAsync(null, [.. args, .. db]);
            if (run1.Escaped is not null)
            {
                figures.RawException(run1.Escaped, "vppledger " + args[0]);
            }

            answers.Add(("vppledger " + string.Join(' ', args.Take(2)), run1.Text));
        }

        return answers;
    }
}
