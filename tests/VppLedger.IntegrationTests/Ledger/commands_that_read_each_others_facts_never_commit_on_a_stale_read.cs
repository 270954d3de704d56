using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using Xunit.Abstractions;

namespace VppLedger.IntegrationTests.Ledger;

/// <summary>
/// Two commands started at the same moment, each reading a fact the other writes in another stream (issue 10, items
/// 14 and 15). Whatever the interleaving, the book must be the one a serial order gives: one of them is decided again
/// on fresh state, and nothing escapes <see cref="ITenantLedger.ExecuteAsync"/> as an exception. Each test runs many
/// rounds and asserts outcomes only, never timing.
/// </summary>
public sealed class commands_that_read_each_others_facts_never_commit_on_a_stale_read(LedgerFixture db, ITestOutputHelper output) : IClassFixture<LedgerFixture>
{
    private const int Rounds = 30;

    private Scenario Tenant(string id) => new(db.Ledger.ForTenant(new TenantId(id)), db.Clock.GetCurrentInstant());

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "A6")]
    public async Task an_assignment_created_while_a_member_is_added_licenses_the_new_member()
    {
        var s = Tenant("create-vs-add");
        var token = new TokenId("tok");
        await s.RunAsync(s.Upload(token, location: "loc-create-vs-add"));
        var users = await s.UsersAsync("u", 2 * Rounds);
        for (var round = 0; round < Rounds; round++)
        {
            var pool = await s.SyncedPoolAsync(token, $"{1000 + round}", purchased: 10, upload: false);
            var (old, added) = (users[2 * round], users[(2 * round) + 1]);
            var group = await s.GroupAsync($"g{round}", GroupKind.User, [GroupMember.ForUser(old)]);

            var (create, add) = await AtOnceAsync(
                s.Ledger, Assign(s, pool, group), new AddGroupMembers(group, [GroupMember.ForUser(added)], s.NextId(), Scenario.Admin));

            Assert.True(create.Succeeded, $"round {round}: {create.Rejection}");
            Assert.True(add.Succeeded, $"round {round}: {add.Rejection}");
            Assert.True(await HoldsAsync(s, pool, old), $"round {round}: the old member has no license");
            Assert.True(await HoldsAsync(s, pool, added), $"round {round}: the member added while the assignment was created has no license");
            await AssertUsedEqualsSeatRowsAsync(s, pool, expected: 2);
        }
    }

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "R4")]
    public async Task an_assignment_created_while_a_member_is_removed_leaves_the_removed_member_without_a_license()
    {
        var s = Tenant("create-vs-remove");
        var token = new TokenId("tok");
        await s.RunAsync(s.Upload(token, location: "loc-create-vs-remove"));
        var users = await s.UsersAsync("u", 2 * Rounds);
        for (var round = 0; round < Rounds; round++)
        {
            var pool = await s.SyncedPoolAsync(token, $"{2000 + round}", purchased: 10, upload: false);
            var (stays, leaves) = (users[2 * round], users[(2 * round) + 1]);
            var group = await s.GroupAsync($"g{round}", GroupKind.User, [GroupMember.ForUser(stays), GroupMember.ForUser(leaves)]);

            var (create, remove) = await AtOnceAsync(
                s.Ledger, Assign(s, pool, group), new RemoveGroupMembers(group, [GroupMember.ForUser(leaves)], s.NextId(), Scenario.Admin));

            Assert.True(create.Succeeded, $"round {round}: {create.Rejection}");
            Assert.True(remove.Succeeded, $"round {round}: {remove.Rejection}");
            Assert.True(await HoldsAsync(s, pool, stays), $"round {round}: the member who stays has no license");
            Assert.False(await HoldsAsync(s, pool, leaves), $"round {round}: the member removed while the assignment was created kept a license");
            await AssertUsedEqualsSeatRowsAsync(s, pool, expected: 1);
        }
    }

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "R4")]
    public async Task a_user_who_leaves_while_being_added_to_a_targeted_group_ends_without_a_license()
    {
        var s = Tenant("left-vs-add");
        var token = new TokenId("tok");
        var pool = await s.SyncedPoolAsync(token, "3000", purchased: 100);
        var group = await s.GroupAsync("g", GroupKind.User, []);
        await s.RunAsync(Assign(s, pool, group));
        var users = await s.UsersAsync("u", Rounds);
        foreach (var (user, round) in users.Select((u, i) => (u, i)))
        {
            var (left, add) = await AtOnceAsync(
                s.Ledger, new RecordUserLeftOrganization(user, s.NextId(), Scenario.Admin), new AddGroupMembers(group, [GroupMember.ForUser(user)], s.NextId(), Scenario.Admin));

            Assert.True(left.Succeeded, $"round {round}: {left.Rejection}");
            Assert.True(add.Succeeded, $"round {round}: {add.Rejection}");
            Assert.False(await HoldsAsync(s, pool, user), $"round {round}: a user who left holds a license");
        }

        await AssertUsedEqualsSeatRowsAsync(s, pool, expected: 0);
    }

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "R4")]
    public async Task a_member_removed_from_one_group_while_the_other_groups_assignment_is_removed_loses_the_license()
    {
        var s = Tenant("remove-vs-unassign");
        var token = new TokenId("tok");
        await s.RunAsync(s.Upload(token, location: "loc-remove-vs-unassign"));
        var users = await s.UsersAsync("u", Rounds);
        foreach (var (user, round) in users.Select((u, i) => (u, i)))
        {
            // Each group alone keeps the user targeted; whichever change comes second leaves nothing targeting them.
            var pool = await s.SyncedPoolAsync(token, $"{5000 + round}", purchased: 10, upload: false);
            var first = await s.GroupAsync($"first{round}", GroupKind.User, [GroupMember.ForUser(user)]);
            var second = await s.GroupAsync($"second{round}", GroupKind.User, [GroupMember.ForUser(user)]);
            await s.RunAsync(Assign(s, pool, first));
            await s.RunAsync(Assign(s, pool, second));
            Assert.True(await HoldsAsync(s, pool, user));

            var (removed, unassigned) = await AtOnceAsync(
                s.Ledger,
                new RemoveGroupMembers(first, [GroupMember.ForUser(user)], s.NextId(), Scenario.Admin),
                new RemoveAssignment(pool, second, s.NextId(), Scenario.Admin));

            Assert.True(removed.Succeeded, $"round {round}: {removed.Rejection}");
            Assert.True(unassigned.Succeeded, $"round {round}: {unassigned.Rejection}");
            Assert.False(await HoldsAsync(s, pool, user), $"round {round}: no group targets the user any more, yet the license stayed");
            await AssertUsedEqualsSeatRowsAsync(s, pool, expected: 0);
        }
    }

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S4")]
    public async Task grants_and_reclaims_racing_in_one_queued_pool_never_throw_and_keep_the_book_balanced()
    {
        var s = Tenant("grant-vs-reclaim");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "4000", purchased: 6);
        var next = 0;
        var recorded = new List<Holder>();
        for (var i = 1; i <= 20 * Rounds; i++)
        {
            recorded.Add(Holder.ForDevice(await s.DeviceAsync($"d{i:D4}", Scenario.CorporateSupervised()))); // direct grants name recorded holders (A1)
        }

        Holder NewHolder() => recorded[next++];
        for (var round = 0; round < 2 * Rounds; round++)
        {
            // Six seats held and two waiting; three reclaims of two holders each free the seats the short queue takes,
            // while a grant asks for two more. Every serial order ends with four held and nobody waiting.
            await s.RunAsync(new GrantLicenses(pool, [.. Enumerable.Range(0, 8).Select(_ => NewHolder())], s.NextId(), Scenario.Admin));
            var granted = await GrantedHoldersAsync(s, pool);
            Assert.Equal(6, granted.Count);
            Assert.Equal(2, (await s.Ledger.GetPoolAsync(pool))!.QueuedCount);

            var outcomes = await AtOnceAsync(
                s.Ledger,
                new ReclaimLicenses(pool, [granted[0], granted[1]], ReclaimReason.Revoked, s.NextId(), Scenario.Admin),
                new ReclaimLicenses(pool, [granted[2], granted[3]], ReclaimReason.Revoked, s.NextId(), Scenario.Admin),
                new ReclaimLicenses(pool, [granted[4], granted[5]], ReclaimReason.Revoked, s.NextId(), Scenario.Admin),
                new GrantLicenses(pool, [NewHolder(), NewHolder()], s.NextId(), Scenario.Admin));

            Assert.All(outcomes, o => Assert.True(o.Succeeded, $"round {round}: {o.Rejection}"));
            Assert.Equal(0, (await s.Ledger.GetPoolAsync(pool))!.QueuedCount);
            await AssertUsedEqualsSeatRowsAsync(s, pool, expected: 4);

            // Empty the pool for the next round.
            await s.RunAsync(new ReclaimLicenses(pool, await GrantedHoldersAsync(s, pool), ReclaimReason.Revoked, s.NextId(), Scenario.Admin));
        }
    }

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "R4")]
    public async Task a_user_who_leaves_while_granted_directly_ends_without_a_license()
    {
        var s = Tenant("left-vs-grant");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "5000", purchased: 100);
        var users = await s.UsersAsync("u", Rounds);
        foreach (var (user, round) in users.Select((u, i) => (u, i)))
        {
            var (left, grant) = await AtOnceAsync(
                s.Ledger,
                new RecordUserLeftOrganization(user, s.NextId(), Scenario.Admin),
                new GrantLicenses(pool, [Holder.ForUser(user, AppleIdKind.Managed)], s.NextId(), Scenario.Admin));

            Assert.True(left.Succeeded, $"round {round}: {left.Rejection}");
            Assert.True(grant.Succeeded || grant.Rejection!.Code == RejectionCodes.HolderLeftOrganization, $"round {round}: {grant.Rejection}");
            Assert.False(await HoldsAsync(s, pool, user), $"round {round}: a user who left holds a license granted directly");
        }

        await AssertUsedEqualsSeatRowsAsync(s, pool, expected: 0);
    }

    [Fact]
    [Trait("Rule", "I3")]
    [Trait("Rule", "R4")]
    public async Task a_direct_grant_racing_a_device_removal_either_commits_first_or_is_refused()
    {
        // Rule R5: a removed device keeps what it held, so a grant that committed first stays; one decided after the
        // removal is refused, never granted on the stale "managed" it read.
        var s = Tenant("removed-vs-grant");
        var pool = await s.SyncedPoolAsync(new TokenId("tok"), "5100", purchased: 100);
        for (var round = 0; round < Rounds; round++)
        {
            var device = await s.DeviceAsync($"d{round}", Scenario.CorporateSupervised());
            var (removed, grant) = await AtOnceAsync(
                s.Ledger,
                new RecordDeviceRemovedFromManagement(device, s.NextId(), Scenario.Admin),
                new GrantLicenses(pool, [Holder.ForDevice(device)], s.NextId(), Scenario.Admin));

            Assert.True(removed.Succeeded, $"round {round}: {removed.Rejection}");
            Assert.True(grant.Succeeded || grant.Rejection!.Code == RejectionCodes.DeviceNotManaged, $"round {round}: {grant.Rejection}");
            var held = (await s.Ledger.GetDeviceLicensesAsync(device)).Licenses.Any(l => l.Pool == pool && l.Status == SeatStatus.Granted);
            Assert.Equal(grant.Succeeded, held);
        }
    }

    private static CreateAssignment Assign(Scenario s, PoolId pool, GroupId group) =>
        new(pool, group, AssignmentIntent.Required, LicenseType.User, s.NextId(), Scenario.Admin);

    /// <summary>Starts every command at the same moment (a barrier on their own threads); an exception from any fails the test.</summary>
    private async Task<CommandOutcome[]> AtOnceAsync(ITenantLedger ledger, params ILedgerCommand[] commands)
    {
        using var barrier = new Barrier(commands.Length);
        var retried = db.Marten.Runner.ConflictsRetried.Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(commands.Select(c => Task.Factory.StartNew(
            () =>
            {
                barrier.SignalAndWait();
                return ledger.ExecuteAsync(c);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()));
        output.WriteLine($"{string.Join(" + ", commands.Select(c => c.GetType().Name))}: {db.Marten.Runner.ConflictsRetried.Count - retried} decided again, {clock.ElapsedMilliseconds} ms");
        return outcomes;
    }

    private async Task<(CommandOutcome, CommandOutcome)> AtOnceAsync(ITenantLedger ledger, ILedgerCommand first, ILedgerCommand second)
    {
        var both = await AtOnceAsync(ledger, [first, second]);
        return (both[0], both[1]);
    }

    private static async Task<bool> HoldsAsync(Scenario s, PoolId pool, UserId user) =>
        (await s.Ledger.GetUserLicensesAsync(user)).Licenses.Any(l => l.Pool == pool && l.Status == SeatStatus.Granted);

    private async Task<List<Holder>> GrantedHoldersAsync(Scenario s, PoolId pool)
    {
        var keys = await TestServer.ScalarAsync<string[]>(
            $"select array_agg(data->>'HolderKey') from {db.SchemaName}.mt_doc_seatdoc where tenant_id = @t and data->>'PoolKey' = @p and data->>'Status' = 'Granted'",
            ("t", s.Ledger.Tenant.Value),
            ("p", $"pool:{pool.Token.Value}:{pool.AdamId.Value}"));
        return [.. (keys ?? []).Select(Holder.FromKey)];
    }

    private async Task AssertUsedEqualsSeatRowsAsync(Scenario s, PoolId pool, int expected)
    {
        var summary = (await s.Ledger.GetPoolAsync(pool))!;
        var rows = await TestServer.ScalarAsync<long>(
            $"select count(*) from {db.SchemaName}.mt_doc_seatdoc where tenant_id = @t and data->>'PoolKey' = @p and data->>'Status' = 'Granted'",
            ("t", s.Ledger.Tenant.Value),
            ("p", $"pool:{pool.Token.Value}:{pool.AdamId.Value}"));
        Assert.Equal(expected, summary.UsedCount);
        Assert.Equal(rows, summary.UsedCount);
    }
}
