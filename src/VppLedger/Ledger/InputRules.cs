using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using VppLedger.Licensing;
using VppLedger.Tokens;

namespace VppLedger;

/// <summary>
/// The limits every value of a command is checked against before anything is read (rule I3: bad input writes
/// nothing and is answered with a typed rejection, never with an exception from the database). docs/errors.md lists them.
/// </summary>
public static class InputRules
{
    /// <summary>Longest identifier (token, app, user, device, group, command id, serial number): stream ids are built from them.</summary>
    public const int MaxIdLength = IdentifierText.MaxLength;

    /// <summary>Longest name or other one-line text (actor, token name, organization, other MDM): a person reads it in a row of the audit.</summary>
    public const int MaxNameLength = 256;

    /// <summary>Longest reason (a failed sync's error): Apple's error texts are a few hundred characters; this bounds each audit row.</summary>
    public const int MaxReasonLength = 2048;

    /// <summary>
    /// Longest list in one command (members, holders, users, devices, apps). Twice the largest batch a decider accepts
    /// (5,000), so the deciders' own codes (<c>TooManyMembersInOneCommand</c>) still speak for lists of a sane size,
    /// while the work a malformed command can cause before it is refused stays bounded.
    /// </summary>
    public const int MaxListLength = 10_000;

    /// <summary>Deepest nesting of records the check walks; commands nest three levels, so more is a malformed value.</summary>
    private const int MaxDepth = 8;

    private static readonly ConcurrentDictionary<Type, Plan> Plans = new();

    private static readonly ConcurrentDictionary<Type, long> FlagMasks = new();

    /// <summary>
    /// Checks every value of a command: ids set (not <c>default</c>), no null where none is allowed, lists bounded
    /// and without null elements, enums of defined values only, text without NUL or a lone UTF-16 surrogate and within
    /// its limit. Pure; the plan of each command type is built once by reflection and cached.
    /// </summary>
    /// <param name="command">The command as the host sent it.</param>
    /// <returns>Null when every value is acceptable; else the <c>InvalidInput</c> rejection naming the first bad field.</returns>
    public static Rejection? Check(ILedgerCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var problem = Walk(command, command.GetType(), string.Empty, 0, MaxNameLength) ?? CommandSpecific(command);
        return problem is { } p ? InvalidInput(p.Field, p.What) : null;
    }

    /// <summary>The problem of one value (a query argument), or null; the field is named from <paramref name="name"/>.</summary>
    internal static string? Problem(object? value, Type type, string name) =>
        Walk(value, type, name, 0, MaxNameLength) is { } p ? $"{p.Field} {p.What}" : null;

    /// <summary>Throws <see cref="ArgumentException"/> when a query argument is not acceptable (same checks as commands).</summary>
    internal static void ThrowIfInvalid<T>(T value, string name)
    {
        if (Problem(value, typeof(T), name) is { } problem)
        {
            throw new ArgumentException(problem + ".", name);
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> when a business instant of a query lies outside the years 1 to
    /// 9999, which PostgreSQL's timestamps (and .NET's <see cref="DateTime"/>) hold.
    /// </summary>
    internal static void ThrowIfOutOfRange(NodaTime.Instant? instant, string name)
    {
        if (instant is { } i && (i < MinInstant || i > MaxInstant))
        {
            throw new ArgumentOutOfRangeException(
                name,
                i.ToString(),
                $"{name} must lie between the years 1 and 9999 (UTC), the range PostgreSQL timestamps hold; pass null for no bound instead.");
        }
    }

    private static readonly NodaTime.Instant MinInstant = NodaTime.Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));

    private static readonly NodaTime.Instant MaxInstant = NodaTime.Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));

    /// <summary>The rejection of a bad value: which field, what is wrong, and that nothing was written.</summary>
    /// <param name="field">The field path, for example <c>Members[3].Id</c>.</param>
    /// <param name="what">What is wrong with it and the limit, for example <c>contains ':' (at character 4)</c>.</param>
    public static Rejection InvalidInput(string field, string what) => new(
        "InvalidInput",
        "I3",
        $"{field} {what}. Nothing was read or written; correct the value and send the command again.");

    /// <summary>What is wrong with free text, or null: too long, a NUL character (PostgreSQL stores none), or a lone UTF-16 surrogate (not Unicode).</summary>
    internal static string? TextProblem(string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is {value.Length} characters long; at most {maxLength} are accepted");
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return string.Create(CultureInfo.InvariantCulture, $"contains a NUL character (at character {i + 1}), which PostgreSQL cannot store; remove it");
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return string.Create(CultureInfo.InvariantCulture, $"contains a lone UTF-16 surrogate U+{(int)c:X4} (at character {i + 1}), which is not Unicode text; send valid text");
            }
        }

        return null;
    }

    private static int TextLimit(Type owner, string property) => property switch
    {
        "FileContent" => VppTokenFile.MaxFileBytes,
        "Reason" => MaxReasonLength,
        "Value" when owner == typeof(AppleId) => AppleId.MaxLength,
        "Value" when owner == typeof(LocationKey) => LocationKey.MaxLength,
        _ => MaxNameLength,
    };

    private static (string Field, string What)? Walk(object? value, Type type, string path, int depth, int textLimit)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (value is null)
        {
            return underlying is not null ? null : (Name(path), "is missing (null)");
        }

        type = value.GetType(); // the runtime type: a property typed as an interface is walked as what it holds
        if (depth > MaxDepth)
        {
            return (Name(path), "nests too deep");
        }

        if (type.IsEnum)
        {
            return EnumProblem(value, type) is { } e ? (Name(path), e) : null;
        }

        if (value is string text)
        {
            return TextProblem(text, textLimit) is { } t ? (Name(path), t) : null;
        }

        if (ListElement(type) is { } element)
        {
            return ListProblem((IEnumerable)value, element, path, depth, textLimit);
        }

        if (type.Assembly != typeof(InputRules).Assembly)
        {
            return null; // numbers, booleans, instants: the deciders check their ranges with codes of their own
        }

        var plan = Plans.GetOrAdd(type, Build);
        if (plan.Default is not null && plan.Default.Equals(value))
        {
            return (Name(path), $"is missing (a default {type.Name}); build it with new {type.Name}(...)");
        }

        foreach (var member in plan.Members)
        {
            var memberValue = member.Get(value);
            if (memberValue is null && member.NullAllowed)
            {
                continue;
            }

            if (Walk(memberValue, member.Type, Join(path, member.Name), depth + 1, member.TextLimit) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static (string Field, string What)? ListProblem(IEnumerable list, Type element, string path, int depth, int textLimit)
    {
        var index = 0;
        foreach (var item in list)
        {
            if (index == MaxListLength)
            {
                var count = list is ICollection c ? c.Count : index + 1;
                return (Name(path), string.Create(CultureInfo.InvariantCulture, $"holds {count} entries; at most {MaxListLength} are accepted in one command, send them in batches"));
            }

            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{Name(path)}[{index}]");
            if (item is null && Nullable.GetUnderlyingType(element) is null)
            {
                return (itemPath, "is missing (a null entry)");
            }

            if (Walk(item, element, itemPath, depth + 1, textLimit) is { } problem)
            {
                return problem;
            }

            index++;
        }

        return null;
    }

    private static string? EnumProblem(object value, Type type)
    {
        if (type.IsDefined(typeof(FlagsAttribute), inherit: false))
        {
            var all = FlagMasks.GetOrAdd(type, t => Enum.GetValues(t).Cast<object>().Aggregate(0L, (mask, v) => mask | Convert.ToInt64(v, CultureInfo.InvariantCulture)));
            var bits = Convert.ToInt64(value, CultureInfo.InvariantCulture);
            return (bits & ~all) == 0 ? null : UnknownEnum(value, type);
        }

        return Enum.IsDefined(type, value) ? null : UnknownEnum(value, type);
    }

    private static string UnknownEnum(object value, Type type) => string.Create(
        CultureInfo.InvariantCulture,
        $"is {Convert.ToInt64(value, CultureInfo.InvariantCulture)}, not a {type.Name}; use one of {string.Join(", ", Enum.GetNames(type))}");

    private static Type? ListElement(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    // A command's ids are typed, but RevokeLicenses names its target as text whose form depends on the scope.
    private static (string Field, string What)? CommandSpecific(ILedgerCommand command) => command switch
    {
        RevokeLicenses { Scope: RevocationScope.App } r => PoolKeyProblem(r.Target) is { } p ? ("Target", p) : null,
        RevokeLicenses r => IdentifierText.Problem(r.Target) is { } p ? ("Target", p) : null,
        _ => null,
    };

    private static string? PoolKeyProblem(string target)
    {
        var colon = target.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return "is not a pool: write it {tokenId}:{adamId}, as PoolId.ToString() does";
        }

        return IdentifierText.Problem(target[..colon]) is { } token
            ? "names a token id that " + token
            : IdentifierText.Problem(target[(colon + 1)..], digitsOnly: true) is { } adam ? "names an adamId that " + adam : null;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Name(string path) => path.Length == 0 ? "The command" : path;

    // The members a value is made of: the properties its constructors take (positional records and ids) and the
    // ones it lets callers set; computed properties (Holder.Key, PoolId's parts twice) are left out.
    private static Plan Build(Type type)
    {
        var parameters = type.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .SelectMany(c => c.GetParameters())
            .Select(p => p.Name)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var nullability = new NullabilityInfoContext();
        var members = type.GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null && p.Name != "EqualityContract")
            .Where(p => parameters.Contains(p.Name) || p.SetMethod is { IsPublic: true })
            .Select(p => new Member(p.Name, Getter(type, p), p.PropertyType, nullability.Create(p).ReadState == NullabilityState.Nullable, TextLimit(type, p.Name)))
            .ToArray();
        var hasReference = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Any(f => !f.FieldType.IsValueType);
        return new Plan(members, type.IsValueType && hasReference ? Activator.CreateInstance(type) : null);
    }

    private static Func<object, object?> Getter(Type type, PropertyInfo property)
    {
        var instance = Expression.Parameter(typeof(object));
        var body = Expression.Convert(Expression.Property(Expression.Convert(instance, type), property), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, instance).Compile();
    }

    private sealed record Member(string Name, Func<object, object?> Get, Type Type, bool NullAllowed, int TextLimit);

    private sealed record Plan(Member[] Members, object? Default);
}
