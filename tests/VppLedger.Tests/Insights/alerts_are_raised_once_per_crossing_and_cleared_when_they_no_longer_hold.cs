using NodaTime;
using VppLedger.Alerts;

namespace VppLedger.Tests.Insights;

/// <summary>Alerts (issue 15, part 2): the pure decision over the book and the facts.</summary>
public sealed class alerts_are_raised_once_per_crossing_and_cleared_when_they_no_longer_hold
{
    private static readonly Instant Now = Instant.FromUtc(2026, 6, 1, 12, 0);
    private static readonly TokenId Token = new("tok");
    private static readonly PoolId Pool = new(Token, new AdamId("42"));

    private static AlertBook Apply(AlertBook book, IEnumerable<IAlertEvent> events) => events.Aggregate(book, AlertRules.Evolve);

    private static IReadOnlyList<IAlertEvent> Decide(AlertBook book, AlertFacts facts, Instant now, AlertThresholds? thresholds = null) =>
        AlertRules.Decide(book, facts, thresholds ?? AlertThresholds.Default, LedgerPolicy.Article, now);

    private static AlertFacts TokenExpiringIn(Duration left, bool deleted = false) => new([new TokenAlertFacts(Token, Now + left, deleted)], []);

    private static AlertFacts PoolWith(int available, Instant? oldestQueued = null, bool live = true) =>
        new([new TokenAlertFacts(Token, Now + Duration.FromDays(300), false)], [new PoolAlertFacts(Pool, live, available, oldestQueued)]);

    [Fact]
    [Trait("Rule", "T2")]
    public void a_token_crosses_30_then_7_then_1_days_each_once_and_a_renewal_clears_them()
    {
        var book = AlertBook.Empty;

        var at10 = Decide(book, TokenExpiringIn(Duration.FromDays(10)), Now);
        book = Apply(book, at10);
        var again = Decide(book, TokenExpiringIn(Duration.FromDays(10)), Now);
        var at6 = Decide(book, TokenExpiringIn(Duration.FromDays(6)), Now);
        book = Apply(book, at6);
        var expired = Decide(book, TokenExpiringIn(-Duration.FromHours(2)), Now);
        book = Apply(book, expired);
        var renewed = Decide(book, TokenExpiringIn(Duration.FromDays(365)), Now);

        Assert.Equal(["token_expiring/tok/30"], at10.Select(e => e.Key));
        Assert.Equal(10, ((AlertRaised)at10[0]).Observed);
        Assert.Empty(again);
        Assert.Equal(["token_expiring/tok/7"], at6.Select(e => e.Key));
        Assert.Equal(["token_expiring/tok/1"], expired.Select(e => e.Key));
        Assert.All(renewed, e => Assert.IsType<AlertCleared>(e));
        Assert.Equal(["token_expiring/tok/1", "token_expiring/tok/30", "token_expiring/tok/7"], renewed.Select(e => e.Key));
        Assert.Empty(Apply(book, renewed).Active);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void the_first_expiry_threshold_follows_the_policys_window()
    {
        var policy = LedgerPolicy.Article with { ExpiringSoonWindow = Duration.FromDays(45) };

        var events = AlertRules.Decide(AlertBook.Empty, TokenExpiringIn(Duration.FromDays(40)), AlertThresholds.Default, policy, Now);

        Assert.Equal(["token_expiring/tok/45"], events.Select(e => e.Key));
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void a_deleted_token_raises_nothing_and_clears_what_it_raised()
    {
        var book = Apply(AlertBook.Empty, Decide(AlertBook.Empty, TokenExpiringIn(Duration.FromHours(12)), Now));

        var deleted = Decide(book, TokenExpiringIn(Duration.FromHours(12), deleted: true), Now);

        Assert.Equal(3, book.Active.Count);
        Assert.Equal(3, deleted.OfType<AlertCleared>().Count());
        Assert.Empty(deleted.OfType<AlertRaised>());
    }

    [Fact]
    [Trait("Rule", "S1")]
    public void a_pool_without_free_licenses_alerts_until_licenses_are_bought()
    {
        var low = Decide(AlertBook.Empty, PoolWith(available: 0), Now);
        var book = Apply(AlertBook.Empty, low);
        var bought = Decide(book, PoolWith(available: 3), Now);
        var stricter = Decide(Apply(book, bought), PoolWith(available: 3), Now, new AlertThresholds { FreeSeatsBelow = 5 });

        var raised = Assert.IsType<AlertRaised>(Assert.Single(low));
        Assert.Equal((AlertKind.PoolLowOnFreeSeats, 1L, 0L, "S1"), (raised.Kind, raised.Threshold, raised.Observed, raised.Rule));
        Assert.IsType<AlertCleared>(Assert.Single(bought));
        Assert.Equal("pool_low/tok:42/5", Assert.Single(stricter).Key);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_queue_alerts_once_its_head_waited_longer_than_the_limit_and_clears_when_served()
    {
        var queuedAt = Now - Duration.FromHours(20);

        var early = Decide(AlertBook.Empty, PoolWith(available: 1, queuedAt), Now);
        var late = Decide(AlertBook.Empty, PoolWith(available: 1, queuedAt), Now + Duration.FromHours(5));
        var served = Decide(Apply(AlertBook.Empty, late), PoolWith(available: 1), Now + Duration.FromHours(6));

        Assert.Empty(early);
        var raised = Assert.IsType<AlertRaised>(Assert.Single(late));
        Assert.Equal((AlertKind.QueueWaitingTooLong, 1440L, 1500L), (raised.Kind, raised.Threshold, raised.Observed));
        Assert.IsType<AlertCleared>(Assert.Single(served));
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void an_orphaned_pool_raises_nothing()
    {
        Assert.Empty(Decide(AlertBook.Empty, PoolWith(available: 0, Now - Duration.FromDays(9), live: false), Now));
    }
}
