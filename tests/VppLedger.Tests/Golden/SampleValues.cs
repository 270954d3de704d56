using System.Collections;
using System.Reflection;
using NodaTime;
using VppLedger.Directory;

namespace VppLedger.Tests.Golden;

/// <summary>
/// Builds one deterministic instance of any event type by filling its widest constructor with sample
/// values, so every event has a golden file without a hand-written sample that could drift.
/// </summary>
public static class SampleValues
{
    public static readonly Instant At = Instant.FromUtc(2026, 3, 3, 10, 15, 30);

    public static object Create(Type type) => Create(type, depth: 0);

    private static object Create(Type type, int depth)
    {
        if (depth > 8)
        {
            throw new InvalidOperationException($"Sample of {type} nests too deep.");
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return Create(underlying, depth + 1);
        }

        object? simple = type switch
        {
            _ when type == typeof(string) => "sample",
            _ when type == typeof(int) => 3,
            _ when type == typeof(long) => 7L,
            _ when type == typeof(bool) => true,
            _ when type == typeof(Instant) => At,
            _ when type == typeof(LocalDate) => new LocalDate(2027, 3, 3),
            _ when type == typeof(Duration) => Duration.FromDays(30),
            _ when type == typeof(TokenId) => new TokenId("tok-1"),
            _ when type == typeof(AdamId) => new AdamId("361309726"),
            _ when type == typeof(UserId) => new UserId("user-1"),
            _ when type == typeof(DeviceId) => new DeviceId("device-1"),
            _ when type == typeof(GroupId) => new GroupId("group-1"),
            _ when type == typeof(CommandId) => new CommandId("cmd-1"),
            _ when type == typeof(SerialNumber) => new SerialNumber("C02XK1ABCDEF"),
            _ when type == typeof(AppleId) => new AppleId("someone@example.com", AppleIdKind.Managed),
            _ when type == typeof(VppLedger.Tokens.TokenFingerprint) => VppLedger.Tokens.TokenFingerprint.Of("sample secret"),
            _ when type == typeof(VppLedger.Tokens.LocationKey) => VppLedger.Tokens.LocationKey.FromAppleLocationId("loc-1"),
            _ when type == typeof(PoolId) => new PoolId(new TokenId("tok-1"), new AdamId("361309726")),
            _ when type == typeof(Holder) => Holder.ForUser(new UserId("user-1"), AppleIdKind.Managed),
            _ when type == typeof(DeviceProfile) => new DeviceProfile(Platform.macOS, Ownership.Corporate, EnrollmentKind.Device, true, false, false),
            _ when type.IsEnum => Enum.GetValues(type).Cast<object>().Skip(1).DefaultIfEmpty(Enum.GetValues(type).GetValue(0)!).First(),
            _ => null,
        };
        if (simple is not null)
        {
            return simple;
        }

        if (type.IsArray)
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(Create(type.GetElementType()!, depth + 1), 0);
            return array;
        }

        if (type.IsGenericType && type.GetGenericArguments().Length == 1 && typeof(IEnumerable).IsAssignableFrom(type.GetGenericTypeDefinition().MakeGenericType(typeof(object))))
        {
            var element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Create(element, depth + 1));
            return list;
        }

        if (type.IsGenericType && type.GetGenericArguments().Length == 2 && type.Name.Contains("Dictionary", StringComparison.Ordinal))
        {
            var args = type.GetGenericArguments();
            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
            dictionary.Add(Create(args[0], depth + 1), Create(args[1], depth + 1));
            return dictionary;
        }

        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"No public constructor to build a sample {type.Name}; add a case to {nameof(SampleValues)}.");
        return constructor.Invoke([.. constructor.GetParameters().Select(p => Create(p.ParameterType, depth + 1))]);
    }
}
