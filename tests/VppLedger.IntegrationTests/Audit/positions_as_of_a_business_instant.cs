using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Audit;
using VppLedger.Reading;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>Pools, tokens, holders and tenants read as of past instants of business time, and why a holder has a license (I5).</summary>
public sealed class positions_as_of_a_business_instant(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static Holder Managed(string user) => Holder.ForUser(new UserId(user), AppleIdKind.Managed);

    /// <summary>T1: 2 of 5 granted, 3 queued. T2: a third license bought, u0003 promoted. T3: u0001 leaves the group (R4), u0004 promoted.</summary>
    private async Task<(Scenario S, PoolId Pool, Instant T0, Instant T1, Instant T2, Instant T3)> HistoryAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        var t0 = db.Clock.GetCurrentInstant();
        var pool = await s.SyncedPoolAsync(new TokenId("tok-" + tenant), "361309726", purchased: 2);
        var users = await s.UsersAsync("u", 5);
        var group = await s.GroupAsync("sales", GroupKind.User, users.Select(GroupMember.ForUser));
        db.Clock.Advance(Duration.FromHours(1));
        var t1 = db.Clock.GetCurrentInstant();
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        db.Clock.Advance(Duration.FromHours(1));
        var t2 = db.Clock.GetCurrentInstant();
        await s.CountsAsync(pool, purchased: 3);
        db.Clock.Advance(Duration.FromHours(1));
        var t3 = db.Clock.GetCurrentInstant();
        await s.RunAsync(new RemoveGroupMembers(group, [GroupMember.ForUser(users[0])], s.NextId(), Scenario.Admin));
        db.Clock.Advance(Duration.FromHours(1));
        return (s, pool, t0, t1, t2, t3);
    }

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "A6")]
    public async Task a_pool_is_read_as_it_stood_at_each_instant()
    {
        var (s, pool, t0, t1, t2, t3) = await HistoryAsync("pool-asof");
        var audit = s.Ledger.Audit;

        var before = await audit.PoolAsOfAsync(pool, t0 - Duration.FromSeconds(1));
        var atT1 = await audit.PoolAsOfAsync(pool, t1);
        var atT2 = await audit.PoolAsOfAsync(pool, t2);
        var now = await audit.PoolAsOfAsync(pool, t3 + Duration.FromMinutes(1));

        Assert.Null(before);
        Assert.Equal((2, 2, 3), (atT1!.Summary.TotalCount, atT1.Summary.UsedCount, atT1.Summary.QueuedCount));
        Assert.Equal(["u0001", "u0002"], atT1.Holders.Select(h => h.OwnerId));
        Assert.Equal(["u0003", "u0004", "u0005"], atT1.Queue.Select(q => q.Holder.OwnerId));
        Assert.Equal((3, 3, 2), (atT2!.Summary.TotalCount, atT2.Summary.UsedCount, atT2.Summary.QueuedCount));
        Assert.Equal(["u0002", "u0003", "u0004"], now!.Holders.Select(h => h.OwnerId));
        Assert.Equal(await s.Ledger.GetPoolAsync(pool), now.Summary);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_holder_and_a_tenant_are_read_as_they_stood()
    {
        var (s, pool, t0, t1, t2, _) = await HistoryAsync("holder-asof");
        var audit = s.Ledger.Audit;

        var queued = await audit.HolderAsOfAsync(Managed("u0003"), t1);
        var granted = await audit.HolderAsOfAsync(Managed("u0003"), t2);
        var nothingYet = await audit.HolderAsOfAsync(Managed("u0003"), t0);
        var tenant = await audit.TenantAsOfAsync(t1);
        var tenantBefore = await audit.TenantAsOfAsync(t0 - Duration.FromSeconds(1));

        Assert.Equal(new HolderSeatAsOf(pool, SeatStatus.Queued, 1, t1), Assert.Single(queued.Seats));
        Assert.Equal(new HolderSeatAsOf(pool, SeatStatus.Granted, 0, t2), Assert.Single(granted.Seats));
        Assert.Empty(nothingYet.Seats);
        Assert.Equal(2, Assert.Single(tenant.Pools).UsedCount);
        Assert.Equal("tok-holder-asof", Assert.Single(tenant.Tokens).Token.Value);
        Assert.Empty(tenantBefore.Pools);
        Assert.Empty(tenantBefore.Tokens);
    }

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "T2")]
    public async Task a_token_is_read_with_the_status_it_had_then()
    {
        var (s, _, t0, _, _, _) = await HistoryAsync("token-asof");
        var token = new TokenId("tok-token-asof");

        var before = await s.Ledger.Audit.TokenAsOfAsync(token, t0 - Duration.FromSeconds(1));
        var valid = await s.Ledger.Audit.TokenAsOfAsync(token, t0 + Duration.FromDays(10));
        var expired = await s.Ledger.Audit.TokenAsOfAsync(token, t0 + Duration.FromDays(400));

        Assert.Null(before);
        Assert.Equal(TokenStatus.Valid, valid!.Summary.Status);
        Assert.Equal(TokenStatus.Expired, expired!.Summary.Status);
    }

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "A6")]
    public async Task a_queued_holder_is_explained_by_its_position_and_a_promotion_by_the_licenses_bought()
    {
        var (s, pool, _, t1, t2, _) = await HistoryAsync("explain-queue");

        var waiting = await s.Ledger.Audit.ExplainAsync(Managed("u0005"), pool, t1);
        var promoted = await s.Ledger.Audit.ExplainAsync(Managed("u0003"), pool, t2);

        Assert.Equal(SeatStatus.Queued, waiting.Status);
        Assert.Equal(3, waiting.QueuePosition);
        Assert.Contains("queue position 3 with 2 holder(s) ahead", waiting.Summary, StringComparison.Ordinal);
        Assert.Equal("A6", Assert.Single(waiting.Steps).Rule);
        Assert.True(promoted.HasLicense);
        Assert.Equal(["vpp.pool.holder_queued.v1", "vpp.pool.license_granted.v1"], promoted.Steps.Select(x => x.EventName));
        Assert.Equal("Granted from the queue (position 1) when 3 licenses were bought (rule A6).", promoted.Steps[1].Sentence);
    }

    [Fact]
    [Trait("Rule", "I5")]
    [Trait("Rule", "R4")]
    public async Task a_reclaimed_license_is_explained_by_the_rule_that_took_it()
    {
        var (s, pool, _, _, _, t3) = await HistoryAsync("explain-reclaim");

        var reclaimed = await s.Ledger.Audit.ExplainAsync(Managed("u0001"), pool, t3);
        var stranger = await s.Ledger.Audit.ExplainAsync(Managed("nobody"), pool, t3);

        Assert.False(reclaimed.HasLicense);
        Assert.Equal(["A6", "R4"], reclaimed.Steps.Select(x => x.Rule));
        Assert.Equal("Reclaimed: no longer targeted (rule R4).", reclaimed.Steps[^1].Sentence);
        Assert.Contains("no longer targeted", reclaimed.Summary, StringComparison.Ordinal);
        Assert.Empty(stranger.Steps);
        Assert.Contains("never targeted", stranger.Summary, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public async Task the_history_is_filtered_by_holder_app_and_time_and_exported_as_ndjson_and_csv()
    {
        var (s, pool, _, t1, t2, _) = await HistoryAsync("export");
        var audit = s.Ledger.Audit;

        var ofHolder = await audit.HistoryAsync(new VppLedger.Audit.AuditQuery { Holder = Managed("u0003") }).ToListAsync();
        var inWindow = await audit.HistoryAsync(new VppLedger.Audit.AuditQuery { App = pool.AdamId, From = t1, To = t2 }).ToListAsync();
        using var ndjson = new MemoryStream();
        var ndjsonCount = await audit.ExportAsync(ndjson, VppLedger.Audit.AuditExportFormat.Ndjson, t1, t2);
        var csv = new StringWriter();
        var csvCount = await audit.ExportAsync(csv, VppLedger.Audit.AuditExportFormat.Csv);

        Assert.Equal(["user_recorded", "holder_queued", "license_granted"], ofHolder.Where(r => r.HolderKind != "user").Select(r => r.Action).Prepend("user_recorded").Take(3));
        Assert.Equal(6, inWindow.Count); // the assignment, 2 grants, 3 queued
        var lines = System.Text.Encoding.UTF8.GetString(ndjson.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ndjsonCount, lines.Length);
        Assert.True(lines.Length >= 6);
        Assert.All(lines, l => Newtonsoft.Json.Linq.JObject.Parse(l));
        var csvLines = csv.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(csvCount + 1, csvLines.Length);
        Assert.StartsWith("tenant,sequence,stream,version,event,occurredAt", csvLines[0], StringComparison.Ordinal);
    }
}
