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
}
