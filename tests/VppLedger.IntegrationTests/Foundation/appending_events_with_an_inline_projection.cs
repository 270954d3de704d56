using Marten;
using NodaTime;
using VppLedger.IntegrationTests.Infrastructure;

namespace VppLedger.IntegrationTests.Foundation;

public sealed class appending_events_with_an_inline_projection(SchemaFixture db) : IClassFixture<SchemaFixture>
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 1, 5, 9, 0);

    [Fact]
    public async Task the_projection_is_written_in_the_same_transaction_and_the_events_read_back()
    {
        await using (var session = db.Store.LightweightSession("tenant-a"))
        {
            session.Events.StartStream("probe:inline", new ProbeStarted("inline", T0), new ProbeCounted(2, T0 + Duration.FromMinutes(1)));
            await session.SaveChangesAsync();
        }

        await using (var session = db.Store.LightweightSession("tenant-a"))
        {
            var stream = await session.Events.FetchForWriting<ProbeTotal>("probe:inline");
            Assert.Equal(2, stream.CurrentVersion);
            stream.AppendOne(new ProbeCounted(5, T0 + Duration.FromMinutes(2)));
            await session.SaveChangesAsync();
        }

        await using var query = db.Store.QuerySession("tenant-a");
        var total = await query.LoadAsync<ProbeTotal>("probe:inline");
        var events = await query.Events.FetchStreamAsync("probe:inline");

        Assert.Equal(new ProbeTotal("probe:inline", "inline", 7, T0 + Duration.FromMinutes(2)), total);
        Assert.Equal(3, events.Count);
        Assert.Equal(new ProbeCounted(5, T0 + Duration.FromMinutes(2)), events[2].Data);
    }

    [Fact]
    public async Task one_stream_id_under_two_tenants_is_two_streams_and_neither_sees_the_other()
    {
        await using (var a = db.Store.LightweightSession("tenant-a"))
        {
            a.Events.StartStream("probe:shared-id", new ProbeStarted("of a", T0), new ProbeCounted(1, T0));
            await a.SaveChangesAsync();
        }

        await using (var b = db.Store.LightweightSession("tenant-b"))
        {
            b.Events.StartStream("probe:shared-id", new ProbeStarted("of b", T0), new ProbeCounted(40, T0));
            await b.SaveChangesAsync();
        }

        await using var queryA = db.Store.QuerySession("tenant-a");
        await using var queryB = db.Store.QuerySession("tenant-b");
        await using var queryC = db.Store.QuerySession("tenant-c");

        Assert.Equal(new ProbeTotal("probe:shared-id", "of a", 1, T0), await queryA.LoadAsync<ProbeTotal>("probe:shared-id"));
        Assert.Equal(new ProbeTotal("probe:shared-id", "of b", 40, T0), await queryB.LoadAsync<ProbeTotal>("probe:shared-id"));
        Assert.Null(await queryC.LoadAsync<ProbeTotal>("probe:shared-id"));
        Assert.Equal(2, (await queryA.Events.FetchStreamAsync("probe:shared-id")).Count);
        Assert.Empty(await queryC.Events.FetchStreamAsync("probe:shared-id"));
        Assert.All(await queryB.Events.FetchStreamAsync("probe:shared-id"), e => Assert.Equal("tenant-b", e.TenantId));
    }

    [Fact]
    public async Task appending_at_a_stale_version_is_refused_and_writes_nothing()
    {
        await using (var session = db.Store.LightweightSession("tenant-a"))
        {
            session.Events.StartStream("probe:stale", new ProbeStarted("stale", T0));
            await session.SaveChangesAsync();
        }

        await using (var first = db.Store.LightweightSession("tenant-a"))
        await using (var second = db.Store.LightweightSession("tenant-a"))
        {
            var one = await first.Events.FetchForWriting<ProbeTotal>("probe:stale");
            var two = await second.Events.FetchForWriting<ProbeTotal>("probe:stale");
            one.AppendOne(new ProbeCounted(1, T0));
            two.AppendOne(new ProbeCounted(100, T0));
            await first.SaveChangesAsync();
            await Assert.ThrowsAnyAsync<JasperFx.ConcurrencyException>(() => second.SaveChangesAsync());
        }

        await using var query = db.Store.QuerySession("tenant-a");
        Assert.Equal(1, (await query.LoadAsync<ProbeTotal>("probe:stale"))!.Total);
    }
}
