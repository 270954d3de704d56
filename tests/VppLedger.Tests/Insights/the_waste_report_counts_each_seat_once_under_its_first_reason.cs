using NodaTime;
using VppLedger.Insights;
using VppLedger.Pools;

namespace VppLedger.Tests.Insights;

/// <summary>Idle and wasted seats (issue 15, part 4): the pure computation.</summary>
public sealed class the_waste_report_counts_each_seat_once_under_its_first_reason
{
    private static readonly Instant Now = Instant.FromUtc(2026, 9, 1, 0, 0);
    private static readonly PoolId Pool = new(new TokenId("tok"), new AdamId("7"));

    private static WastePool Live(int purchased, int users, int devices, params string[] targeted) => new(
        PoolState.Initial(Pool) with { Synced = true, PurchasedCount = purchased, UserLicenseCount = users, DeviceLicenseCount = devices },
        Now - Duration.FromDays(100),
        Now - Duration.FromDays(1),
        targeted.ToHashSet(StringComparer.Ordinal));

    [Fact]
    [Trait("Rule", "R4")]
    [Trait("Rule", "R5")]
    public void a_departed_user_a_retired_device_and_a_device_of_a_targeted_user_are_told_apart()
    {
        var facts = new WasteFacts(
            [Live(10, 2, 2, "alice")],
            [new WasteSeat(Pool, "bob", LicenseType.User), new WasteSeat(Pool, "alice", LicenseType.User), new WasteSeat(Pool, "ipad-1", LicenseType.Device), new WasteSeat(Pool, "ipad-2", LicenseType.Device)],
            new HashSet<string>(["ipad-2"]),
            new HashSet<string>(["bob"]),
            new Dictionary<string, string> { ["ipad-1"] = "alice", ["ipad-2"] = "alice" });

        var report = WasteRules.Compute(facts, new WasteOptions(), Now);

        Assert.Equal([(WasteKind.RetiredDevice, 1), (WasteKind.DepartedUser, 1)], report.Lines.Select(l => (l.Kind, l.SeatCount)).Order());
    }

    [Fact]
    [Trait("Rule", "S1")]
    public void free_seats_granted_from_within_the_idle_period_are_not_idle()
    {
        var facts = new WasteFacts([Live(10, 0, 0)], [], new HashSet<string>(), new HashSet<string>(), new Dictionary<string, string>());

        Assert.Empty(WasteRules.Compute(facts, new WasteOptions { IdleDays = 30 }, Now).Lines);
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_seat_apple_never_confirmed_is_waste_only_after_the_period_and_only_where_apple_answers()
    {
        var quiet = new PoolId(new TokenId("tok-no-apple"), new AdamId("7"));
        var answered = Live(10, 3, 0, "alice", "bob", "carol") with { State = Live(10, 3, 0).State with { ConfirmedCount = 1 } };
        var neverAsked = answered with { State = PoolState.Initial(quiet) with { Synced = true, PurchasedCount = 10, UserLicenseCount = 1 } };
        var old = Now - Duration.FromDays(8);
        var facts = new WasteFacts(
            [answered, neverAsked],
            [
                new WasteSeat(Pool, "alice", LicenseType.User, AppleSeatState.Requested, old), // 8 days unconfirmed: waste
                new WasteSeat(Pool, "bob", LicenseType.User, AppleSeatState.Requested, Now - Duration.FromDays(6)), // within the period
                new WasteSeat(Pool, "carol", LicenseType.User, AppleSeatState.Confirmed, old), // Apple holds it
                new WasteSeat(quiet, "alice", LicenseType.User, AppleSeatState.Requested, old), // a token Apple never answered for: the host keeps no Apple side
            ],
            new HashSet<string>(),
            new HashSet<string>(),
            new Dictionary<string, string>());

        var report = WasteRules.Compute(facts, new WasteOptions { UnconfirmedDays = 7 }, Now);

        var line = Assert.Single(report.Lines, l => l.Kind == WasteKind.UnconfirmedByApple);
        Assert.Equal((Pool, 1, "S2"), (line.Pool, line.SeatCount, line.Rule));
        Assert.Equal(2, WasteRules.Compute(facts, new WasteOptions { UnconfirmedDays = 5 }, Now).SeatCountByKind[WasteKind.UnconfirmedByApple]);
    }
}
