namespace VppLedger.Storage;

/// <summary>
/// The persisted name of every event type, mapped once. The log stores these names, not .NET type names,
/// so classes can be renamed or moved freely. A name never changes: a changed event gets a new type and a
/// new <c>.v2</c> name (plus an upcaster), and the golden files in the tests keep the old one honest.
/// </summary>
internal static class EventNames
{
    /// <summary>Every event type of the ledger with its stable name <c>vpp.&lt;aggregate&gt;.&lt;event&gt;.v&lt;n&gt;</c>.</summary>
    public static IReadOnlyList<(Type Type, string Name)> All { get; } =
    [
    ];

    private static readonly Dictionary<Type, string> NameByType = All.ToDictionary(e => e.Type, e => e.Name);

    /// <summary>The stable name of an event type; throws for a type that was never mapped (a bug).</summary>
    public static string NameOf(Type eventType) =>
        NameByType.TryGetValue(eventType, out var name)
            ? name
            : throw new InvalidOperationException($"Event type {eventType.Name} has no stable name; add it to {nameof(EventNames)}.{nameof(All)}.");
}
