using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace VppLedger.Cli.Infrastructure;

/// <summary>How values look in tables and in JSON.</summary>
internal static class Format
{
    private static readonly InstantPattern Display = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm 'UTC'");

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string When(Instant instant) => Display.Format(instant);

    public static string When(Instant? instant) => instant is { } i ? When(i) : "-";

    /// <summary>ISO 8601 in UTC, as JSON carries instants.</summary>
    public static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    public static string? Iso(Instant? instant) => instant is { } i ? Iso(i) : null;

    public static string Count(int count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    public static string Count(long count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    public static void WriteJson(CliHost host, object value)
    {
        host.Output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
        host.Output.Flush();
    }
}
