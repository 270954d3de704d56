using NodaTime;
using VppLedger.Pools;

namespace VppLedger.Tests.Pools;

/// <summary>Given pool events, When a command, Then events or a rejection. The lookup comes from the full model.</summary>
internal sealed class PoolSpec
{
    private readonly List<IPoolEvent> history;
    private Decision<IPoolEvent>? decision;

    private PoolSpec(IEnumerable<IPoolEvent> history) => this.history = [.. history];

    public static PoolSpec Given(params IPoolEvent[] history) => new(history);

    public Decision<IPoolEvent> Decision => decision ?? throw new InvalidOperationException("Call When first.");

    /// <summary>The full model after the history and the decided events.</summary>
    public PoolBook After => PoolBook.Replay(PoolFixtures.Pool, [.. history, .. Decision.Events]);

    /// <param name="command">The command.</param>
    /// <param name="now">The business time; <see cref="PoolFixtures.Now"/> by default.</param>
    /// <param name="grantsHeldBy">The rule id of the token state that holds grants back (T2, T3, T10), or null.</param>
    public PoolSpec When(IPoolCommand command, Instant? now = null, string? grantsHeldBy = null)
    {
        var book = PoolBook.Replay(command.Pool, history);
        var lookup = grantsHeldBy is null ? book.LookupFor(command) : book.LookupFor(command) with { GrantsHeldBy = grantsHeldBy };
        decision = PoolDecider.Decide(command, book.State, lookup, now ?? PoolFixtures.Now);
        return this;
    }

    public PoolSpec Then(params IPoolEvent[] expected)
    {
        Assert.Null(Decision.Rejection);
        Assert.Equal(expected, Decision.Events);
        return this;
    }

    public PoolSpec ThenNothing() => Then();

    public Rejection ThenRejected(string code, string rule)
    {
        var rejection = Assert.IsType<Rejection>(Decision.Rejection);
        Assert.Equal(code, rejection.Code);
        Assert.Equal(rule, rejection.Rule);
        Assert.Empty(Decision.Events);
        return rejection;
    }
}

internal static class PoolFixtures
{
    public static readonly Instant Now = Instant.FromUtc(2025, 3, 1, 9, 0);
    public static readonly PoolId Pool = new(new TokenId("token-1"), new AdamId("361309726"));
    public static readonly Actor Admin = new("admin", Permissions.All);

    public static CommandId Id(string value = "cmd-1") => new(value);

    public static Holder User(string id, AppleIdKind kind = AppleIdKind.Personal) => Holder.ForUser(new UserId(id), kind);

    public static Holder Device(string id) => Holder.ForDevice(new DeviceId(id));

    public static Holder[] Users(int from, int count) => [.. Enumerable.Range(from, count).Select(i => User($"user-{i:D4}"))];

    public static AppleCountsApplied Counts(int purchased, int retired = 0, int? assigned = null, ProductKind product = ProductKind.App) =>
        new(Pool, product, purchased, retired, assigned, Now);

    public static LicenseGranted Granted(Holder holder, GrantReason reason = GrantReason.Targeted, string rule = "A6") =>
        new(Pool, holder, reason, rule, Now);

    public static LicenseGranted Promoted(Holder holder) => Granted(holder, GrantReason.PromotedFromQueue);

    public static HolderQueued Queued(Holder holder, long position, string rule = "A6") => new(Pool, holder, position, rule, Now);

    public static LicenseReclaimed Reclaimed(Holder holder, ReclaimReason reason, string rule) => new(Pool, holder, reason, rule, Now);

    public static HolderLeftQueue LeftQueue(Holder holder, ReclaimReason reason, string rule) => new(Pool, holder, reason, rule, Now);

    public static GrantLicenses Grant(params Holder[] holders) => new(Pool, holders, Id(), Admin);

    public static ReclaimLicenses Reclaim(ReclaimReason reason, params Holder[] holders) => new(Pool, holders, reason, Id(), Admin);
}
