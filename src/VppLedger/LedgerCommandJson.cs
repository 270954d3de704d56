using System.Reflection;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace VppLedger;

/// <summary>
/// Commands as JSON files (what <c>vppledger what-if FILE.json</c> reads): one object whose <c>command</c> member names
/// the command's type (<c>"CreateAssignment"</c>) and whose other members are the command's own, as the ledger stores
/// them (identifiers as strings, a pool as <c>{"Token": ..., "AdamId": ...}</c>, enums by name, instants in ISO 8601). Thread-safe.
/// </summary>
public static class LedgerCommandJson
{
    private const string TypeMember = "command";

    private static readonly JsonSerializerSettings Settings = Storage.NewtonsoftSerializer.CreateSettings();

    private static readonly IReadOnlyDictionary<string, Type> Types = typeof(ILedgerCommand).Assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILedgerCommand).IsAssignableFrom(t))
        .ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names a <c>command</c> member may take, in order.</summary>
    public static IReadOnlyList<string> CommandNames { get; } = [.. Types.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Reads one command.</summary>
    /// <param name="json">The JSON object.</param>
    /// <param name="defaultId">The command id when the object has no <c>Id</c>.</param>
    /// <param name="defaultActor">The actor when the object has no <c>Actor</c>.</param>
    /// <returns>The command, its values checked by their own constructors.</returns>
    /// <exception cref="FormatException">The text is not a JSON object, names no known command, or a value is missing or not valid; the message says which.</exception>
    public static ILedgerCommand Parse(string json, CommandId? defaultId = null, Actor? defaultActor = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JObject o;
        try
        {
            o = JObject.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The command is not a JSON object ({e.Message}). Write one object such as {{\"command\": \"DeleteToken\", \"Token\": \"tok-1\"}}.", e);
        }

        var name = o.Property(TypeMember, StringComparison.OrdinalIgnoreCase)?.Value.Value<string>();
        if (name is null || !Types.TryGetValue(name, out var type))
        {
            throw new FormatException(
                $"The command object names {(name is null ? "no command" : $"the unknown command '{name}'")}: set \"{TypeMember}\" to one of {string.Join(", ", CommandNames)}.");
        }

        o.Remove(TypeMember);
        if (o.Property("Id", StringComparison.OrdinalIgnoreCase) is null && defaultId is { } id)
        {
            o["Id"] = id.Value;
        }

        if (o.Property("Actor", StringComparison.OrdinalIgnoreCase) is null && defaultActor is not null)
        {
            o["Actor"] = JObject.FromObject(new { defaultActor.Name, Permissions = defaultActor.Permissions.ToString() });
        }

        var missing = Constructor(type).GetParameters()
            .Where(p => !p.HasDefaultValue && o.Property(p.Name!, StringComparison.OrdinalIgnoreCase) is null)
            .Select(p => p.Name)
            .ToList();
        if (missing.Count > 0)
        {
            throw new FormatException($"The {type.Name} command lacks {string.Join(", ", missing)}. Give each of its members: {Members(type)}.");
        }

        try
        {
            return (ILedgerCommand)(o.ToObject(type, JsonSerializer.Create(Settings))
                ?? throw new FormatException($"The {type.Name} command is empty."));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or TargetInvocationException or NullReferenceException)
        {
            var cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            throw new FormatException($"The {type.Name} command is not valid ({cause.Message}). Give each of its members: {Members(type)}.", cause);
        }
    }

    /// <summary>Writes one command in the form <see cref="Parse"/> reads.</summary>
    /// <param name="command">The command.</param>
    /// <returns>An indented JSON object.</returns>
    public static string Write(ILedgerCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var o = JObject.FromObject(command, JsonSerializer.Create(Settings));
        o.AddFirst(new JProperty(TypeMember, command.GetType().Name));
        return o.ToString(Formatting.Indented);
    }

    private static ConstructorInfo Constructor(Type type) => type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();

    private static string Members(Type type) => string.Join(", ", Constructor(type).GetParameters().Select(p => p.Name));
}
