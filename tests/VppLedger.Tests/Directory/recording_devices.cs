using VppLedger.Directory;
using static VppLedger.Tests.Directory.DirectorySpec;

namespace VppLedger.Tests.Directory;

public sealed class recording_devices
{
    private static RecordDevice Record(DeviceProfile? profile = null, AppleIdKind? signedIn = AppleIdKind.Managed) =>
        new(IPad, IPadSerial, profile ?? CorporateSupervisedIPad, Alice, signedIn, Command(), SyncJob);

    private static DeviceRecorded Recorded() => new(Now, IPad, IPadSerial, CorporateSupervisedIPad, Alice, AppleIdKind.Managed);

    [Fact]
    [Trait("Rule", "L3")]
    public void a_device_is_recorded_with_its_profile_its_user_and_the_apple_id_kind_signed_in()
    {
        var state = Devices().When(s => DeviceDecider.Decide(Record(), s, Now)).Then(Recorded());

        Assert.Equal(IPad, state.Id);
        Assert.Equal(Alice, state.User);
        Assert.Equal(AppleIdKind.Managed, state.SignedInAppleIdKind);
        Assert.Equal(CorporateSupervisedIPad, state.Profile);
    }

    [Fact]
    [Trait("Rule", "L3")]
    [Trait("Rule", "I4")]
    public void recording_the_same_facts_twice_decides_nothing()
    {
        Devices().Given(Recorded()).When(s => DeviceDecider.Decide(Record(), s, Now)).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "L7")]
    public void new_facts_for_a_known_device_are_recorded_as_a_change()
    {
        var blocked = CorporateSupervisedIPad with { AppStoreBlocked = true };

        var state = Devices().Given(Recorded()).When(s => DeviceDecider.Decide(Record(blocked, signedIn: null), s, Now))
            .Then(new DeviceFactsChanged(Now, IPadSerial, blocked, Alice, null));

        Assert.True(state.Profile!.AppStoreBlocked);
        Assert.Null(state.SignedInAppleIdKind);
    }

    [Fact]
    [Trait("Rule", "R5")]
    public void a_device_removed_from_management_is_recorded_and_nothing_is_reclaimed()
    {
        var decision = DeviceDecider.Decide(new RecordDeviceRemovedFromManagement(IPad, Command(), SyncJob), Devices().Given(Recorded()).State, Now);

        var only = Assert.Single(decision.Events);
        Assert.IsType<DeviceRemovedFromManagement>(only);
        Assert.True(DeviceDecider.Evolve(Devices().Given(Recorded()).State, only).RemovedFromManagement);
    }

    [Fact]
    [Trait("Rule", "R5")]
    [Trait("Rule", "I4")]
    public void removing_twice_decides_nothing_and_an_unknown_device_cannot_be_removed()
    {
        Devices().Given(Recorded(), new DeviceRemovedFromManagement(Now))
            .When(s => DeviceDecider.Decide(new RecordDeviceRemovedFromManagement(IPad, Command(), SyncJob), s, Now))
            .ThenNothing();
        Devices().When(s => DeviceDecider.Decide(new RecordDeviceRemovedFromManagement(IPad, Command(), SyncJob), s, Now))
            .ThenRejected("DeviceNotFound", "R5");
    }

    [Fact]
    [Trait("Rule", "R5")]
    public void a_device_enrolled_again_is_recorded_again()
    {
        var state = Devices().Given(Recorded(), new DeviceRemovedFromManagement(Now))
            .When(s => DeviceDecider.Decide(Record(), s, Now))
            .Then(Recorded());

        Assert.False(state.RemovedFromManagement);
    }

    [Fact]
    [Trait("Rule", "R5")]
    public void the_serial_number_never_shows_in_the_text_of_a_device()
    {
        Assert.DoesNotContain(IPadSerial.Value, Recorded().ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(IPadSerial.Value, Devices().Given(Recorded()).State.ToString(), StringComparison.Ordinal);
    }
}
