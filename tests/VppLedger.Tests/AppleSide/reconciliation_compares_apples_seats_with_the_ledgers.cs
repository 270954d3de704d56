using NodaTime;
using VppLedger.AppleSide;
using VppLedger.Pools;

namespace VppLedger.Tests.AppleSide;

/// <summary>Issue 13, item 4: the pure comparison of a completed walk of Apple's assignments with the seats.</summary>
public sealed class reconciliation_compares_apples_seats_with_the_ledgers
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 1, 9, 0);
    private static readonly TokenId Token = new("tok");
    private static readonly PoolId Standard = new(Token, new AdamId("100"));
    private static readonly PoolId Plus = new(Token, new AdamId("100"), PricingParam.Plus);
    private static readonly Holder Ann = Holder.ForUser(new UserId("ann"), AppleIdKind.Managed);
    private static readonly Holder Bob = Holder.ForUser(new UserId("bob"), AppleIdKind.Managed);
    private static readonly Holder Ipad = Holder.ForDevice(new DeviceId("ipad-1"));

    private static string Ref(Holder h) => "user:" + h.Key;

    private static IReadOnlyList<IAppleSideEvent> Compare(
        IReadOnlyList<AppleSeatFact> apple, IReadOnlyList<LedgerSeatFact> ledger, bool elsewhere = false, IReadOnlyList<ReconciliationFinding>? open = null, IReadOnlySet<string>? releases = null) =>
        Reconciliation.Compare(new ReconciliationFacts(Token, elsewhere, apple, ledger, releases ?? new HashSet<string>(), open ?? []), Duration.FromHours(24), Now);

    private static ReconciliationClass Only(IReadOnlyList<IAppleSideEvent> events) => Assert.IsType<ReconciliationFindingRecorded>(Assert.Single(events)).Class;

    [Fact]
    [Trait("Rule", "S2")]
    public void seats_held_on_both_sides_agree()
    {
        Assert.Empty(Compare(
            [new AppleSeatFact(Standard, Ref(Ann), Ann), new AppleSeatFact(Standard, "serial:SN1", Ipad)],
            [new LedgerSeatFact(Standard, Ann, Ref(Ann), AppleSeatState.Confirmed, Now), new LedgerSeatFact(Standard, Ipad, "serial:SN1", AppleSeatState.Requested, Now)]));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_seat_only_apple_holds_is_untracked_and_under_another_mdm_is_held_there()
    {
        Assert.Equal(ReconciliationClass.UntrackedAtApple, Only(Compare([new AppleSeatFact(Standard, Ref(Ann), Ann)], [])));
        Assert.Equal(ReconciliationClass.HeldUnderAnotherMdm, Only(Compare([new AppleSeatFact(Standard, Ref(Ann), Ann)], [], elsewhere: true)));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_release_apple_has_still_to_do_is_no_finding()
    {
        Assert.Empty(Compare([new AppleSeatFact(Standard, Ref(Ann), Ann)], [], releases: new HashSet<string> { Standard + "|" + Ann.Key }));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_confirmed_seat_apple_no_longer_shows_is_a_phantom_and_a_fresh_request_is_in_flight()
    {
        Assert.Equal(ReconciliationClass.PhantomInLedger, Only(Compare([], [new LedgerSeatFact(Standard, Ann, Ref(Ann), AppleSeatState.Confirmed, Now)])));
        Assert.Empty(Compare([], [new LedgerSeatFact(Standard, Ann, Ref(Ann), AppleSeatState.Requested, Now - Duration.FromHours(23))]));
        Assert.Empty(Compare([], [new LedgerSeatFact(Standard, Ipad, null, AppleSeatState.Confirmed, Now)])); // no serial recorded: not comparable
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_request_older_than_the_policy_is_pending_too_long_whatever_apple_shows()
    {
        var old = new LedgerSeatFact(Standard, Ann, Ref(Ann), AppleSeatState.Requested, Now - Duration.FromHours(25));
        Assert.Equal(ReconciliationClass.PendingTooLong, Only(Compare([], [old])));
        Assert.Equal(ReconciliationClass.PendingTooLong, Only(Compare([new AppleSeatFact(Standard, Ref(Ann), Ann)], [old])));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void one_app_at_both_pricings_for_one_holder_is_a_duplicate_of_the_seat_the_ledger_does_not_grant()
    {
        var found = Assert.IsType<ReconciliationFindingRecorded>(Assert.Single(Compare(
            [new AppleSeatFact(Standard, "serial:SN1", Ipad), new AppleSeatFact(Plus, "serial:SN1", Ipad)],
            [new LedgerSeatFact(Plus, Ipad, "serial:SN1", AppleSeatState.Confirmed, Now)])));
        Assert.Equal((ReconciliationClass.DuplicateHolder, Standard), (found.Class, found.Pool));
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void a_finding_is_recorded_once_and_cleared_when_no_longer_found()
    {
        var first = Assert.IsType<ReconciliationFindingRecorded>(Assert.Single(Compare([new AppleSeatFact(Standard, Ref(Bob), Bob)], [])));
        var open = new ReconciliationFinding(first.Key, first.Class, first.Pool, first.HolderRef, first.Holder, first.Detail, first.Rule, first.OccurredAt);
        Assert.Empty(Compare([new AppleSeatFact(Standard, Ref(Bob), Bob)], [], open: [open]));
        var cleared = Assert.IsType<ReconciliationFindingCleared>(Assert.Single(Compare([], [], open: [open])));
        Assert.Equal(first.Key, cleared.Key);
    }

    [Fact]
    [Trait("Rule", "X1")]
    public void each_class_plans_a_host_command_with_an_id_derived_from_the_finding()
    {
        var actor = new Actor("apps", Permissions.MobileApps);
        ReconciliationStep Plan(ReconciliationClass c, Holder? h) =>
            Reconciliation.Plan(new ReconciliationFinding(c.ToString(), c, Standard, "user:x", h, "", "S2", Now), actor);

        Assert.IsType<GrantLicenses>(Plan(ReconciliationClass.UntrackedAtApple, Ann).Command);
        Assert.Null(Plan(ReconciliationClass.UntrackedAtApple, null).Command);
        Assert.IsType<RequestAppleAssociationAgain>(Plan(ReconciliationClass.PhantomInLedger, Ann).Command);
        Assert.IsType<RequestAppleAssociationAgain>(Plan(ReconciliationClass.PendingTooLong, Ann).Command);
        Assert.IsType<ReleaseAtApple>(Plan(ReconciliationClass.DuplicateHolder, Ann).Command);
        Assert.IsType<global::VppLedger.Tokens.TakeTokenControl>(Plan(ReconciliationClass.HeldUnderAnotherMdm, null).Command);
        Assert.Equal(Plan(ReconciliationClass.PhantomInLedger, Ann).Command!.Id, Plan(ReconciliationClass.PhantomInLedger, Ann).Command!.Id);
    }
}
