using System.Text.Json;
using NodaTime.Testing;
using VppLedger.AppleSide;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Cli.Tests;

/// <summary><c>vppledger reconcile</c>: the findings and their plan, a dry run, then <c>--apply</c> (issue 13, item 4). A tenant of its own in the seeded schema.</summary>
[Collection(SeededCollection.Name)]
public sealed class reconciling_a_tenant_with_apple(SeededTenant db)
{
    private static readonly Actor Admin = new("admin", Permissions.All);
    private static readonly Actor Worker = new("apple-worker", Permissions.ManagedApps);

    [Fact]
    [Trait("Rule", "S2")]
    public async Task reconcile_lists_findings_as_a_dry_run_and_apply_runs_the_plan()
    {
        const string tenantId = "reconcile-cli";
        var token = new TokenId("tok-rec");
        var pool = new PoolId(token, new AdamId("361309726"));
        var user = Holder.ForUser(new UserId("rec-1"), AppleIdKind.Managed);
        await using var ledger = LicenseLedger.Create(db.Connection, o => { o.SchemaName = SeededTenant.Schema; o.Schema = SchemaCreation.None; }, new FakeClock(Tool.Now));
        var tenant = ledger.ForTenant(new TenantId(tenantId));
        async Task RunAsync(ILedgerCommand command) => Assert.True((await tenant.ExecuteAsync(command)).Succeeded, command.GetType().Name);
        await RunAsync(new UploadTokenFile(
            token, VppTokenFile.Create("Reconcile Ltd", "secret-rec", Tool.Now + NodaTime.Duration.FromDays(300)), null,
            new AppleId("vpp@reconcile.example", AppleIdKind.Managed), new TokenSettings("Reconcile", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
            ConsentToSendDataToApple: true, TakeControlFromOtherMdm: false, CommandId.New(), Admin));
        await RunAsync(new ApplyAppleCounts(pool, ProductKind.App, 3, 0, null, CommandId.New(), Admin));
        await RunAsync(new RecordUser(new UserId("rec-1"), null, new AppleId("rec-1@reconcile.example", AppleIdKind.Managed), CommandId.New(), Admin));
        AppleSeatReport[] seats = [new(pool.AdamId, PricingParam.Stdq, user.Key, null)];
        await RunAsync(new RecordAppleAssignmentsPage(token, "walk-1", "v1", null, 0, true, seats, CommandId.New(), Worker));

        var args = new[] { "reconcile", "--tenant", tenantId, "--schema", SeededTenant.Schema };
        var dry = await Tool.RunAsync(db.Environment, [.. args, "--json"]);
        Assert.True(dry.ExitCode == ExitCodes.Ok, dry.ToString());
        using (var doc = JsonDocument.Parse(dry.Output))
        {
            var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray().ToList());
            Assert.Equal(("UntrackedAtApple", "GrantLicenses", JsonValueKind.Null), (finding.GetProperty("class").GetString(), finding.GetProperty("command").GetString(), finding.GetProperty("outcome").ValueKind));
        }

        Assert.Equal(0, (await tenant.GetPoolAsync(pool))!.UsedCount); // a dry run writes nothing
        var table = await Tool.RunAsync(db.Environment, args);
        Assert.Contains("dry run", table.Output, StringComparison.Ordinal);

        var applied = await Tool.RunAsync(db.Environment, [.. args, "--apply"]);
        Assert.True(applied.ExitCode == ExitCodes.Ok, applied.ToString());
        Assert.Contains("Applied", applied.Output, StringComparison.Ordinal);
        Assert.Equal(1, (await tenant.GetPoolAsync(pool))!.UsedCount);

        var cleared = await tenant.ExecuteAsync(new RecordAppleAssignmentsPage(token, "walk-2", "v2", null, 0, true, seats, CommandId.New(), Worker));
        Assert.Single(cleared.EventsOf<ReconciliationFindingCleared>());
        var after = await Tool.RunAsync(db.Environment, [.. args, "--json"]);
        using var empty = JsonDocument.Parse(after.Output);
        Assert.Empty(empty.RootElement.GetProperty("findings").EnumerateArray());
    }
}
