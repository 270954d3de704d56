using System.Text;
using NodaTime;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Every bad value sent through the public API (ITenantLedger.ExecuteAsync) is answered with a typed rejection and
/// writes nothing (rule I3): no exception from PostgreSQL, no event, no idempotency record.
/// </summary>
public sealed class bad_input_gets_a_typed_rejection_and_writes_nothing(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private static readonly TokenId Token = new("tok");
    private static readonly GroupId Staff = new("staff");
    private static readonly PoolId Pool = new(Token, new AdamId("42"));
    private static readonly TokenSettings Settings = new("Main", "US", TokenAccountType.Business, AutomaticAppUpdates: true);
    private static readonly DeviceProfile Corporate = new(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, true, false, false);

    private async Task<Scenario> TenantAsync(string tenant)
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), db.Clock.GetCurrentInstant());
        await s.RunAsync(s.Upload(Token, location: "loc-" + tenant));
        await s.RunAsync(new CreateGroup(Staff, GroupKind.User, s.NextId(), Scenario.Admin));
        return s;
    }

    private static string TokenFileJson(string orgName) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
        $"{{\"orgName\":\"{orgName}\",\"token\":\"s3cr3t\",\"expDate\":\"2030-11-08T22:33:22+0000\"}}"));

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "nul-in-token-name", "InvalidInput", "Settings.Name contains a NUL character" },
        { "surrogate-in-sync-reason", "InvalidInput", "Reason contains a lone UTF-16 surrogate" },
        { "megabyte-reason", "InvalidInput", "Reason is 1048576 characters long" },
        { "megabyte-token-name", "InvalidTokenName", "The token name has 1048576 characters" },
        { "nul-in-other-mdm", "InvalidInput", "OtherMdm contains a NUL character" },
        { "null-actor", "InvalidInput", "Actor is missing" },
        { "undefined-permission", "InvalidInput", "Actor.Permissions is 68" },
        { "default-group-id", "InvalidInput", "Group is missing" },
        { "default-command-id", "InvalidInput", "Id is missing" },
        { "unknown-group-kind", "InvalidInput", "Kind is 7" },
        { "null-members", "InvalidInput", "Members is missing" },
        { "default-member", "InvalidInput", "Members[1] is missing" },
        { "null-holder", "InvalidInput", "Holders[0] is missing" },
        { "too-many-holders", "InvalidInput", "Holders holds 1000001 entries" },
        { "unknown-platform", "InvalidInput", "Profile.Platform is 9" },
        { "unknown-signed-in-kind", "InvalidInput", "SignedInAppleIdKind is 4" },
        { "default-serial-number", "InvalidInput", "SerialNumber is missing" },
        { "null-profile", "InvalidInput", "Profile is missing" },
        { "default-apple-id", "InvalidInput", "ManagedAppleId is missing" },
        { "null-directory-users", "InvalidInput", "Users is missing" },
        { "unknown-sync-trigger", "InvalidInput", "Trigger is 3" },
        { "null-apps-missing", "InvalidInput", "AppsMissingFromStore is missing" },
        { "bad-revocation-target", "InvalidInput", "Target contains ':'" },
        { "unknown-revocation-scope", "InvalidInput", "Scope is 12" },
        { "default-location", "InvalidInput", "Location is missing" },
        { "nul-in-file-org-name", "TokenFileFieldInvalid", "Token file field 'orgName' contains a NUL character" },
        { "surrogate-in-file-org-name", "TokenFileFieldInvalid", "Token file field 'orgName' contains a lone UTF-16 surrogate" },
        { "long-file-org-name", "TokenFileFieldInvalid", "Token file field 'orgName' is 300 characters long" },
    };

    private static ILedgerCommand Bad(Scenario s, string value) => value switch
    {
        "nul-in-token-name" => new ChangeTokenSettings(Token, Settings with { Name = "Main\0" }, s.NextId(), Scenario.Admin),
        "surrogate-in-sync-reason" => new RecordTokenSyncFailed(Token, SyncTrigger.Scheduled, "HTTP 503 \ud800", s.NextId(), Scenario.Admin),
        "megabyte-reason" => new RecordTokenSyncFailed(Token, SyncTrigger.Scheduled, new string('r', 1 << 20), s.NextId(), Scenario.Admin),
        "megabyte-token-name" => new ChangeTokenSettings(Token, Settings with { Name = new string('n', 1 << 20) }, s.NextId(), Scenario.Admin),
        "nul-in-other-mdm" => new MarkTokenAssignedToExternalMdm(Token, "Other\0MDM", s.NextId(), Scenario.Admin),
        "null-actor" => new CreateGroup(new GroupId("g2"), GroupKind.User, s.NextId(), null!),
        "undefined-permission" => new CreateGroup(new GroupId("g2"), GroupKind.User, s.NextId(), new Actor("sync", Permissions.Directory | (Permissions)64)),
        "default-group-id" => new CreateGroup(default, GroupKind.User, s.NextId(), Scenario.Admin),
        "default-command-id" => new CreateGroup(new GroupId("g2"), GroupKind.User, default, Scenario.Admin),
        "unknown-group-kind" => new CreateGroup(new GroupId("g2"), (GroupKind)7, s.NextId(), Scenario.Admin),
        "null-members" => new AddGroupMembers(Staff, null!, s.NextId(), Scenario.Admin),
        "default-member" => new AddGroupMembers(Staff, [GroupMember.ForUser(new UserId("ann")), default], s.NextId(), Scenario.Admin),
        "null-holder" => new GrantLicenses(Pool, [null!], s.NextId(), Scenario.Admin),
        "too-many-holders" => new GrantLicenses(Pool, [.. Enumerable.Repeat(Holder.ForDevice(new DeviceId("d1")), InputRules.MaxListLength + 1)], s.NextId(), Scenario.Admin),
        "unknown-platform" => new RecordDevice(new DeviceId("d1"), new SerialNumber("SN1"), Corporate with { Platform = (Platform)9 }, null, null, s.NextId(), Scenario.Admin),
        "unknown-signed-in-kind" => new RecordDevice(new DeviceId("d1"), new SerialNumber("SN1"), Corporate, null, (AppleIdKind)4, s.NextId(), Scenario.Admin),
        "default-serial-number" => new RecordDevice(new DeviceId("d1"), default, Corporate, null, null, s.NextId(), Scenario.Admin),
        "null-profile" => new RecordDevice(new DeviceId("d1"), new SerialNumber("SN1"), null!, null, null, s.NextId(), Scenario.Admin),
        "default-apple-id" => new RecordUser(new UserId("ann"), null, default(AppleId), s.NextId(), Scenario.Admin),
        "null-directory-users" => new RecordDirectory(null!, [], s.NextId(), Scenario.Admin),
        "unknown-sync-trigger" => new RecordTokenSyncSucceeded(Token, (SyncTrigger)3, 1, 1, [], s.NextId(), Scenario.Admin),
        "null-apps-missing" => new RecordTokenSyncSucceeded(Token, SyncTrigger.Scheduled, 1, 1, null!, s.NextId(), Scenario.Admin),
        "bad-revocation-target" => new RevokeLicenses(RevocationScope.User, "ann:x", s.NextId(), Scenario.Admin),
        "unknown-revocation-scope" => new RevokeLicenses((RevocationScope)12, "ann", s.NextId(), Scenario.Admin),
        "default-location" => s.Upload(new TokenId("tok-2")) with { Location = default(LocationKey) },
        "nul-in-file-org-name" => s.Upload(new TokenId("tok-2")) with { FileContent = TokenFileJson("Con\\u0000toso") },
        "surrogate-in-file-org-name" => s.Upload(new TokenId("tok-2")) with { FileContent = TokenFileJson("Con\\ud800toso") },
        "long-file-org-name" => s.Upload(new TokenId("tok-2")) with { FileContent = TokenFileJson(new string('O', 300)) },
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "No such case."),
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    [Trait("Rule", "I3")]
    public async Task each_bad_value_is_refused_typed_and_nothing_is_written(string value, string code, string message)
    {
        var tenant = "bad-" + value;
        var s = await TenantAsync(tenant);
        var events = await db.EventCountAsync(tenant);

        var outcome = await s.Ledger.ExecuteAsync(Bad(s, value));

        Assert.Equal(CommandStatus.Rejected, outcome.Status);
        Assert.Equal(code, outcome.Rejection!.Code);
        Assert.StartsWith(message, outcome.Rejection.Message, StringComparison.Ordinal);
        Assert.Empty(outcome.Changes);
        Assert.Equal(events, await db.EventCountAsync(tenant));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_nul_character_in_a_token_name_is_refused_before_anything_is_written_and_its_command_id_stays_free()
    {
        var s = await TenantAsync("nul-name");
        var id = s.NextId();
        var events = await db.EventCountAsync("nul-name");

        var refused = await s.Ledger.ExecuteAsync(new ChangeTokenSettings(Token, Settings with { Name = "Ma\0in" }, id, Scenario.Admin));
        var written = await db.EventCountAsync("nul-name");
        var fixedUp = await s.Ledger.ExecuteAsync(new ChangeTokenSettings(Token, Settings with { Name = "Main 2" }, id, Scenario.Admin));

        Assert.Equal(("InvalidInput", "I3"), (refused.Rejection!.Code, refused.Rejection.Rule));
        Assert.Equal(events, written);

        // Nothing was recorded under the command id either: the corrected command is applied, not IdempotencyKeyReused.
        Assert.Equal(CommandStatus.Applied, fixedUp.Status);
        Assert.False(fixedUp.IsReplay);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public async Task a_null_actor_is_refused_before_its_permissions_are_read()
    {
        var s = await TenantAsync("null-actor");

        var outcome = await s.Ledger.ExecuteAsync(new GrantLicenses(Pool, [Holder.ForDevice(new DeviceId("d1"))], s.NextId(), null!));

        Assert.Equal(("InvalidInput", "Actor is missing (null)"), (outcome.Rejection!.Code, outcome.Rejection.Message[..23]));
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task the_audit_history_before_year_1_is_refused_as_an_argument()
    {
        var s = await TenantAsync("year-0");
        var beforeYearOne = Instant.FromUtc(1, 1, 1, 0, 0) - Duration.FromDays(1);

        // Thrown when called, or at the first row where the ledger's fault wrapper streams the rows.
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await s.Ledger.Audit.HistoryAsync(new AuditQuery { From = beforeYearOne }).ToListAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => s.Ledger.Audit.ExportAsync(TextWriter.Null, AuditExportFormat.Csv, to: Instant.MaxValue));

        Assert.Contains("between the years 1 and 9999", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await s.Ledger.Audit.HistoryAsync(new AuditQuery { From = Instant.FromUtc(1, 1, 1, 0, 0) }).ToListAsync());
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task an_audit_query_with_a_default_id_is_refused_as_an_argument()
    {
        var s = await TenantAsync("default-query");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => s.Ledger.Audit.PoolAsOfAsync(new PoolId(default, new AdamId("1")), db.Clock.GetCurrentInstant()));

        Assert.StartsWith("pool.Token is missing (a default TokenId)", error.Message, StringComparison.Ordinal);
    }
}
