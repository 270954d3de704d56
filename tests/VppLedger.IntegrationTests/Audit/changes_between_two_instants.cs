using NodaTime;
using VppLedger.Assignments;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.Audit;

/// <summary>Every change to a pool or a holder between two instants, streamed, with the positions at both ends (I5).</summary>
public sealed class changes_between_two_instants(CheckpointLedgerFixture db) : IClassFixture<CheckpointLedgerFixture>
{
    private static Holder Managed(UserId user) => Holder.ForUser(user, AppleIdKind.Managed);

    /// <summary>Day 0: one license, u0001 granted. Day 1: u0002 queued. Day 2: three licenses, u0002 promoted. Day 3: u0001 leaves, reclaimed.</summary>
    private async Task<(Scenario S, PoolId Pool, IReadOnlyList<UserId> Users, Instant Day0)> HistoryAsync(string tenant)
    {
        var day0 = Instant.FromUtc(2024, 4, 20, 9, 0);
        db.Clock.Reset(day0);
        var s = new Scenario(db.Ledger.ForTenant(new TenantId(tenant)), day0);
        var pool = await s.SyncedPoolAsync(new TokenId("live"), "1", purchased: 1);
        var users = await s.UsersAsync("u", 2);
        var group = await s.GroupAsync("g", GroupKind.User, [GroupMember.ForUser(users[0])]);
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
        db.Clock.Advance(Duration.FromDays(1));
        await s.RunAsync(new AddGroupMembers(group, [GroupMember.ForUser(users[1])], s.NextId(), Scenario.Admin));
        db.Clock.Advance(Duration.FromDays(1));
        await s.CountsAsync(pool, purchased: 3);
        db.Clock.Advance(Duration.FromDays(1));
        await s.RunAsync(new RemoveGroupMembers(group, [GroupMember.ForUser(users[0])], s.NextId(), Scenario.Admin));
        await s.Ledger.Audit.WaitForSealAsync();
        return (s, pool, users, day0);
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_pools_changes_come_in_log_order_between_its_positions_at_both_ends()
    {
        var (s, pool, users, day0) = await HistoryAsync("pool-range");

        var range = await s.Ledger.Audit.PoolChangesAsync(pool, day0 + Duration.FromHours(25), day0 + Duration.FromHours(73));
        var changes = await range.Changes.ToListAsync();

        Assert.Equal([Managed(users[0])], range.Start!.Holders);
        Assert.Equal([Managed(users[1])], range.Start.Queue.Select(q => q.Holder));
        Assert.Equal([Managed(users[1])], range.End!.Holders);
        Assert.Empty(range.End.Queue);
        Assert.Equal(["apple_counts_applied", "license_granted", "license_reclaimed"], changes.Select(c => c.Action));
        Assert.True(changes.Select(c => c.Sequence).SequenceEqual(changes.Select(c => c.Sequence).Order()));
        Assert.All(changes, c => Assert.Equal("pool:live:1", c.Stream));
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_holders_changes_are_read_between_its_seats_at_both_ends()
    {
        var (s, pool, users, day0) = await HistoryAsync("holder-range");

        var range = await s.Ledger.Audit.HolderChangesAsync(Managed(users[1]), day0 + Duration.FromHours(1), day0 + Duration.FromDays(4));
        var changes = await range.Changes.ToListAsync();

        Assert.Empty(range.Start!.Seats);
        Assert.Equal(new HolderSeatAsOf(pool, SeatStatus.Granted, 0, day0 + Duration.FromDays(2)), Assert.Single(range.End!.Seats));
        Assert.Equal(["holder_queued", "license_granted"], changes.Select(c => c.Action));
    }

    [Fact]
    [Trait("Rule", "I5")]
    public async Task a_range_that_ends_before_it_starts_is_refused()
    {
        var ledger = db.Ledger.ForTenant(new TenantId("bad-range"));
        var pool = new PoolId(new TokenId("t"), new AdamId("1"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ledger.Audit.PoolChangesAsync(pool, Instant.FromUtc(2024, 5, 2, 0, 0), Instant.FromUtc(2024, 5, 1, 0, 0)));

        Assert.Contains("is before from", error.Message, StringComparison.Ordinal);
    }
}
