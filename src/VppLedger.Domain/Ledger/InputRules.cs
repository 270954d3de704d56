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
internal static class InputRules
{
    /// <summary>Longest identifier (token, app, user, device, group, command id, serial number): stream ids are built from them.</summary>
    public const int MaxIdLength = IdentifierText.MaxLength;

    /// <summary>Longest name or other one-line text (actor, token name, organization, other MDM): a person reads it in a row of the audit.</summary>
    public const int MaxNameLength = 256;

    /// <summary>Longest reason (a failed sync's error): Apple's error texts are a few hundred characters; this bounds each audit row.</summary>
    public const int MaxReasonLength = 2048;

    /// <summary>
    /// Longest list in one command (members, holders, users, devices, apps): a million entries is a malformed command
    /// whatever it carries. Far above the largest batch a decider accepts (5,000), so the deciders' own codes
    /// (<c>TooManyMembersInOneCommand</c>) answer every list of a size a host could mean.
    /// </summary>
    public const int MaxListLength = 1_000_000;

    /// <summary>Deepest nesting of records the check walks; commands nest three levels, so more is a malformed value.</summary>
    private const int MaxDepth = 8;

    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

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
        var found = Walk(command, command.GetType(), 0, MaxNameLength) ?? CommandSpecific(command);
        return found is null ? null : InvalidInput(found.Field.Length == 0 ? "The command" : found.Field, found.What);
    }

    /// <summary>The problem of one value (a query argument), or null; the field is named from <paramref name="name"/>.</summary>
    internal static string? Problem(object? value, Type type, string name) =>
        Walk(value, type, 0, MaxNameLength) is { } found ? $"{found.Under(name).Field} {found.What}" : null;

    /// <summary>Throws <see cref="ArgumentException"/> when a query argument is not acceptable (same checks as commands).</summary>
    internal static void ThrowIfInvalid<T>(T value, string name)
    {
        if (Problem(value, typeof(T), name) is { } problem)
        {
            throw new ArgumentException(problem + ".", name);
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when a business instant of a query lies outside the years 1 to
    /// 9999, which PostgreSQL's timestamps (and .NET's <see cref="DateTime"/>) hold.
    /// </summary>
    internal static void ThrowIfOutOfRange(NodaTime.Instant? instant, string name)
    {
        if (instant is { } i && (i < MinInstant || i > MaxInstant))
        {
            throw new ArgumentException(
                $"{name} ({i}) must lie between the years 1 and 9999 (UTC), the range PostgreSQL timestamps hold; pass null for no bound instead.",
                name);
        }
    }

    private static readonly NodaTime.Instant MinInstant = NodaTime.Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));

    private static readonly NodaTime.Instant MaxInstant = NodaTime.Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));

    /// <summary>The rejection of a bad value: which field, what is wrong, and that nothing was written.</summary>
    /// <param name="field">The field path, for example <c>Members[3].Id</c>.</param>
    /// <param name="what">What is wrong with it and the limit, for example <c>contains ':' (at character 4)</c>.</param>
    public static Rejection InvalidInput(string field, string what) => new(
        RejectionCodes.InvalidInput,
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

    /// <summary>As <see cref="TextProblem"/>, and no control character either: for text written on one line of a log (names, Apple IDs).</summary>
    internal static string? OneLineProblem(string value, int maxLength)
    {
        if (TextProblem(value, maxLength) is { } problem)
        {
            return problem;
        }

        var at = value.AsSpan().IndexOfAnyInRange('\0', '\u001f');
        return at < 0 ? null : string.Create(CultureInfo.InvariantCulture, $"contains the control character U+{(int)value[at]:X4} (at character {at + 1})");
    }

    // Text whose checks belong to another part, which answers with a more precise code: a token file's content
    // (VppTokenFile.Parse: TokenFileTooLarge, TokenFileNotBase64, ...) and a token name's length (InvalidTokenName).
    private const int ParserChecksIt = -1;

    private static int TextLimit(Type owner, string property) => property switch
    {
        "FileContent" => ParserChecksIt,
        "Name" when owner == typeof(TokenSettings) => int.MaxValue,
        "Reason" or "ErrorMessage" => MaxReasonLength,
        "Value" when owner == typeof(AppleId) => AppleId.MaxLength,
        "Value" when owner == typeof(LocationKey) => LocationKey.MaxLength,
        _ => MaxNameLength,
    };

    // The walk allocates nothing while values are good: the field path of a bad value is built on the way back up.
    private static Found? Walk(object? value, Type declared, int depth, int textLimit)
    {
        if (value is null)
        {
            return Nullable.GetUnderlyingType(declared) is null ? new Found("is missing (null)") : null;
        }

        if (value is string text)
        {
            return textLimit != ParserChecksIt && TextProblem(text, textLimit) is { } t ? new Found(t) : null;
        }

        if (depth > MaxDepth)
        {
            return new Found("nests too deep");
        }

        var type = value.GetType(); // the runtime type: a property typed as an interface is walked as what it holds
        var shape = Shapes.GetOrAdd(type, ShapeOf);
        switch (shape.Kind)
        {
            case ShapeKind.Enum:
                return shape.Defined!.Contains(Convert.ToInt64(value, CultureInfo.InvariantCulture)) ? null : new Found(UnknownEnum(value, type));
            case ShapeKind.Flags:
                return (Convert.ToInt64(value, CultureInfo.InvariantCulture) & ~shape.FlagMask) == 0 ? null : new Found(UnknownEnum(value, type));
            case ShapeKind.List:
                return ListProblem((IEnumerable)value, shape.Element!, depth, textLimit);
            case ShapeKind.Record:
                if (shape.Default is not null && shape.Default.Equals(value))
                {
                    return new Found($"is missing (a default {type.Name}); build it with new {type.Name}(...)");
                }

                foreach (var member in shape.Members!)
                {
                    var memberValue = member.Get(value);
                    if (memberValue is null && member.NullAllowed)
                    {
                        continue;
                    }

                    if (Walk(memberValue, member.Type, depth + 1, member.TextLimit) is { } found)
                    {
                        return found.Under(member.Name);
                    }
                }

                return null;
            default:
                return null; // numbers, booleans, instants: the deciders check their ranges with codes of their own
        }
    }

    private static Found? ListProblem(IEnumerable list, Type element, int depth, int textLimit)
    {
        if (list is ICollection { Count: > MaxListLength } collection)
        {
            return new Found(TooMany(collection.Count));
        }

        var index = 0;
        foreach (var item in list)
        {
            if (index == MaxListLength)
            {
                return new Found(TooMany(index + 1));
            }

            if (item is null && Nullable.GetUnderlyingType(element) is null)
            {
                return new Found("is missing (a null entry)").Under(Index(index));
            }

            if (Walk(item, element, depth + 1, textLimit) is { } found)
            {
                return found.Under(Index(index));
            }

            index++;
        }

        return null;
    }

    private static string TooMany(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"holds {count} entries; at most {MaxListLength} are accepted in one command, send them in batches");

    private static string UnknownEnum(object value, Type type) => string.Create(
        CultureInfo.InvariantCulture,
        $"is {Convert.ToInt64(value, CultureInfo.InvariantCulture)}, not a {type.Name}; use one of {string.Join(", ", Enum.GetNames(type))}");

    private static string Index(int index) => string.Create(CultureInfo.InvariantCulture, $"[{index}]");

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
    private static Found? CommandSpecific(ILedgerCommand command) => command switch
    {
        RevokeLicenses { Scope: RevocationScope.App } r => PoolKeyProblem(r.Target) is { } p ? new Found(p).Under("Target") : null,
        RevokeLicenses r => IdentifierText.Problem(r.Target) is { } p ? new Found(p).Under("Target") : null,
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

    // The members a value is made of: the properties its constructors take (positional records and ids) and the
    // ones it lets callers set; computed properties (Holder.Key, PoolId's parts twice) are left out.
    private static Shape ShapeOf(Type type)
    {
        if (type.IsEnum)
        {
            return type.IsDefined(typeof(FlagsAttribute), inherit: false)
                ? new Shape(ShapeKind.Flags, FlagMask: Enum.GetValues(type).Cast<object>().Aggregate(0L, (mask, v) => mask | Convert.ToInt64(v, CultureInfo.InvariantCulture)))
                : new Shape(ShapeKind.Enum, Defined: Enum.GetValues(type).Cast<object>().Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)).ToHashSet());
        }

        if (ListElement(type) is { } element)
        {
            return new Shape(ShapeKind.List, Element: element);
        }

        return type.Assembly == typeof(InputRules).Assembly ? RecordShape(type) : new Shape(ShapeKind.Other);
    }

    private static Shape RecordShape(Type type)
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
        return new Shape(ShapeKind.Record, Members: members, Default: type.IsValueType && hasReference ? Activator.CreateInstance(type) : null);
    }

    private static Func<object, object?> Getter(Type type, PropertyInfo property)
    {
        var instance = Expression.Parameter(typeof(object));
        var body = Expression.Convert(Expression.Property(Expression.Convert(instance, type), property), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, instance).Compile();
    }

    private sealed record Member(string Name, Func<object, object?> Get, Type Type, bool NullAllowed, int TextLimit);

    private enum ShapeKind
    {
        Other,
        Enum,
        Flags,
        List,
        Record,
    }

    private sealed record Shape(ShapeKind Kind, long FlagMask = 0, HashSet<long>? Defined = null, Type? Element = null, Member[]? Members = null, object? Default = null);

    /// <summary>A bad value: what is wrong, and its field path relative to where the walk stands.</summary>
    private sealed class Found(string what)
    {
        public string What { get; } = what;

        public string Field { get; private set; } = string.Empty;

        public Found Under(string segment)
        {
            Field = Field.Length == 0 ? segment : Field[0] == '[' ? segment + Field : segment + "." + Field;
            return this;
        }
    }
}
