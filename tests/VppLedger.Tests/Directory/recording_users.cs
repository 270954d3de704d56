using VppLedger.Directory;
using static VppLedger.Tests.Directory.DirectorySpec;

namespace VppLedger.Tests.Directory;

public sealed class recording_users
{
    private static RecordUser Record(AppleId? personal, AppleId? managed) => new(Alice, personal, managed, Command(), SyncJob);

    [Fact]
    [Trait("Rule", "L4")]
    public void a_user_with_a_personal_and_a_managed_apple_id_is_two_holders()
    {
        var state = Users().When(s => UserDecider.Decide(Record(AlicePersonal, AliceManaged), s, Now))
            .Then(new UserRecorded(Now, Alice, AlicePersonal, AliceManaged));

        Assert.Equal(
            [Holder.ForUser(Alice, AppleIdKind.Personal), Holder.ForUser(Alice, AppleIdKind.Managed)],
            state.Holders());
    }

    [Fact]
    [Trait("Rule", "L4")]
    public void a_user_with_one_apple_id_is_one_holder()
    {
        var state = Users().Given(new UserRecorded(Now, Alice, null, AliceManaged)).State;

        Assert.Equal([Holder.ForUser(Alice, AppleIdKind.Managed)], state.Holders());
    }

    [Fact]
    [Trait("Rule", "L4")]
    public void an_apple_id_in_the_slot_of_the_other_kind_is_rejected()
    {
        Users().When(s => UserDecider.Decide(Record(AliceManaged, null), s, Now)).ThenRejected("AppleIdKindMismatch", "L4");
        Users().When(s => UserDecider.Decide(Record(null, AlicePersonal), s, Now)).ThenRejected("AppleIdKindMismatch", "L4");
    }

    [Fact]
    [Trait("Rule", "L4")]
    [Trait("Rule", "I4")]
    public void recording_the_same_facts_twice_decides_nothing()
    {
        Users().Given(new UserRecorded(Now, Alice, AlicePersonal, null))
            .When(s => UserDecider.Decide(Record(AlicePersonal, null), s, Now))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "L4")]
    public void a_new_managed_apple_id_is_recorded_as_a_change()
    {
        var state = Users().Given(new UserRecorded(Now, Alice, AlicePersonal, null))
            .When(s => UserDecider.Decide(Record(AlicePersonal, AliceManaged), s, Now))
            .Then(new UserAppleIdsChanged(Now, AlicePersonal, AliceManaged));

        Assert.Equal(2, state.Holders().Count);
    }

    [Fact]
    [Trait("Rule", "R4")]
    public void a_user_who_leaves_the_organization_is_recorded_and_holds_nothing_more()
    {
        var state = Users().Given(new UserRecorded(Now, Alice, AlicePersonal, AliceManaged))
            .When(s => UserDecider.Decide(new RecordUserLeftOrganization(Alice, Command(), SyncJob), s, Now))
            .Then(new UserLeftOrganization(Now));

        Assert.True(state.LeftOrganization);
        Assert.Empty(state.Holders());
    }

    [Fact]
    [Trait("Rule", "R4")]
    [Trait("Rule", "I4")]
    public void leaving_twice_decides_nothing_and_an_unknown_user_cannot_leave()
    {
        Users().Given(new UserRecorded(Now, Alice, null, null), new UserLeftOrganization(Now))
            .When(s => UserDecider.Decide(new RecordUserLeftOrganization(Alice, Command(), SyncJob), s, Now))
            .ThenNothing();
        Users().When(s => UserDecider.Decide(new RecordUserLeftOrganization(Alice, Command(), SyncJob), s, Now))
            .ThenRejected("UserNotFound", "R4");
    }

    [Fact]
    [Trait("Rule", "R4")]
    public void a_user_who_comes_back_is_recorded_again()
    {
        var state = Users().Given(new UserRecorded(Now, Alice, AlicePersonal, null), new UserLeftOrganization(Now))
            .When(s => UserDecider.Decide(Record(AlicePersonal, null), s, Now))
            .Then(new UserRecorded(Now, Alice, AlicePersonal, null));

        Assert.False(state.LeftOrganization);
    }

    [Fact]
    [Trait("Rule", "L4")]
    public void apple_ids_never_show_in_the_text_of_users()
    {
        var state = Users().Given(new UserRecorded(Now, Alice, AlicePersonal, AliceManaged)).State;

        Assert.DoesNotContain("alice@", state.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("alice@", new UserRecorded(Now, Alice, AlicePersonal, AliceManaged).ToString(), StringComparison.Ordinal);
    }
}
