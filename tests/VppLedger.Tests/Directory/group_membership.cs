using VppLedger.Directory;
using static VppLedger.Tests.Directory.DirectorySpec;

namespace VppLedger.Tests.Directory;

public sealed class group_membership
{
    private static readonly GroupCreated SalesCreated = new(Now, Sales, GroupKind.User);

    private static AddGroupMembers Add(params GroupMember[] members) => new(Sales, members, Command(), SyncJob);

    private static RemoveGroupMembers Remove(params GroupMember[] members) => new(Sales, members, Command(), SyncJob);

    [Fact]
    [Trait("Rule", "A1")]
    public void a_group_is_created_with_its_kind_and_creating_it_again_decides_nothing()
    {
        Groups().When(s => GroupDecider.Decide(new CreateGroup(Sales, GroupKind.User, Command(), SyncJob), s, Now)).Then(SalesCreated);
        Groups().Given(SalesCreated).When(s => GroupDecider.Decide(new CreateGroup(Sales, GroupKind.User, Command(), SyncJob), s, Now)).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "A1")]
    public void a_group_cannot_change_kind()
    {
        Groups().Given(SalesCreated).When(s => GroupDecider.Decide(new CreateGroup(Sales, GroupKind.Device, Command(), SyncJob), s, Now))
            .ThenRejected("GroupKindCannotChange", "A1");
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void members_take_positions_in_order_of_addition_which_is_the_targeting_order()
    {
        var state = Groups().Given(SalesCreated)
            .When(s => GroupDecider.Decide(Add(User("u3"), User("u1"), User("u2")), s, Set(), Now))
            .Then(new GroupMembersAdded(Now, [new(User("u3"), 0), new(User("u1"), 1), new(User("u2"), 2)]));

        Assert.Equal(3, state.MemberCount);
        Assert.Equal(3, state.NextPosition);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void members_already_in_the_group_and_repeats_are_skipped_and_positions_continue()
    {
        var state = Groups().Given(SalesCreated, new GroupMembersAdded(Now, [new(User("u1"), 0), new(User("u2"), 1)]))
            .When(s => GroupDecider.Decide(Add(User("u2"), User("u4"), User("u4"), User("u5")), s, Set(User("u2")), Now))
            .Then(new GroupMembersAdded(Now, [new(User("u4"), 2), new(User("u5"), 3)]));

        Assert.Equal(4, state.MemberCount);
        Assert.Equal(4, state.NextPosition);
    }

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "I4")]
    public void adding_members_already_in_the_group_decides_nothing()
    {
        Groups().Given(SalesCreated, new GroupMembersAdded(Now, [new(User("u1"), 0)]))
            .When(s => GroupDecider.Decide(Add(User("u1")), s, Set(User("u1")), Now))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_removed_member_who_comes_back_joins_at_the_end_of_the_order()
    {
        Groups().Given(SalesCreated, new GroupMembersAdded(Now, [new(User("u1"), 0), new(User("u2"), 1)]), new GroupMembersRemoved(Now, [User("u1")]))
            .When(s => GroupDecider.Decide(Add(User("u1")), s, Set(), Now))
            .Then(new GroupMembersAdded(Now, [new(User("u1"), 2)]));
    }

    [Fact]
    [Trait("Rule", "R4")]
    public void removing_members_records_only_those_in_the_group()
    {
        var state = Groups().Given(SalesCreated, new GroupMembersAdded(Now, [new(User("u1"), 0), new(User("u2"), 1)]))
            .When(s => GroupDecider.Decide(Remove(User("u1"), User("u9")), s, Set(User("u1")), Now))
            .Then(new GroupMembersRemoved(Now, [User("u1")]));

        Assert.Equal(1, state.MemberCount);
        Assert.Equal(2, state.NextPosition);
    }

    [Fact]
    [Trait("Rule", "R4")]
    [Trait("Rule", "I4")]
    public void removing_members_not_in_the_group_decides_nothing()
    {
        Groups().Given(SalesCreated).When(s => GroupDecider.Decide(Remove(User("u9")), s, Set(), Now)).ThenNothing();
    }

    [Fact]
    [Trait("Rule", "A1")]
    public void a_device_cannot_join_a_user_group()
    {
        Groups().Given(SalesCreated).When(s => GroupDecider.Decide(Add(User("u1"), Device("d1")), s, Set(), Now))
            .ThenRejected("MemberKindMismatch", "A1");
    }

    [Fact]
    [Trait("Rule", "A1")]
    public void members_cannot_join_a_group_never_created()
    {
        Groups().When(s => GroupDecider.Decide(Add(User("u1")), s, Set(), Now)).ThenRejected("GroupNotFound", "A1");
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void more_members_than_one_batch_holds_are_rejected()
    {
        var many = Enumerable.Range(0, GroupDecider.MaxMembersPerCommand + 1).Select(i => User($"u{i}")).ToArray();

        Groups().Given(SalesCreated).When(s => GroupDecider.Decide(Add(many), s, Set(), Now)).ThenRejected("TooManyMembersInOneCommand", "A6");
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void a_group_of_100000_members_is_built_in_batches_with_state_holding_only_counters()
    {
        var spec = Groups().Given(SalesCreated);
        for (var batch = 0; batch < 100_000 / GroupDecider.MaxMembersPerCommand; batch++)
        {
            var members = Enumerable.Range(batch * GroupDecider.MaxMembersPerCommand, GroupDecider.MaxMembersPerCommand).Select(i => User($"u{i}")).ToArray();
            var decision = GroupDecider.Decide(Add(members), spec.State, Set(), Now);
            spec.Given([.. decision.Events]);
        }

        Assert.Equal(100_000, spec.State.MemberCount);
        Assert.Equal(100_000, spec.State.NextPosition);
    }
}
