using Newtonsoft.Json;
using NodaTime;
using NodaTime.Serialization.JsonNet;

namespace VppLedger.Tests.Specs;

/// <summary>Given events, When a decision, Then events, nothing, or a rejection (which writes nothing).</summary>
internal sealed class EventSpec<TState, TEvent>
    where TEvent : ILedgerEvent
{
    private readonly Func<TState, TEvent, TState> _evolve;
    private Decision<TEvent>? _decision;

    public EventSpec(TState initial, Func<TState, TEvent, TState> evolve)
    {
        State = initial;
        _evolve = evolve;
    }

    /// <summary>The state folded from the given events.</summary>
    public TState State { get; private set; }

    public EventSpec<TState, TEvent> Given(params TEvent[] events)
    {
        State = events.Aggregate(State, _evolve);
        return this;
    }

    public EventSpec<TState, TEvent> When(Func<TState, Decision<TEvent>> decide)
    {
        _decision = decide(State);
        return this;
    }

    /// <summary>Asserts the decided events (compared by type and JSON) and returns the state after them.</summary>
    public TState Then(params TEvent[] expected)
    {
        var decision = Decided();
        Assert.False(decision.IsRejected, $"Expected events, got rejection {decision.Rejection?.Code}: {decision.Rejection?.Message}");
        Assert.Equal(expected.Select(e => EventJson.Of(e)), decision.Events.Select(e => EventJson.Of(e)));
        return decision.Events.Aggregate(State, _evolve);
    }

    /// <summary>Asserts the command was accepted with no event: already applied.</summary>
    public void ThenNothing()
    {
        var decision = Decided();
        Assert.False(decision.IsRejected, $"Expected nothing, got rejection {decision.Rejection?.Code}");
        Assert.Empty(decision.Events);
    }

    /// <summary>Asserts the rejection's code and rule, and that no event was decided.</summary>
    public Rejection ThenRejected(string code, string rule)
    {
        var decision = Decided();
        Assert.True(decision.IsRejected, $"Expected rejection {code}, got {decision.Events.Count} events");
        Assert.Equal(code, decision.Rejection!.Code);
        Assert.Equal(rule, decision.Rejection.Rule);
        Assert.False(string.IsNullOrWhiteSpace(decision.Rejection.Message));
        Assert.Empty(decision.Events);
        return decision.Rejection;
    }

    private Decision<TEvent> Decided() => _decision ?? throw new InvalidOperationException("Call When before Then.");
}

/// <summary>Events compared by type and JSON, so lists inside records compare by content.</summary>
internal static class EventJson
{
    public static readonly JsonSerializerSettings Settings = new JsonSerializerSettings
    {
        Formatting = Formatting.None,
        TypeNameHandling = TypeNameHandling.None,
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    public static string Of(object? value) =>
        value is null ? "null" : value.GetType().Name + JsonConvert.SerializeObject(value, Settings);
}
