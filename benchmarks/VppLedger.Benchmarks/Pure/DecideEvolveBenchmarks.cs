using BenchmarkDotNet.Attributes;
using NodaTime;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Benchmarks.Pure;

/// <summary>
/// The pure deciders: one <c>Decide</c> plus the <c>Evolve</c> of every event it decided, on inputs a storage
/// layer would hand them. Lookups are built in the setup from <see cref="PoolBook"/> (the storage layer reads
/// them from indexed rows), so only the decision and the fold are timed.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class DecideEvolveBenchmarks
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 3, 10, 0);
    private static readonly PoolId Pool = new(new TokenId("token-0042"), new AdamId("361309726"));
    private static readonly Actor Admin = new("bench-admin", Permissions.All);

    private PoolCase _grantOne = null!;
    private PoolCase _grantThousand = null!;
    private PoolCase _reclaimPromoting = null!;
    private UploadToken _upload = null!;
    private AddGroupMembers _addMembers = null!;
    private GroupState _group = null!;
    private HashSet<GroupMember> _alreadyMembers = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A pool of 2,000 licenses with 1,000 holders: one more holder is granted.
        var busy = Book(purchased: 2_000, granted: 1_000, queued: 0);
        _grantOne = Case(busy, new GrantLicenses(Pool, [User(1_000_000)], new CommandId("grant-1"), Admin), granted: 1, queued: 0);

        // 1,000 new holders into a pool with 500 free licenses: 500 granted, 500 queued (rule A6).
        var halfFree = Book(purchased: 1_500, granted: 1_000, queued: 0);
        _grantThousand = Case(halfFree, new GrantLicenses(Pool, Users(1_000_000, 1_000), new CommandId("grant-1000"), Admin), granted: 500, queued: 500);

        // A full pool of 1,000 with 50 waiting: reclaiming one license promotes the queue head in the same decision.
        var full = Book(purchased: 1_000, granted: 1_000, queued: 50);
        _reclaimPromoting = Case(full, new ReclaimLicenses(Pool, [User(0)], ReclaimReason.NoLongerTargeted, new CommandId("reclaim-1"), Admin), granted: 1, queued: 0);

        _upload = new UploadToken(
            new TokenId("token-0042"),
            new TokenFileFacts("Contoso", Now + Duration.FromDays(365), TokenFingerprint.Of("bench-secret")),
            LocationKey.FromAppleLocationId("location-0042"),
            new AppleId("vpp@contoso.example", AppleIdKind.Managed),
            new TokenSettings("Contoso iPads", "FR", TokenAccountType.Business, AutomaticAppUpdates: true),
            ConsentToSendDataToApple: true,
            TakeControlFromOtherMdm: false,
            new CommandId("upload-1"),
            Admin);
        Require(TokenDecider.Decide(_upload, TokenState.Initial, 10, TokenLocationClaims.None, Now).Events.Count == 1, "the token upload decides one event");

        // A group of 5,000 users; the command names 1,000, of which the first 100 are members already.
        var groupId = new GroupId("group-sales");
        _group = GroupDecider.Fold([
            new GroupCreated(Now, groupId, GroupKind.User),
            new GroupMembersAdded(Now, [.. Enumerable.Range(0, 5_000).Select(i => new PositionedGroupMember(Member(i), i))]),
        ]);
        var named = Enumerable.Range(4_900, 1_000).Select(Member).ToList();
        _addMembers = new AddGroupMembers(groupId, named, new CommandId("add-1000"), Admin);
        _alreadyMembers = [.. named.Take(100)];
        var added = GroupDecider.Decide(_addMembers, _group, _alreadyMembers, Now);
        Require(added.Events is [GroupMembersAdded { Members.Count: 900 }], "adding 1,000 named members, 100 already in, adds 900");
    }

    [Benchmark(Description = "Pool: grant 1 holder")]
    public object GrantOne() => DecideAndEvolve(_grantOne);

    [Benchmark(Description = "Pool: grant 1,000 holders (500 granted, 500 queued)")]
    public object GrantThousand() => DecideAndEvolve(_grantThousand);

    [Benchmark(Description = "Pool: reclaim 1, promote queue head")]
    public object ReclaimPromoting() => DecideAndEvolve(_reclaimPromoting);

    [Benchmark(Description = "Token: upload")]
    public object UploadToken()
    {
        var state = TokenState.Initial;
        foreach (var e in TokenDecider.Decide(_upload, state, 10, TokenLocationClaims.None, Now).Events)
        {
            state = TokenDecider.Evolve(state, e);
        }

        return state;
    }

    [Benchmark(Description = "Group: add 1,000 members (900 new)")]
    public object AddThousandMembers()
    {
        var state = _group;
        foreach (var e in GroupDecider.Decide(_addMembers, state, _alreadyMembers, Now).Events)
        {
            state = GroupDecider.Evolve(state, e);
        }

        return state;
    }

    private static PoolState DecideAndEvolve(PoolCase c)
    {
        var state = c.State;
        foreach (var e in PoolDecider.Decide(c.Command, state, c.Lookup, Now).Events)
        {
            state = PoolDecider.Evolve(state, e);
        }

        return state;
    }

    private static PoolBook Book(int purchased, int granted, int queued)
    {
        var book = new PoolBook(Pool);
        book.Apply(new AppleCountsApplied(Pool, ProductKind.App, purchased, 0, null, Now));
        for (var i = 0; i < granted; i++)
        {
            book.Apply(new LicenseGranted(Pool, User(i), GrantReason.Targeted, "A6", Now));
        }

        for (var i = 0; i < queued; i++)
        {
            book.Apply(new HolderQueued(Pool, User(granted + i), book.State.LastQueuePosition + 1, "A6", Now));
        }

        return book;
    }

    // Checks once, outside the timed code, that each case decides what it claims to, so a changed rule cannot
    // silently turn a benchmark into the timing of a rejection.
    private static PoolCase Case(PoolBook book, IPoolCommand command, int granted, int queued)
    {
        var c = new PoolCase(book.State, command, book.LookupFor(command));
        var decision = PoolDecider.Decide(c.Command, c.State, c.Lookup, Now);
        Require(decision.Rejection is null, $"{command.GetType().Name} is accepted (got {decision.Rejection?.Code})");
        Require(decision.Events.OfType<LicenseGranted>().Count() == granted, $"{command.GetType().Name} grants {granted}");
        Require(decision.Events.OfType<HolderQueued>().Count() == queued, $"{command.GetType().Name} queues {queued}");
        return c;
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark set-up is wrong: expected that {what}. The decider changed; update the benchmark's inputs.");
        }
    }

    private static Holder User(int i) => Holder.ForUser(new UserId($"user-{i:D7}"), AppleIdKind.Managed);

    private static Holder[] Users(int from, int count) => [.. Enumerable.Range(from, count).Select(User)];

    private static GroupMember Member(int i) => GroupMember.ForUser(new UserId($"user-{i:D7}"));

    private sealed record PoolCase(PoolState State, IPoolCommand Command, PoolLookup Lookup);
}
