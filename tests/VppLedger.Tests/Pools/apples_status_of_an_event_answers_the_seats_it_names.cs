using VppLedger.Pools;
using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

/// <summary>Apple's status of an event (poll or notification) mapped onto the requests sent under it (docs/apple.md).</summary>
public sealed class apples_status_of_an_event_answers_the_seats_it_names
{
    private static AppleRequest Request(Holder holder, SerialNumber? serial = null) =>
        new("r-" + holder.Key, Pool, AppleRequestKind.Associate, holder, serial, Now);

    private static RecordAppleEventStatus Status(AppleEventState state, params AppleEventFailure[] failures) =>
        new(new AppleEventStatus("evt-1", state, 3, 3 - failures.Length, failures), Id(), Admin);

    [Fact]
    [Trait("Rule", "A6")]
    public void a_complete_event_confirms_every_holder_but_those_apple_lists_as_failed()
    {
        var (a, d) = (User("a"), Device("d"));
        var serial = new SerialNumber("C02XK1ABCDEF");
        var failure = new AppleEventFailure(Pool.AdamId, null, serial, 9707, "Asset not device-assignable.");

        var result = Assert.Single(AppleEventStatuses.Results(Status(AppleEventState.Failure, failure), [Request(a), Request(d, serial)]));

        Assert.Equal([a], result.Completed);
        Assert.Equal([new AppleHolderFailure(d, 9707, "Asset not device-assignable.")], result.Failures);
        Assert.Equal(("evt-1", AppleEventType.Associate), (result.AppleEventId, result.EventType));
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void a_pending_event_answers_nothing_yet()
    {
        Assert.Empty(AppleEventStatuses.Results(Status(AppleEventState.Pending), [Request(User("a"))]));
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void an_event_failed_without_a_failure_per_holder_fails_every_holder()
    {
        var result = Assert.Single(AppleEventStatuses.Results(Status(AppleEventState.Failure), [Request(User("a")), Request(User("b"))]));
        Assert.Empty(result.Completed);
        Assert.Equal(2, result.Failures.Count);
    }
}
