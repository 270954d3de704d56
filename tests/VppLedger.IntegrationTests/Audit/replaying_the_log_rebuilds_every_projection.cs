using System.Text;
using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Storage;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>A generated tenant of more than 10,000 events of every type, rebuilt from the log, equals the live projections byte for byte (I2).</summary>
public sealed class replaying_the_log_rebuilds_every_projection(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private const int UserCount = 2000;

    [Fact]
    [Trait("Rule", "I2")]
    [Trait("Rule", "I5")]
    public async Task a_rebuild_from_the_log_gives_every_document_and_the_audit_table_byte_for_byte()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("replay")), db.Clock.GetCurrentInstant());
        await GenerateAsync(s);
        var other = new Scenario(db.Ledger.ForTenant(new TenantId("replay-other")), db.Clock.GetCurrentInstant());
        await other.SyncedPoolAsync(new TokenId("tok-other"), "77", purchased: 1);

        var names = await TestServer.ScalarAsync<long>($"select count(distinct type) from {db.SchemaName}.mt_events where tenant_id = 'replay'");
        var events = await TestServer.ScalarAsync<long>($"select count(*) from {db.SchemaName}.mt_events where tenant_id = 'replay'");
        Assert.Equal(EventNames.All.Count, names);
        Assert.True(events >= 10_000, $"only {events} events");
        var live = await SnapshotAsync();
        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);

        // Spoil every projection, so that only a real rebuild can give the live state back.
        foreach (var table in live.Keys.Where(t => t != "vpp_audit"))
        {
            await TestServer.ScalarAsync<object>($"update {db.SchemaName}.{table} set data = '{{}}'::jsonb");
        }

        await TestServer.ScalarAsync<object>($"update {db.SchemaName}.vpp_audit set action = 'spoilt'");
        var progress = new List<VppLedger.Audit.RebuildProgress>();
        await db.Ledger.RebuildAsync(new SynchronousProgress(progress));
        var rebuilt = await SnapshotAsync();

        // One pass over the log for every projection: progress in events, in order, once per page of 5,000 and once at the end.
        Assert.True(progress.Count >= 3, $"{progress.Count} reports");
        Assert.True(progress[^1].EventsTotal >= events, $"{progress[^1].EventsTotal} events to read");
        Assert.Equal(progress[^1].EventsTotal, progress[^1].EventsDone);
        Assert.Equal(progress.Select(p => p.EventsDone).Order(), progress.Select(p => p.EventsDone));
        Assert.Equal(1, progress[^1].Done);
        Assert.Equal(live.Keys.Order(), rebuilt.Keys.Order());
        foreach (var (table, text) in live)
        {
            Assert.True(text.Length > 2, $"{table} is empty");
            Assert.True(string.Equals(text, rebuilt[table], StringComparison.Ordinal), $"{table} differs after the rebuild");
        }

        Assert.True((await s.Ledger.Audit.VerifyChainAsync()).IsIntact);
    }

    /// <summary>Every projected table as canonical text: documents as PostgreSQL's jsonb text (sorted keys), audit rows with their hashes.</summary>
    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var tables = new[] { "tokendoc", "pooldoc", "assignmentdoc", "userdoc", "devicedoc", "groupdoc", "seatdoc", "memberdoc", "releasedoc",
            "applesidedoc", "appleseatdoc", "appleuserdoc", "applenotificationdoc", "findingdoc" };
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in tables)
        {
            snapshot["mt_doc_" + t] = await TestServer.ScalarAsync<string>(
                $"select coalesce(string_agg(tenant_id || ' ' || id || ' ' || data::text, E'\\n' order by tenant_id, id), '') from {db.SchemaName}.mt_doc_{t}") ?? "";
        }

        snapshot["vpp_audit"] = await TestServer.ScalarAsync<string>(
            $"select string_agg(a::text, E'\\n' order by tenant_id, seq) from {db.SchemaName}.vpp_audit a") ?? "";
        return snapshot;
    }

    /// <summary>Every one of the 28 event types, through the public API; big commands keep it fast.</summary>
    private async Task GenerateAsync(Scenario s)
    {
        var admin = Scenario.Admin;
        var main = new TokenId("tok-main");
        var second = new TokenId("tok-second");
        var poolA = await s.SyncedPoolAsync(main, "1001", purchased: 1500);
        var poolB = await s.SyncedPoolAsync(second, "2002", purchased: 10);
        var users = await s.UsersAsync("u", UserCount);
        var group = await s.GroupAsync("everyone", GroupKind.User, users.Select(GroupMember.ForUser));
        db.Clock.Advance(Duration.FromMinutes(5));

        // Pool A: 1,500 granted and 500 queued, reclaimed and left, four times over (A6, R2, A4).
        await s.AssignAsync(poolA, group, AssignmentIntent.Required, LicenseType.User);
        await s.RunAsync(new RemoveAssignment(poolA, group, s.NextId(), admin));
        await s.AssignAsync(poolA, group, AssignmentIntent.Required, LicenseType.User);
        await s.RunAsync(new ChangeAssignment(poolA, group, AssignmentIntent.Uninstall, LicenseType.User, s.NextId(), admin));
        await s.RunAsync(new ChangeAssignment(poolA, group, AssignmentIntent.Required, LicenseType.User, s.NextId(), admin));
        db.Clock.Advance(Duration.FromMinutes(5));

        // Counts and drift (S2), a member who leaves the group and one who leaves the organization (R4).
        await s.RunAsync(new ApplyAppleCounts(poolA, ProductKind.App, 1600, 0, 7, s.NextId(), admin));
        await s.RunAsync(new RemoveGroupMembers(group, [GroupMember.ForUser(users[0]), GroupMember.ForUser(users[^1])], s.NextId(), admin));
        await s.RunAsync(new RecordUserLeftOrganization(users[1], s.NextId(), admin));
        await s.RunAsync(new RecordUser(users[2], new AppleId("personal-2@me.example", AppleIdKind.Personal), new AppleId("u0003@contoso.example", AppleIdKind.Managed), s.NextId(), admin));

        // Apple's answers (issue 13): three associations confirmed and one refused; two of the confirmed seats released and
        // answered (one confirmed, one refused), the third release still pending.
        var apple = new Actor("apple-worker", Permissions.ManagedApps);
        Holder Seat(int i) => Holder.ForUser(users[i], AppleIdKind.Managed);
        await s.RunAsync(new RecordAppleEventResult(poolA, "evt-assoc", AppleEventType.Associate, [Seat(3), Seat(4), Seat(6)], [new AppleHolderFailure(Seat(5), 9709, "Not enough licenses.")], s.NextId(), apple));
        await s.RunAsync(new RemoveGroupMembers(group, [GroupMember.ForUser(users[3]), GroupMember.ForUser(users[4]), GroupMember.ForUser(users[6])], s.NextId(), admin));
        await s.RunAsync(new RecordAppleEventResult(poolA, "evt-release", AppleEventType.Disassociate, [Seat(3)], [new AppleHolderFailure(Seat(4), 9706, "Asset not revocable.")], s.NextId(), apple));

        // Apple's side (issue 13, items 3 and 4): an assets snapshot at both pricings, notifications, client config, two walks
        // (the second clears one finding and keeps the other), a seat asked again and a release asked of Apple.
        await s.RunAsync(new AppleSide.ApplyAppleAssetsSnapshot(main, "assets-1",
        [
            new AppleSide.AppleAssetReport(poolA.AdamId, PricingParam.Stdq, ProductKind.App, 1600, 7, 0, true, true, ["iOS", "macOS"]),
            new AppleSide.AppleAssetReport(poolA.AdamId, PricingParam.Plus, ProductKind.App, 3, 0, 0, true, false, ["iOS"]),
        ], s.NextId(), apple));
        await s.RunAsync(new AppleSide.RecordAppleNotification(main, new AppleSide.AppleNotification("n-1", AppleSide.AppleNotificationType.AssetCount, AssetCount: new AppleSide.AppleAssetCountChange(poolA.AdamId, PricingParam.Stdq, 100)), s.NextId(), apple));
        await s.RunAsync(new AppleSide.RecordAppleNotification(main, new AppleSide.AppleNotification("n-2", AppleSide.AppleNotificationType.UserAssociated, Users: [new AppleSide.AppleUserStateReport(Seat(7).Key, AppleSide.AppleUserState.Associated)]), s.NextId(), apple));
        await s.RunAsync(new AppleSide.RecordAppleClientConfig(main, "our-mdm", "Our MDM", "uid-main", "our-mdm", s.NextId(), apple));
        AppleSide.AppleSeatReport[] walked = [new(poolA.AdamId, PricingParam.Stdq, Seat(7).Key, null), new(poolA.AdamId, PricingParam.Stdq, null, new SerialNumber("NOPE1")), new(poolA.AdamId, PricingParam.Stdq, null, new SerialNumber("NOPE2"))];
        await s.RunAsync(new AppleSide.RecordAppleAssignmentsPage(main, "walk-1", "v1", null, 0, false, walked[..1], s.NextId(), apple));
        await s.RunAsync(new AppleSide.RecordAppleAssignmentsPage(main, "walk-1", "v1", null, 1, true, walked[1..], s.NextId(), apple));
        await s.RunAsync(new AppleSide.RecordAppleAssignmentsPage(main, "walk-2", "v2", null, 0, true, walked[..2], s.NextId(), apple));
        await s.RunAsync(new RequestAppleAssociationAgain(poolA, [Seat(7)], s.NextId(), admin));
        await s.RunAsync(new ReleaseAtApple(poolA, [Seat(1)], s.NextId(), admin));

        // Devices: recorded, changed, removed from management (R5), with a device license of pool B.
        var ipad = await s.DeviceAsync("ipad-1", Scenario.CorporateSupervised());
        await s.DeviceAsync("ipad-1", Scenario.CorporateSupervised() with { Kiosk = true });
        var ipads = await s.GroupAsync("ipads", GroupKind.Device, [GroupMember.ForDevice(ipad)]);
        await s.AssignAsync(poolB, ipads, AssignmentIntent.Required, LicenseType.Device);
        await s.RunAsync(new RecordDeviceRemovedFromManagement(ipad, s.NextId(), admin));

        // The main token's life (T3, T6, T7, T8) and the second token's deletion, which orphans pool B (T10).
        await s.RunAsync(new RenewTokenFile(main, Scenario.TokenFile("Contoso Ltd", db.Clock.GetCurrentInstant() + Duration.FromDays(700), "secret-2"), LocationKey.FromAppleLocationId("loc-replay-tok-main"), s.NextId(), admin));
        await s.RunAsync(new ChangeTokenSettings(main, new TokenSettings("Main", "FR", TokenAccountType.Business, AutomaticAppUpdates: false), s.NextId(), admin));
        await s.RunAsync(new RecordTokenSyncSucceeded(main, SyncTrigger.Scheduled, 1, 1600, [], s.NextId(), admin));
        await s.RunAsync(new RecordTokenSyncFailed(main, SyncTrigger.OnDemand, "Apple said 503", s.NextId(), admin));
        await s.RunAsync(new MarkTokenAssignedToExternalMdm(main, "Other MDM", s.NextId(), admin));
        await s.RunAsync(new TakeTokenControl(main, s.NextId(), admin));
        await s.RunAsync(new DeleteToken(second, s.NextId(), admin));

        // Alerts (issue 15): the deleted token's pools raise nothing; a strict threshold raises one, the default clears it.
        await s.Ledger.EvaluateAlertsAsync(db.Clock.GetCurrentInstant(), new VppLedger.Alerts.AlertThresholds { FreeSeatsBelow = 100_000 });
        await s.Ledger.EvaluateAlertsAsync(db.Clock.GetCurrentInstant() + Duration.FromMinutes(1));

        // A legacy token's history, recorded elsewhere and imported (T9).
        const string legacy = """
            {"event":"vpp.token.uploaded.v1","stream":"token:tok-legacy","actor":"legacy-mdm","data":{"OccurredAt":"2025-01-02T09:00:00Z","Token":"tok-legacy","Location":"apple:loc-legacy","File":{"OrganizationName":"Contoso Ltd","ExpiresAt":"2026-01-02T09:00:00Z","Fingerprint":"471f937e5cb27966885927976f9b94f62d860044ac6181b89d71a9d19a84f8ab"},"ManagedAppleId":{"Value":"vpp-admin@contoso.example","Kind":"Managed"},"Settings":{"Name":"Legacy","CountryCode":"US","AccountType":"Business","AutomaticAppUpdates":true},"Programme":"LegacyVpp","TookControlFromOtherMdm":false,"DuplicateOf":null}}
            {"event":"vpp.token.migrated_from_legacy_vpp.v1","stream":"token:tok-legacy","actor":"legacy-mdm","data":{"OccurredAt":"2025-02-02T09:00:00Z","Location":"apple:loc-legacy","File":{"OrganizationName":"Contoso Ltd","ExpiresAt":"2026-02-02T09:00:00Z","Fingerprint":"571f937e5cb27966885927976f9b94f62d860044ac6181b89d71a9d19a84f8ab"},"DuplicateOf":null}}
            """;
        var imported = await s.Ledger.Audit.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(legacy)), new Actor("legacy-import", Permissions.ImportHistory));
        Assert.True(imported.Succeeded, imported.Rejection?.Message);
    }

    private sealed class SynchronousProgress(List<VppLedger.Audit.RebuildProgress> seen) : IProgress<VppLedger.Audit.RebuildProgress>
    {
        public void Report(VppLedger.Audit.RebuildProgress value) => seen.Add(value);
    }
}
