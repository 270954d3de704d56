using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Insights;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>Idle and wasted seats (issue 15, part 4): each kind found from the seats, the directory and the history.</summary>
public sealed class the_waste_report_finds_idle_and_wasted_licenses(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    [Fact]
    [Trait("Rule", "R5")]
    [Trait("Rule", "R4")]
    [Trait("Rule", "T10")]
    [Trait("Rule", "L10")]
    public async Task retired_devices_untargeted_holders_orphaned_pools_idle_free_seats_and_misplaced_queues_are_counted_and_priced()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("waste")), db.Clock.GetCurrentInstant());
        var a = await s.SyncedPoolAsync(new TokenId("tok-a"), "601", purchased: 6);
        var d = await s.SyncedPoolAsync(new TokenId("tok-a"), "602", purchased: 2, upload: false);
        var e = await s.SyncedPoolAsync(new TokenId("tok-a"), "604", purchased: 10, upload: false);
        var b = await s.SyncedPoolAsync(new TokenId("tok-b"), "601", purchased: 1);
        var c = await s.SyncedPoolAsync(new TokenId("tok-c"), "603", purchased: 3);
        var staff = await s.GroupAsync("staff", GroupKind.User, (await s.UsersAsync("u", 4)).Select(GroupMember.ForUser));
        var others = await s.GroupAsync("others", GroupKind.User, (await s.UsersAsync("v", 3)).Select(GroupMember.ForUser));
        var loner = (await s.UsersAsync("w", 1))[0];
        await s.AssignAsync(a, staff, AssignmentIntent.Required, LicenseType.User);
        await s.RunAsync(new GrantLicenses(a, [Holder.ForUser(loner, AppleIdKind.Managed)], s.NextId(), Scenario.Admin));
        await s.AssignAsync(b, others, AssignmentIntent.Required, LicenseType.User);
        var ipad = await s.DeviceAsync("ipad-1", Scenario.CorporateSupervised());
        await s.AssignAsync(d, await s.GroupAsync("ipads", GroupKind.Device, [GroupMember.ForDevice(ipad)]), AssignmentIntent.Required, LicenseType.Device);
        await s.RunAsync(new RecordDeviceRemovedFromManagement(ipad, s.NextId(), Scenario.Admin));
        await s.AssignAsync(c, staff, AssignmentIntent.Required, LicenseType.User);
        await s.RunAsync(new DeleteToken(c.Token, s.NextId(), Scenario.Admin));
        db.Clock.Advance(Duration.FromDays(40));

        var report = await s.Ledger.GetWasteReportAsync(new WasteOptions { IdleDays = 30, UnitPrices = new Dictionary<PoolId, decimal> { [e] = 2.5m } });

        Assert.Equal(
            [
                (a, WasteKind.NoLongerTargeted, 1),
                (a, WasteKind.IdleFreeSeats, 1),
                (d, WasteKind.RetiredDevice, 1),
                (d, WasteKind.IdleFreeSeats, 1),
                (e, WasteKind.IdleFreeSeats, 10),
                (b, WasteKind.QueuedWhileFreeElsewhere, 1),
                (c, WasteKind.OrphanedPool, 3),
            ],
            report.Lines.Select(l => (l.Pool, l.Kind, l.SeatCount)));
        Assert.Equal(25m, report.TotalCost);
        Assert.Equal(18, report.TotalSeatCount);

        var fresh = await s.Ledger.GetWasteReportAsync(new WasteOptions { IdleDays = 60 });
        Assert.DoesNotContain(fresh.Lines, l => l.Kind == WasteKind.IdleFreeSeats); // the pools are younger than 60 days
        Assert.Null(fresh.TotalCost);
    }

    [Fact]
    [Trait("Rule", "S2")]
    [Trait("Rule", "X1")]
    public async Task seats_apple_never_confirmed_are_waste_after_the_period_under_a_token_apple_answers_for()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("waste-apple")), db.Clock.GetCurrentInstant());
        var pool = await s.SyncedPoolAsync(new TokenId("tok-apple"), "701", purchased: 3);
        var quiet = await s.SyncedPoolAsync(new TokenId("tok-quiet"), "702", purchased: 3);
        var users = await s.UsersAsync("apple-u", 3);
        var staff = await s.GroupAsync("apple-staff", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, staff, AssignmentIntent.Required, LicenseType.User);
        await s.AssignAsync(quiet, staff, AssignmentIntent.Required, LicenseType.User);
        var worker = new Actor("apple-worker", Permissions.ManagedApps); // the narrow permission Apple's answers need (X1)
        var confirmed = await s.RunAsync(new RecordAppleEventResult(pool, "evt-1", AppleEventType.Associate, [Holder.ForUser(users[0], AppleIdKind.Managed)], [], s.NextId(), worker));
        Assert.True(confirmed.Succeeded, confirmed.ToString());

        db.Clock.Advance(Duration.FromDays(6));
        Assert.DoesNotContain((await s.Ledger.GetWasteReportAsync()).Lines, l => l.Kind == WasteKind.UnconfirmedByApple); // within 7 days

        db.Clock.Advance(Duration.FromDays(2));
        var report = await s.Ledger.GetWasteReportAsync();

        // Two seats of tok-apple still requested after 8 days; tok-quiet's three are never counted: Apple never answered for it.
        var line = Assert.Single(report.Lines, l => l.Kind == WasteKind.UnconfirmedByApple);
        Assert.Equal((pool, 2, "S2"), (line.Pool, line.SeatCount, line.Rule));
    }
}
