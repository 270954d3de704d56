using System.Xml.Linq;
using NodaTime;
using NodaTime.Testing;
using VppLedger.Pools;
using VppLedger.Tokens;
using VppLedger.Cli.Infrastructure;
using VppLedger.Cli.Tests.Infrastructure;

namespace VppLedger.Cli.Tests;

/// <summary>
/// <c>vppledger report --chart</c> and <c>vppledger forecast</c> on the seeded tenant, whose history is known: counts
/// applied two days ago (pages: 3 licenses, tok-main's other pool 10), five users assigned pages a day ago (3 granted,
/// 2 queued), the tool's clock at <see cref="Tool.Now"/>.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class charting_and_forecasting_a_pool_from_its_history(SeededTenant db)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "A6")]
    public async Task a_pool_chart_draws_used_total_and_queued_at_each_change_of_its_history()
    {
        var (output, series) = await ChartAsync(SeededTenant.Tenant, "--pool", "tok-main:361309726");

        Assert.Contains("Wrote a chart of 3 point(s)", output, StringComparison.Ordinal);
        Assert.Equal("3 3 3", series["total"]); // counts applied at upload, the assignment, now
        Assert.Equal("0 3 3", series["used"]);
        Assert.Equal("0 2 2", series["queued"]);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_token_chart_sums_its_pools()
    {
        var (output, series) = await ChartAsync(SeededTenant.Tenant, "--token", "tok-main", "--json");

        Assert.Contains("\"points\": 3", output, StringComparison.Ordinal);
        Assert.Equal("13 13 13", series["total"]);
        Assert.Equal("0 3 3", series["used"]);
        Assert.Equal("0 2 2", series["queued"]);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_point_includes_the_events_of_its_own_instant_kept_to_the_microsecond()
    {
        // Business time with ticks below the microsecond (a real clock): the audit table keeps microseconds.
        var tenantId = $"ticks-{Guid.NewGuid():N}";
        var start = Tool.Now - Duration.FromDays(1) + Duration.FromTicks(1_234_567);
        var clock = new FakeClock(start);
        var admin = new Actor("admin@contoso.example", Permissions.All);
        var token = new TokenId("tok-ticks");
        var pool = new PoolId(token, new AdamId("361309726"));
        await using (var ledger = LicenseLedger.Create(db.Connection, o => { o.SchemaName = SeededTenant.Schema; o.Schema = SchemaCreation.None; }, clock))
        {
            var tenant = ledger.ForTenant(new TenantId(tenantId));
            var upload = new UploadTokenFile(
                token,
                VppTokenFile.Create("Ticks Ltd", "secret-ticks", Tool.Now + Duration.FromDays(300)),
                null,
                new AppleId("vpp-admin@contoso.example", AppleIdKind.Managed),
                new TokenSettings("Ticks Ltd", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
                ConsentToSendDataToApple: true,
                TakeControlFromOtherMdm: false,
                new CommandId("ticks-1"),
                admin);
            Assert.True((await tenant.ExecuteAsync(upload)).Succeeded);
            Assert.True((await tenant.ExecuteAsync(new ApplyAppleCounts(pool, ProductKind.App, 5, 0, null, new CommandId("ticks-2"), admin))).Succeeded);
            clock.Advance(Duration.FromHours(1) + Duration.FromTicks(3));
            Assert.True((await tenant.ExecuteAsync(new ApplyAppleCounts(pool, ProductKind.App, 8, 0, null, new CommandId("ticks-3"), admin))).Succeeded);
        }

        var (_, series) = await ChartAsync(tenantId, "--pool", "tok-ticks:361309726");

        Assert.Equal("5 8 8", series["total"]); // 5 at the first purchase (not missing), 8 at the second, 8 now
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_png_chart_is_an_image_with_the_three_series_in_their_colors()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vppledger-chart-{Guid.NewGuid():N}.png");
        try
        {
            var run = await Tool.RunAsync(db.Environment, "report", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--chart", file, "--pool", "tok-main:361309726");

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Contains("Wrote a chart of 3 point(s)", run.Output, StringComparison.Ordinal);
            using var image = SkiaSharp.SKBitmap.Decode(file); // a PNG a decoder reads, not just a file
            Assert.NotNull(image);
            Assert.Equal((800, 400), (image.Width, image.Height));
            var colors = image.Pixels.Select(c => (c.Red, c.Green, c.Blue)).ToHashSet();
            Assert.Contains(((byte)0x1f, (byte)0x77, (byte)0xb4), colors); // total
            Assert.Contains(((byte)0x2c, (byte)0xa0, (byte)0x2c), colors); // used
            Assert.Contains(((byte)0xd6, (byte)0x27, (byte)0x28), colors); // queued (2 of 3 at the end)
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task a_chart_file_that_is_neither_svg_nor_png_is_a_usage_error_and_writes_nothing()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vppledger-chart-{Guid.NewGuid():N}.jpg");
        var run = await Tool.RunAsync(db.Environment, "report", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--chart", file, "--pool", "tok-main:361309726");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--chart writes SVG or PNG: name a file ending in .svg or .png.", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task a_chart_without_a_pool_or_a_token_is_a_usage_error()
    {
        var run = await Tool.RunAsync(db.Environment, "report", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--chart", "x.svg");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--chart needs one of --pool TOKEN:ADAMID or --token TOKEN", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S1")]
    public async Task the_forecast_says_a_full_pool_ran_out_now_and_must_buy_its_queue()
    {
        var run = await Tool.RunAsync(db.Environment, "forecast", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        var pools = json.RootElement.GetProperty("pools").EnumerateArray().ToDictionary(p => p.GetProperty("adamId").GetString()!);
        Assert.False(pools.ContainsKey("361304891")); // tok-old is deleted: no forecast
        var pages = pools["361309726"];
        Assert.Equal((0, 2, 3, 2), (pages.GetProperty("available").GetInt32(), pages.GetProperty("queued").GetInt32(), pages.GetProperty("granted").GetInt32(), pages.GetProperty("toBuy").GetInt32()));
        Assert.Equal("2026-11-01T09:00:00Z", pages.GetProperty("runsOutAt").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, pools["361285480"].GetProperty("runsOutAt").ValueKind); // nothing granted: never at this rate

        var table = await Tool.RunAsync(db.Environment, "forecast", "--tenant", SeededTenant.Tenant, "--schema", SeededTenant.Schema);
        Assert.True(table.ExitCode == ExitCodes.Ok, table.ToString());
        Assert.Contains("never at this rate", table.Output, StringComparison.Ordinal);
        Assert.Contains("2026-11-01 09:00 UTC", table.Output, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>report --chart</c> into a temp file and reads the three series back from the SVG.</summary>
    private async Task<(string Output, Dictionary<string, string> Series)> ChartAsync(string tenant, params string[] what)
    {
        var file = Path.Combine(Path.GetTempPath(), $"vppledger-chart-{Guid.NewGuid():N}.svg");
        try
        {
            var run = await Tool.RunAsync(db.Environment, ["report", "--tenant", tenant, "--schema", SeededTenant.Schema, "--chart", file, .. what]);
            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            var svg = XDocument.Load(file); // valid XML
            Assert.Equal(Svg + "svg", svg.Root!.Name);
            var lines = svg.Root.Elements(Svg + "polyline").ToDictionary(l => (string)l.Attribute("data-series")!, l => (string)l.Attribute("data-values")!);
            Assert.Equal(["total", "used", "queued"], lines.Keys);
            return (run.Output, lines);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
