using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Licensing;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>The user-vs-device rules (L1-L8, A2, A4, R2) as a host meets them through the ledger.</summary>
public sealed class user_and_device_licenses_through_the_ledger(LedgerFixture db) : IClassFixture<LedgerFixture>
{
    private Scenario Tenant(string id) => new(db.Ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    [Fact]
    [Trait("Rule", "L4")]
    public async Task a_user_with_a_personal_and_a_managed_apple_id_uses_two_licenses()
    {
        var s = Tenant("l4");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "100", purchased: 10);
        var users = await s.UsersAsync("both", 1, personal: true, managed: true);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));

        await s.AssignAsync(pool, group, AssignmentIntent.Available, LicenseType.User);

        var licenses = await s.Ledger.GetUserLicensesAsync(users[0]);
        Assert.Equal([AppleIdKind.Personal, AppleIdKind.Managed], licenses.Licenses.Select(l => l.Holder.AppleIdKind!.Value).Order());
        Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.UserLicenseCount);
    }

    [Fact]
    [Trait("Rule", "L5")]
    [Trait("Rule", "L7")]
    [Trait("Rule", "L2")]
    public async Task members_that_cannot_take_the_license_type_are_skipped_with_a_warning_and_the_rest_are_served()
    {
        var s = Tenant("l5");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "200", purchased: 10);
        var enrolled = await s.DeviceAsync("ue-1", Scenario.UserEnrolled());
        var blocked = await s.DeviceAsync("blocked-1", Scenario.CorporateSupervised() with { AppStoreBlocked = true });
        var corporate = await s.DeviceAsync("corp-1", Scenario.CorporateSupervised());
        var devices = await s.GroupAsync("devices", GroupKind.Device, [GroupMember.ForDevice(enrolled), GroupMember.ForDevice(blocked), GroupMember.ForDevice(corporate)]);

        var assigned = await s.AssignAsync(pool, devices, AssignmentIntent.Required, LicenseType.Device);

        // L5: no device license on User Enrollment; L2: App Store blocked is fine for device licenses.
        Assert.Equal(["blocked-1", "corp-1"], assigned.EventsOf<LicenseGranted>().Select(g => g.Holder.OwnerId));
        Assert.Equal("L5", Assert.Single(assigned.Warnings).Rule);

        // L5, L7: user licensing for a device group would grant nobody, so it is refused up front (issue 10, item 6).
        var users = await s.UsersAsync("owner", 1);
        await s.DeviceAsync("blocked-2", Scenario.CorporateSupervised() with { AppStoreBlocked = true }, users[0], AppleIdKind.Managed);
        var byUser = await s.GroupAsync("blocked-devices", GroupKind.Device, [GroupMember.ForDevice(new DeviceId("blocked-2"))]);
        var refused = await s.Ledger.ExecuteAsync(new CreateAssignment(pool, byUser, AssignmentIntent.Required, LicenseType.User, s.NextId(), Scenario.Admin));
        Assert.Equal(("UserLicensingNotForDeviceGroups", "L7"), (refused.Rejection?.Code, refused.Rejection?.Rule));
        Assert.Empty(refused.Changes);
    }

    [Fact]
    [Trait("Rule", "L3")]
    public async Task one_user_license_covers_five_devices_of_that_apple_id_and_not_the_sixth()
    {
        var s = Tenant("l3");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "300", purchased: 10);
        var users = await s.UsersAsync("many", 1, personal: true, managed: false);
        for (var i = 1; i <= 6; i++)
        {
            db.Clock.AdvanceMinutes(1);
            await new Scenario(s.Ledger, db.Clock.GetCurrentInstant()).DeviceAsync($"phone-{i}", Scenario.Byod(), users[0], AppleIdKind.Personal);
        }

        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Available, LicenseType.User);

        var license = Assert.Single((await s.Ledger.GetUserLicensesAsync(users[0])).Licenses);
        Assert.Equal(6, license.Devices.Count);
        Assert.Equal(5, license.Devices.Count(d => d.Covered));
        Assert.Equal("phone-6", Assert.Single(license.Devices, d => !d.Covered).Device.Value);
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "L8")]
    public async Task changing_an_assignment_from_user_to_device_licenses_migrates_in_one_command_and_back_is_refused()
    {
        var s = Tenant("l8");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "400", purchased: 10);
        var users = await s.UsersAsync("m", 2);
        await s.DeviceAsync("m1-ipad", Scenario.CorporateSupervised(), users[0], AppleIdKind.Managed);
        await s.DeviceAsync("m2-ipad", Scenario.CorporateSupervised(), users[1], AppleIdKind.Managed);
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);

        var migrated = await s.RunAsync(new ChangeAssignment(pool, group, AssignmentIntent.Required, LicenseType.Device, s.NextId(), Scenario.Admin));

        Assert.Equal(2, migrated.EventsOf<LicenseReclaimed>().Count(r => r.Reason == ReclaimReason.MigratedToDeviceLicense));
        Assert.Equal(["m1-ipad", "m2-ipad"], migrated.EventsOf<LicenseGranted>().Select(g => g.Holder.OwnerId).Order());
        var summary = await s.Ledger.GetPoolAsync(pool);
        Assert.Equal((0, 2), (summary!.UserLicenseCount, summary.DeviceLicenseCount));

        var back = await s.Ledger.ExecuteAsync(new ChangeAssignment(pool, group, AssignmentIntent.Required, LicenseType.User, s.NextId(), Scenario.Admin));
        Assert.Equal(("DeviceToUserMigrationNotSupported", "L8"), (back.Rejection!.Code, back.Rejection.Rule));
    }

    [Fact]
    [Trait("Rule", "A2")]
    [Trait("Rule", "A4")]
    [Trait("Rule", "R2")]
    public async Task uninstall_intent_and_removal_reclaim_and_available_is_refused_for_device_groups()
    {
        var s = Tenant("a4");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "500", purchased: 10);
        var ipad = await s.DeviceAsync("ipad", Scenario.CorporateSupervised());
        var group = await s.GroupAsync("ipads", GroupKind.Device, [GroupMember.ForDevice(ipad)]);

        var available = await s.Ledger.ExecuteAsync(new CreateAssignment(pool, group, AssignmentIntent.Available, LicenseType.Device, s.NextId(), Scenario.Admin));
        Assert.Equal(("AvailableIntentNotForDeviceGroups", "A2"), (available.Rejection!.Code, available.Rejection.Rule));

        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.Device);
        var uninstall = await s.RunAsync(new ChangeAssignment(pool, group, AssignmentIntent.Uninstall, LicenseType.Device, s.NextId(), Scenario.Admin));
        Assert.Equal(ReclaimReason.UninstallIntent, Assert.Single(uninstall.EventsOf<LicenseReclaimed>()).Reason);

        await s.RunAsync(new ChangeAssignment(pool, group, AssignmentIntent.Required, LicenseType.Device, s.NextId(), Scenario.Admin));
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
        var removed = await s.RunAsync(new RemoveAssignment(pool, group, s.NextId(), Scenario.Admin));
        Assert.Equal(ReclaimReason.AssignmentRemoved, Assert.Single(removed.EventsOf<LicenseReclaimed>()).Reason);
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }

    [Fact]
    [Trait("Rule", "P3")]
    [Trait("Rule", "P6")]
    public async Task the_prompts_of_a_device_follow_its_profile_and_the_license_type()
    {
        var s = Tenant("prompts");
        var ipad = await s.DeviceAsync("ipad", Scenario.CorporateSupervised());

        var user = await s.Ledger.GetPromptsAsync(ipad, LicenseType.User);
        var device = await s.Ledger.GetPromptsAsync(ipad, LicenseType.Device);

        Assert.Equal(("P3", PromptShown.Yes, PromptShown.No, PromptShown.Yes), (user!.Rule, user.VppInvite, user.InstallPrompt, user.AppleIdPrompt));
        Assert.Equal(("P6", PromptShown.No, PromptShown.No, PromptShown.No), (device!.Rule, device.VppInvite, device.InstallPrompt, device.AppleIdPrompt));
        Assert.Null(await s.Ledger.GetPromptsAsync(new DeviceId("unknown"), LicenseType.User));
    }
}

/// <summary>Apple's newer behaviour, as a ledger option.</summary>
public sealed class the_current_apple_policy_through_the_ledger(CurrentAppleLedgerFixture db) : IClassFixture<CurrentAppleLedgerFixture>
{
    [Fact]
    [Trait("Rule", "R2")]
    [Trait("Rule", "T10")]
    public async Task removing_an_assignment_reclaims_nothing_and_deleting_a_token_revokes_its_licenses()
    {
        var s = new Scenario(db.Ledger.ForTenant(new TenantId("newer")), db.Clock.GetCurrentInstant());
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "600", purchased: 10);
        var ipad = await s.DeviceAsync("ipad", Scenario.CorporateSupervised());
        var group = await s.GroupAsync("ipads", GroupKind.Device, [GroupMember.ForDevice(ipad)]);
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.Device);

        var removed = await s.RunAsync(new RemoveAssignment(pool, group, s.NextId(), Scenario.Admin));
        Assert.Empty(removed.EventsOf<LicenseReclaimed>());
        Assert.Equal(1, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);

        var deleted = await s.RunAsync(new Tokens.DeleteToken(token, s.NextId(), Scenario.Admin));
        Assert.Equal(ReclaimReason.Revoked, Assert.Single(deleted.EventsOf<LicenseReclaimed>()).Reason);
        Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.UsedCount);
    }
}
