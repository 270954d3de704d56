using Marten;
using NodaTime;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Foundation;

public sealed class storing_values_through_postgresql_jsonb(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private static readonly Instant March3 = Instant.FromUtc(2026, 3, 3, 10, 15, 30);

    private static SerializationProbe Probe(string id) => new(
        id,
        March3,
        new LocalDate(2026, 3, 3),
        Duration.FromDays(30),
        new TokenId("tok-1"),
        new AdamId("361309726"),
        Holder.ForUser(new UserId("alice"), AppleIdKind.Managed),
        LicenseType.Device,
        [Holder.ForDevice(new DeviceId("ipad-7")), Holder.ForUser(new UserId("bob"), AppleIdKind.Personal)],
        null);

    [Fact]
    public async Task nodatime_values_and_records_round_trip_unchanged()
    {
        var probe = Probe("round-trip");
        await using (var session = db.Store.LightweightSession("tenant-a"))
        {
            session.Store(probe);
            await session.SaveChangesAsync();
        }

        await using var query = db.Store.QuerySession("tenant-a");
        var loaded = await query.LoadAsync<SerializationProbe>("round-trip");

        Assert.NotNull(loaded);
        Assert.Equal(probe.At, loaded.At);
        Assert.Equal(probe.Day, loaded.Day);
        Assert.Equal(probe.Grace, loaded.Grace);
        Assert.Equal(probe.Token, loaded.Token);
        Assert.Equal(probe.App, loaded.App);
        Assert.Equal(probe.Holder, loaded.Holder);
        Assert.Equal(probe.Holders, loaded.Holders);
        Assert.Null(loaded.NotYet);
    }

    [Fact]
    public async Task the_stored_json_holds_iso_text_and_plain_identifiers()
    {
        await using (var session = db.Store.LightweightSession("tenant-a"))
        {
            session.Store(Probe("stored-text"));
            await session.SaveChangesAsync();
        }

        var json = await TestServer.ScalarAsync<string>(
            $"select data::text from {db.SchemaName}.mt_doc_serializationprobe where id = 'stored-text'");

        Assert.NotNull(json);
        Assert.Contains("\"At\": \"2026-03-03T10:15:30Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Day\": \"2026-03-03\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Grace\": \"720:00:00\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Token\": \"tok-1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Holder\": \"u.alice.managed\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Type\": \"Device\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("$type", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_event_is_stored_with_its_instant_as_iso_text_under_its_stable_name()
    {
        await using (var session = db.Store.LightweightSession("tenant-a"))
        {
            session.Events.StartStream("probe:iso", new ProbeStarted("iso", March3));
            await session.SaveChangesAsync();
        }

        var occurredAt = await TestServer.ScalarAsync<string>(
            $"select data->>'OccurredAt' from {db.SchemaName}.mt_events where stream_id = 'probe:iso'");
        var typeName = await TestServer.ScalarAsync<string>(
            $"select type from {db.SchemaName}.mt_events where stream_id = 'probe:iso'");

        Assert.Equal("2026-03-03T10:15:30Z", occurredAt);
        Assert.Equal("vpp.probe.started.v1", typeName);
    }
}
