using System.Buffers;
using BenchmarkDotNet.Attributes;
using NodaTime;
using VppLedger.Storage;

namespace VppLedger.Benchmarks.Pure;

/// <summary>Our Newtonsoft serializer on an event-shaped record carrying NodaTime values and typed ids.</summary>
[MemoryDiagnoser]
public class SerializerBenchmarks
{
    private readonly NewtonsoftSerializer _serializer = new();
    private readonly Newtonsoft.Json.JsonSerializer _lookupEachValue = Newtonsoft.Json.JsonSerializer.Create(NewtonsoftSerializer.CreateSettings(matchConvertersOnce: false));
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private SampleGranted _event = null!;
    private byte[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        _event = new SampleGranted(
            new PoolId(new TokenId("token-0042"), new AdamId("361309726")),
            Holder.ForUser(new UserId("user-123456"), AppleIdKind.Managed),
            LicenseType.User,
            "A6",
            "assignment:token-0042:361309726:group-7",
            Instant.FromUtc(2026, 3, 3, 10, 15, 30),
            Duration.FromDays(30));
        _json = System.Text.Encoding.UTF8.GetBytes(_serializer.ToJson(_event));
    }

    [Benchmark]
    public int Serialize()
    {
        _buffer.ResetWrittenCount();
        _serializer.WriteTo(_buffer, _event);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public SampleGranted Deserialize()
    {
        using var stream = new MemoryStream(_json, writable: false);
        return _serializer.FromJson<SampleGranted>(stream);
    }

    /// <summary>The same read with Newtonsoft matching its converters for every value (before the contracts kept them).</summary>
    [Benchmark]
    public SampleGranted DeserializeMatchingConvertersPerValue()
    {
        using var stream = new MemoryStream(_json, writable: false);
        using var text = new StreamReader(stream);
        using var json = new Newtonsoft.Json.JsonTextReader(text) { DateParseHandling = Newtonsoft.Json.DateParseHandling.None };
        return _lookupEachValue.Deserialize<SampleGranted>(json)!;
    }

    /// <summary>The same write with Newtonsoft matching its converters for every value.</summary>
    [Benchmark]
    public int SerializeMatchingConvertersPerValue()
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        _lookupEachValue.Serialize(writer, _event);
        _buffer.ResetWrittenCount();
        _buffer.Write(System.Text.Encoding.UTF8.GetBytes(writer.ToString()));
        return _buffer.WrittenCount;
    }

    public sealed record SampleGranted(PoolId Pool, Holder Holder, LicenseType Type, string Rule, string Reason, Instant OccurredAt, Duration Grace);
}
