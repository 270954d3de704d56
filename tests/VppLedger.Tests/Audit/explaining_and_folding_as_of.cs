using NodaTime;
using VppLedger.Audit;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Tests.Audit;

/// <summary>The pure as-of folds and explanation sentences, on a pool history decided by the real decider (I5, A6, R4).</summary>
public sealed class explaining_and_folding_as_of
{
    private static readonly PoolId Pool = new(new TokenId("tok-1"), new AdamId("361309726"));
    private static readonly Actor Admin = new("admin", Permissions.All);
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 1, 9, 0);

    private static Holder User(int i) => Holder.ForUser(new UserId($"u{i:D3}"), AppleIdKind.Managed);

    /// <summary>T0: 100 bought. T1: 300 targeted (100 granted, 200 queued). T2: 150 bought (50 promoted). T3: u001 no longer targeted (reclaimed, u151 promoted).</summary>
    private static List<(long Version, IPoolEvent Event)> History()
    {
        var book = new PoolBook(Pool);
        var log = new List<(long, IPoolEvent)>();
        void Run(IPoolCommand command, Instant at)
        {
            foreach (var e in PoolDecider.Decide(command, book.State, book.LookupFor(command), at).Events)
            {
                book.Apply(e);
                log.Add((log.Count + 1, e));
            }
        }

        Run(new ApplyAppleCounts(Pool, ProductKind.App, 100, 0, null, new CommandId("c1"), Admin), T0);
        Run(new GrantLicenses(Pool, [.. Enumerable.Range(1, 300).Select(User)], new CommandId("c2"), Admin), T0 + Duration.FromHours(1));
        Run(new ApplyAppleCounts(Pool, ProductKind.App, 150, 0, null, new CommandId("c3"), Admin), T0 + Duration.FromHours(2));
        Run(new ReclaimLicenses(Pool, [User(1)], ReclaimReason.NoLongerTargeted, new CommandId("c4"), Admin), T0 + Duration.FromHours(3));
        return log;
    }

    private static LicenseExplanation Explain(Holder holder, Instant asOf)
    {
        var explainer = new LicenseExplainer(holder, Pool, asOf);
        foreach (var (version, e) in History())
        {
            explainer.Apply(version, "vpp.pool." + e.GetType().Name, e);
        }

        return explainer.Result();
    }

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "A6")]
    public void a_queued_holder_is_told_its_position_and_how_many_wait_ahead()
    {
        var explanation = Explain(User(212), T0 + Duration.FromHours(1));

        Assert.Equal(SeatStatus.Queued, explanation.Status);
        Assert.Equal(112, explanation.QueuePosition);
        Assert.Equal("Queued at position 112 behind 111 waiting holder(s): all 100 licenses were in use (rule A6).", Assert.Single(explanation.Steps).Sentence);
        Assert.StartsWith("At 2026-03-01T10:00:00Z, u.u212.managed had no license of app 361309726 under token tok-1: it waited at queue position 112 with 111 holder(s) ahead, while 100 of 100 licenses were in use (rule A6).", explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "A6")]
    public void a_promoted_holder_is_told_it_was_granted_when_licenses_were_bought()
    {
        var explanation = Explain(User(150), T0 + Duration.FromHours(2));

        Assert.True(explanation.HasLicense);
        Assert.Equal(
            ["Queued at position 50 behind 49 waiting holder(s): all 100 licenses were in use (rule A6).", "Granted from the queue (position 50) when 150 licenses were bought (rule A6)."],
            explanation.Steps.Select(s => s.Sentence));
        Assert.StartsWith("At 2026-03-01T11:00:00Z, u.u150.managed held a license of app 361309726 under token tok-1 since 2026-03-01T11:00:00Z.", explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "R4")]
    public void a_reclaimed_holder_is_told_the_rule_and_the_next_in_line_is_told_a_license_was_freed()
    {
        var at = T0 + Duration.FromHours(3);
        var reclaimed = Explain(User(1), at);
        var promoted = Explain(User(151), at);

        Assert.False(reclaimed.HasLicense);
        Assert.Equal(["Granted when targeted: license 1 of 100 (rule A6).", "Reclaimed: no longer targeted (rule R4)."], reclaimed.Steps.Select(s => s.Sentence));
        Assert.Equal(["A6", "R4"], reclaimed.Steps.Select(s => s.Rule));
        Assert.Equal("Granted from the queue (position 51) when a license was freed (no longer targeted) (rule A6).", promoted.Steps[^1].Sentence);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void a_holder_never_named_and_a_pool_not_yet_known_are_said_so()
    {
        Assert.Contains("never targeted", Explain(User(999), T0 + Duration.FromHours(3)).Summary, StringComparison.Ordinal);
        Assert.Contains("the pool had no event by then", Explain(User(1), T0 - Duration.FromSeconds(1)).Summary, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void the_pool_fold_skips_what_happened_after_the_instant_and_matches_the_live_fold_at_the_end()
    {
        var history = History();
        PoolPosition? At(Instant asOf)
        {
            var fold = new PoolAsOfFold(Pool, asOf);
            foreach (var (_, e) in history)
            {
                fold.Apply(e);
            }

            return fold.Result();
        }

        var atT1 = At(T0 + Duration.FromHours(1))!;
        var end = At(Instant.MaxValue)!;

        Assert.Null(At(T0 - Duration.FromTicks(1)));
        Assert.Equal((100, 100, 200), (atT1.Summary.TotalCount, atT1.Summary.UsedCount, atT1.Summary.QueuedCount));
        Assert.Equal(User(101), atT1.Queue[0].Holder);
        var live = PoolBook.Replay(Pool, history.Select(h => h.Event));
        Assert.Equal(Reading.PoolSummary.From(live.State), end.Summary);
        Assert.Equal(live.Holders, end.Holders);
        Assert.Equal(live.Queue, end.Queue);
        Assert.Equal(history.Count, end.EventCount);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public void the_holder_fold_reads_seats_from_audit_rows_and_the_tenant_fold_counts_pools_and_tokens()
    {
        AuditEntry Row(long seq, string action, Instant at, long? position = null) =>
            new("t", seq, "pool:tok-1:361309726", seq, "x", at, "tok-1", "361309726", "user.managed", "h", position, action, null, "A6", null, null, null, null, null);
        var holder = new HolderAsOfFold(User(5), T0 + Duration.FromHours(2));
        holder.Apply(Row(1, "holder_queued", T0, 7));
        holder.Apply(Row(2, "license_granted", T0 + Duration.FromHours(1)));
        holder.Apply(Row(3, "license_reclaimed", T0 + Duration.FromHours(3)));

        var tenant = new TenantAsOfFold(T0 + Duration.FromHours(1), LedgerPolicy.Article);
        foreach (var (_, e) in History())
        {
            tenant.Apply("pool:tok-1:361309726", e);
        }

        Assert.Equal(new HolderSeatAsOf(Pool, SeatStatus.Granted, 0, T0 + Duration.FromHours(1)), Assert.Single(holder.Result().Seats));
        Assert.Equal(100, Assert.Single(tenant.Result().Pools).UsedCount);
        Assert.Empty(tenant.Result().Tokens);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public void holder_pseudonyms_are_deterministic_per_tenant_and_never_the_key()
    {
        var a = AuditPseudonym.Of("tenant-a", User(1));

        Assert.Equal(a, AuditPseudonym.Of("tenant-a", User(1)));
        Assert.NotEqual(a, AuditPseudonym.Of("tenant-b", User(1)));
        Assert.Matches("^[0-9a-f]{32}$", a);
        Assert.Equal(("user.managed", "R4"), (AuditFacts.Of("pool:tok-1:361309726", new LicenseReclaimed(Pool, User(1), ReclaimReason.LeftOrganization, "R4", T0)).HolderKind, "R4"));
        Assert.Equal("T8", AuditFacts.Of("token:tok-1", new TokenRenewed(T0, new TokenFileFacts("o", T0, TokenFingerprint.Of("s")))).Rule);
    }
}
