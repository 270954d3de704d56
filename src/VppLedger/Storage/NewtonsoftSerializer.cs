using System.Buffers;
using System.Data.Common;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.JsonNet;
using Npgsql;
using NpgsqlTypes;
using Weasel.Core;

namespace VppLedger.Storage;

/// <summary>
/// Marten's serializer over Newtonsoft.Json (Marten 9 dropped its own). NodaTime values are ISO-8601
/// text, enums are names, typed identifiers are plain strings, and no .NET type names are written:
/// the stored JSON is readable with psql and outlives class renames.
/// </summary>
internal sealed class NewtonsoftSerializer : Marten.ISerializer
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly JsonSerializer _serializer;

    public NewtonsoftSerializer()
    {
        Settings = CreateSettings();
        _serializer = JsonSerializer.Create(Settings);
    }

    /// <summary>The settings every VppLedger JSON goes through (also used for golden files and exports).</summary>
    public JsonSerializerSettings Settings { get; }

    public EnumStorage EnumStorage => EnumStorage.AsString;

    public Casing Casing => Casing.Default;

    public Marten.ValueCasting ValueCasting => Marten.ValueCasting.Relaxed;

    internal static JsonSerializerSettings CreateSettings() => CreateSettings(matchConvertersOnce: true);

    /// <summary>The settings; <paramref name="matchConvertersOnce"/> false only for the benchmark that compares with Newtonsoft's own lookup.</summary>
    internal static JsonSerializerSettings CreateSettings(bool matchConvertersOnce)
    {
        var settings = new JsonSerializerSettings
        {
            TypeNameHandling = TypeNameHandling.None,
            DateParseHandling = DateParseHandling.None,
            MetadataPropertyHandling = MetadataPropertyHandling.Ignore,
            NullValueHandling = NullValueHandling.Include,
            MissingMemberHandling = MissingMemberHandling.Ignore,
            ConstructorHandling = ConstructorHandling.AllowNonPublicDefaultConstructor,
            ContractResolver = new LedgerContractResolver(),
            Formatting = Formatting.None,
        };
        settings.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        settings.Converters.Add(new StringEnumConverter());
        settings.Converters.Add(new IdentifierConverter());
        if (matchConvertersOnce)
        {
            ((LedgerContractResolver)settings.ContractResolver).MatchConvertersOnce(settings.Converters);
        }

        return settings;
    }

    public string ToJson(object? document)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        _serializer.Serialize(writer, document);
        return writer.ToString();
    }

    public string ToCleanJson(object? document) => ToJson(document);

    public string ToJsonWithTypes(object document) => ToJson(document);

    public void WriteTo(IBufferWriter<byte> buffer, object? document) => buffer.Write(Utf8.GetBytes(ToJson(document)));

    public void WriteToCleanJson(IBufferWriter<byte> buffer, object? document) => WriteTo(buffer, document);

    public void WriteToJsonWithTypes(IBufferWriter<byte> buffer, object document) => WriteTo(buffer, document);

    public void WriteToParameter(NpgsqlParameter parameter, object? value)
    {
        parameter.NpgsqlDbType = NpgsqlDbType.Jsonb;
        parameter.Value = ToJson(value);
    }

    public void WriteToParameter(DbParameter parameter, object? value)
    {
        if (parameter is NpgsqlParameter npgsql)
        {
            WriteToParameter(npgsql, value);
            return;
        }

        parameter.Value = ToJson(value);
    }

    public T FromJson<T>(Stream stream) => (T)FromJson(typeof(T), stream);

    public T FromJson<T>(DbDataReader reader, int index) => (T)FromJson(typeof(T), reader, index);

    public object FromJson(Type type, Stream stream)
    {
        using var text = new StreamReader(stream, Utf8);
        using var json = new JsonTextReader(text) { DateParseHandling = DateParseHandling.None };
        return _serializer.Deserialize(json, type)!; // JSON null (as Marten stores empty headers) reads back as null
    }

    public object FromJson(Type type, DbDataReader reader, int index)
    {
        using var text = reader.GetTextReader(index);
        using var json = new JsonTextReader(text) { DateParseHandling = DateParseHandling.None };
        return _serializer.Deserialize(json, type)!; // JSON null (as Marten stores empty headers) reads back as null
    }

    public ValueTask<T> FromJsonAsync<T>(Stream stream, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson<T>(stream));

    public ValueTask<T> FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson<T>(reader, index));

    public ValueTask<object> FromJsonAsync(Type type, Stream stream, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson(type, stream));

    public ValueTask<object> FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson(type, reader, index));
}

/// <summary>
/// PascalCase as written (Marten's LINQ expects member names unchanged), and only the data of a record:
/// a get-only property that no constructor parameter sets (TotalCount = Purchased - Retired) is derived, not stored.
/// </summary>
internal sealed class LedgerContractResolver : DefaultContractResolver
{
    private JsonConverter[] _converters = [];

    /// <summary>
    /// Gives each contract, once, the first of <paramref name="converters"/> that converts its type, which is what
    /// Newtonsoft would otherwise look up for every value it reads or writes (each converter's CanConvert, in order: in a
    /// perf profile of bulk grants, about 3% of the client process's samples, an eighth of its compiled managed code's).
    /// A converter named by an attribute still comes first, as in Newtonsoft's own order. Call before the first contract
    /// is resolved.
    /// </summary>
    public void MatchConvertersOnce(IEnumerable<JsonConverter> converters) => _converters = [.. converters];

    protected override JsonContract CreateContract(Type objectType)
    {
        var contract = base.CreateContract(objectType);
        contract.Converter ??= Array.Find(_converters, c => c.CanConvert(objectType));
        return contract;
    }

    protected override IList<JsonProperty> CreateProperties(Type type, MemberSerialization memberSerialization)
    {
        var parameters = type.GetConstructors()
            .SelectMany(c => c.GetParameters())
            .Select(p => p.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var properties = base.CreateProperties(type, memberSerialization)
            .Where(p => p.Writable || parameters.Contains(p.PropertyName!))
            .ToList();
        if (type == typeof(PoolId))
        {
            // A standard pool is written as before pricing was known ({Token, AdamId}), so the log keeps one spelling of it.
            var pricing = properties.Single(p => p.PropertyName == nameof(PoolId.Pricing));
            pricing.ShouldSerialize = o => ((PoolId)o).Pricing != PricingParam.Stdq;
        }

        return properties;
    }
}

/// <summary>Writes the ledger's typed identifiers (and <see cref="Holder"/>) as plain JSON strings.</summary>
internal sealed class IdentifierConverter : JsonConverter
{
    private static readonly Dictionary<Type, Func<string, object>> Parsers = new()
    {
        [typeof(TokenId)] = s => new TokenId(s),
        [typeof(AdamId)] = s => new AdamId(s),
        [typeof(UserId)] = s => new UserId(s),
        [typeof(DeviceId)] = s => new DeviceId(s),
        [typeof(GroupId)] = s => new GroupId(s),
        [typeof(SerialNumber)] = s => new SerialNumber(s),
        [typeof(CommandId)] = s => new CommandId(s),
        [typeof(Holder)] = Holder.FromKey,
        [typeof(Tokens.TokenFingerprint)] = s => new Tokens.TokenFingerprint(s),
        [typeof(Tokens.LocationKey)] = s => new Tokens.LocationKey(s),
    };

    public override bool CanConvert(Type objectType) =>
        Parsers.ContainsKey(Nullable.GetUnderlyingType(objectType) ?? objectType);

    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        if (reader.TokenType == JsonToken.Null)
        {
            return null;
        }

        var text = reader.Value as string
            ?? throw new JsonSerializationException($"Expected a string for {objectType.Name} at {reader.Path}, found {reader.TokenType}.");
        return Parsers[Nullable.GetUnderlyingType(objectType) ?? objectType](text);
    }

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
    {
        switch (value)
        {
            case null: writer.WriteNull(); break;
            case Holder holder: writer.WriteValue(holder.Key); break;
            case SerialNumber serial: writer.WriteValue(serial.Value); break;
            default: writer.WriteValue(value.ToString()); break;
        }
    }
}
