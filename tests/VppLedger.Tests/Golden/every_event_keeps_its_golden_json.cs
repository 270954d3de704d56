using System.Runtime.CompilerServices;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using VppLedger.Storage;

namespace VppLedger.Tests.Golden;

/// <summary>
/// The log outlives the code: every event type has a golden JSON file under its stable name, and today's
/// code must write exactly that JSON and read it back without loss. A changed event is a new version with a
/// new name and golden file, never an edit of an old one. A missing golden file is written, and the test
/// fails once so that the new file is reviewed and committed.
/// </summary>
public sealed class every_event_keeps_its_golden_json
{
    private static readonly NewtonsoftSerializer Serializer = new();

    public static TheoryData<string> EventNamesData()
    {
        var data = new TheoryData<string>();
        foreach (var (_, name) in EventNames.All)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EventNamesData))]
    [Trait("Rule", "I2")]
    public void the_event_writes_and_reads_its_golden_json(string eventName)
    {
        var type = EventNames.All.Single(e => e.Name == eventName).Type;
        var written = Indented(Serializer.ToJson(SampleValues.Create(type)));
        var path = Path.Combine(GoldenDirectory(), eventName + ".json");

        if (!File.Exists(path))
        {
            File.WriteAllText(path, written);
            Assert.Fail($"Golden file {path} was missing and has been written: review it and commit it.");
        }

        var golden = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(golden, written);

        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(golden));
        var readBack = Serializer.FromJson(type, stream);
        Assert.Equal(golden, Indented(Serializer.ToJson(readBack)));
    }

    [Fact]
    public void every_event_type_of_the_ledger_has_a_stable_name()
    {
        var events = typeof(ILedgerEvent).Assembly.GetTypes()
            .Where(t => typeof(ILedgerEvent).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .ToHashSet();
        var named = EventNames.All.Select(e => e.Type).ToHashSet();

        Assert.Empty(events.Except(named).Select(t => t.FullName));
        Assert.Equal(EventNames.All.Count, EventNames.All.Select(e => e.Name).Distinct().Count());
        Assert.All(EventNames.All, e => Assert.Matches(@"^vpp\.[a-z]+\.[a-z_]+\.v[0-9]+$", e.Name));
    }

    private static string Indented(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        return JToken.Load(reader).ToString(Formatting.Indented).ReplaceLineEndings("\n") + "\n";
    }

    private static string GoldenDirectory([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "events");
}
