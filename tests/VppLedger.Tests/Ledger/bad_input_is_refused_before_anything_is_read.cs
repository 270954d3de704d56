using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Tests.Ledger;

/// <summary>The pure input check the runner calls first (rule I3): every value of every command, by reflection.</summary>
public sealed class bad_input_is_refused_before_anything_is_read
{
    private static readonly Actor Admin = new("admin", Permissions.All);
    private static readonly CommandId Id = new("cmd-1");
    private static readonly TokenId Token = new("tok");
    private static readonly GroupId Group = new("staff");
    private static readonly PoolId Pool = new(Token, new AdamId("42"));
    private static readonly TokenSettings Settings = new("Main", "US", TokenAccountType.Business, AutomaticAppUpdates: true);

    private static Rejection Refused(ILedgerCommand command)
    {
        var rejection = InputRules.Check(command);
        Assert.NotNull(rejection);
        Assert.Equal(("InvalidInput", "I3"), (rejection.Code, rejection.Rule));
        return rejection;
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void well_formed_commands_pass_the_check()
    {
        Assert.Null(InputRules.Check(new AddGroupMembers(Group, [GroupMember.ForUser(new UserId("ann"))], Id, Admin)));
        Assert.Null(InputRules.Check(new RecordTokenSyncFailed(Token, SyncTrigger.Scheduled, "Apple said 503 😕", Id, Admin)));
        Assert.Null(InputRules.Check(new MarkTokenAssignedToExternalMdm(Token, null, Id, Admin)));
        Assert.Null(InputRules.Check(new RecordDevice(new DeviceId("d1"), new SerialNumber("SN1"), new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, true, false, false), null, null, Id, Admin)));
        Assert.Null(InputRules.Check(new GrantLicenses(Pool, [Holder.ForUser(new UserId("ann"), AppleIdKind.Managed)], Id, new Actor("sync", Permissions.MobileApps | Permissions.Directory))));
        Assert.Null(InputRules.Check(RevokeLicenses.ForApp(Pool, Id, Admin)));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_nul_character_in_a_token_name_is_refused_naming_the_field()
    {
        var rejection = Refused(new ChangeTokenSettings(Token, Settings with { Name = "Main\0" }, Id, Admin));

        Assert.StartsWith("Settings.Name contains a NUL character (at character 5)", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_lone_surrogate_in_a_sync_failure_reason_is_refused()
    {
        var rejection = Refused(new RecordTokenSyncFailed(Token, SyncTrigger.OnDemand, "bad \ud800 text", Id, Admin));

        Assert.StartsWith("Reason contains a lone UTF-16 surrogate U+D800 (at character 5)", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_one_megabyte_reason_is_refused_with_its_limit()
    {
        var rejection = Refused(new RecordTokenSyncFailed(Token, SyncTrigger.OnDemand, new string('x', 1 << 20), Id, Admin));

        Assert.StartsWith($"Reason is 1048576 characters long; at most {InputRules.MaxReasonLength} are accepted", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_default_id_is_refused_as_missing()
    {
        Assert.StartsWith("Group is missing (a default GroupId)", Refused(new CreateGroup(default, GroupKind.User, Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Id is missing (a default CommandId)", Refused(new CreateGroup(Group, GroupKind.User, default, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Pool.Token is missing (a default TokenId)", Refused(new GrantLicenses(new PoolId(default, new AdamId("1")), [], Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("SerialNumber is missing", Refused(new RecordDevice(new DeviceId("d1"), default, new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, true, false, false), null, null, Id, Admin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_null_actor_is_refused_not_thrown()
    {
        Assert.StartsWith("Actor is missing (null)", Refused(new CreateGroup(Group, GroupKind.User, Id, null!)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_null_list_or_a_null_entry_is_refused_naming_its_position()
    {
        Assert.StartsWith("Members is missing (null)", Refused(new AddGroupMembers(Group, null!, Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Holders[1] is missing (a null entry)", Refused(new GrantLicenses(Pool, [Holder.ForDevice(new DeviceId("d1")), null!], Id, Admin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_default_group_member_is_refused_naming_its_position()
    {
        var members = new[] { GroupMember.ForUser(new UserId("ann")), GroupMember.ForUser(new UserId("bob")), GroupMember.ForUser(new UserId("cy")), default };

        Assert.StartsWith("Members[3] is missing (a default GroupMember)", Refused(new AddGroupMembers(Group, members, Id, Admin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_list_longer_than_the_limit_is_refused_before_it_is_walked()
    {
        var holders = Enumerable.Repeat(Holder.ForDevice(new DeviceId("d1")), InputRules.MaxListLength + 1).ToArray();

        Assert.StartsWith($"Holders holds {InputRules.MaxListLength + 1} entries; at most {InputRules.MaxListLength}", Refused(new GrantLicenses(Pool, holders, Id, Admin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void a_token_name_too_long_and_a_token_file_are_left_to_the_codes_that_name_them()
    {
        // InvalidTokenName (decider) and the TokenFile... codes (parser) say more than InvalidInput would.
        Assert.Null(InputRules.Check(new ChangeTokenSettings(Token, Settings with { Name = new string('n', 1 << 20) }, Id, Admin)));
        Assert.Null(InputRules.Check(new RenewTokenFile(Token, "abc\0" + new string('A', 1 << 20), null, Id, Admin)));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void an_unknown_enum_value_is_refused_not_stored()
    {
        Assert.StartsWith("Kind is 7, not a GroupKind; use one of User, Device", Refused(new CreateGroup(Group, (GroupKind)7, Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Profile.Platform is 9, not a Platform", Refused(new RecordDevice(new DeviceId("d1"), new SerialNumber("SN1"), new DeviceProfile((Platform)9, Ownership.Corporate, EnrollmentKind.Device, true, false, false), null, null, Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("SignedInAppleIdKind is 4, not a AppleIdKind", Refused(new RecordDevice(new DeviceId("d1"), new SerialNumber("SN1"), new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, true, false, false), null, (AppleIdKind)4, Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Scope is 12, not a RevocationScope", Refused(new RevokeLicenses((RevocationScope)12, "x", Id, Admin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "X1")]
    public void an_actor_with_an_undefined_permission_bit_is_refused()
    {
        Assert.StartsWith("Actor.Permissions is 64, not a Permissions", Refused(new CreateGroup(Group, GroupKind.User, Id, new Actor("sync", (Permissions)64))).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "R1")]
    public void a_revocation_target_that_is_not_an_id_of_its_scope_is_refused()
    {
        Assert.StartsWith("Target contains ':' (at character 2)", Refused(new RevokeLicenses(RevocationScope.User, "a:b", Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Target is not a pool", Refused(new RevokeLicenses(RevocationScope.App, "tok", Id, Admin)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Target names an adamId that is not a number", Refused(new RevokeLicenses(RevocationScope.App, "tok:abc", Id, Admin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_nested_apple_id_with_a_default_value_is_refused()
    {
        var rejection = Refused(new RecordUser(new UserId("ann"), default(AppleId), null, Id, Admin));

        Assert.StartsWith("PersonalAppleId is missing (a default AppleId)", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void every_public_command_type_can_be_walked()
    {
        // The plan of every command type builds by reflection (no type the walk cannot handle), so a new command is
        // covered by the check the day it is added.
        var commands = typeof(ILedgerCommand).Assembly.GetTypes()
            .Where(t => typeof(ILedgerCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToList();

        Assert.NotEmpty(commands);
        foreach (var type in commands)
        {
            var command = (ILedgerCommand)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
            var rejection = InputRules.Check(command);
            Assert.True(rejection is { Code: "InvalidInput" }, $"{type.Name} with every value unset passed the check: {rejection}");
        }
    }
}
