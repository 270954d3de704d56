using Newtonsoft.Json;
using NodaTime;
using VppLedger.Directory;
using VppLedger.Tests.Specs;
using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class token_and_directory_events_round_trip_through_json
{
    public static TheoryData<ILedgerEvent> Events()
    {
        var user = new UserId("u1");
        var profile = new DeviceProfile(Platform.macOS, Ownership.Personal, EnrollmentKind.UserEnrollment, false, false, true);
        return new TheoryData<ILedgerEvent>
        {
            Uploaded() with { DuplicateOf = OtherToken, Programme = TokenProgramme.LegacyVpp },
            new TokenRenewed(Now, TokenFile),
            new TokenSettingsChanged(Now, Settings),
            new TokenSyncSucceeded(Now, Command("s"), SyncTrigger.OnDemand, "FR", 3, 40, [new AdamId("12"), new AdamId("34")]),
            new TokenSyncFailed(Now, Command("s"), SyncTrigger.Scheduled, "timeout"),
            new TokenAssignedToExternalMdm(Now, "Other"),
            new TokenControlTaken(Now),
            new TokenMigratedFromLegacyVpp(Now, Location, TokenFile, null),
            new TokenDeleted(Now, true),
            new UserRecorded(Now, user, new AppleId("a@b.example", AppleIdKind.Personal), null),
            new UserAppleIdsChanged(Now, null, new AppleId("a@c.example", AppleIdKind.Managed)),
            new UserLeftOrganization(Now),
            new DeviceRecorded(Now, new DeviceId("d1"), new SerialNumber("C02XYZ"), profile, user, AppleIdKind.Managed),
            new DeviceFactsChanged(Now, new SerialNumber("C02XYZ"), profile, null, null),
            new DeviceRemovedFromManagement(Now),
            new GroupCreated(Now, new GroupId("g1"), GroupKind.Device),
            new GroupMembersAdded(Now, [new(GroupMember.ForDevice(new DeviceId("d1")), 0)]),
            new GroupMembersRemoved(Now, [GroupMember.ForUser(user)]),
        };
    }

    [Theory]
    [MemberData(nameof(Events))]
    [Trait("Rule", "I2")]
    public void every_event_reads_back_as_it_was_written(ILedgerEvent @event)
    {
        var json = JsonConvert.SerializeObject(@event, EventJson.Settings);

        var back = JsonConvert.DeserializeObject(json, @event.GetType(), EventJson.Settings);

        Assert.Equal(EventJson.Of(@event), EventJson.Of(back));
        Assert.IsAssignableFrom<ILedgerEvent>(back);
        Assert.NotEqual(default, ((ILedgerEvent)back!).OccurredAt);
    }
}
