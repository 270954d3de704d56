using NodaTime;
using VppLedger.Directory;
using VppLedger.Licensing.Workflows;

namespace VppLedger.Tests.Licensing;

/// <summary>Issue 10, item 8 (found by the model test): a seat held under an Apple ID the user no longer has goes back.</summary>
public sealed class a_dropped_apple_id_leaves_its_seats_with_nothing_behind_them
{
    private static readonly Instant At = Instant.FromUtc(2026, 3, 3, 10, 0);
    private static readonly UserId Ann = new("ann");
    private static readonly AppleId Personal = new("ann@icloud.example", AppleIdKind.Personal);
    private static readonly AppleId Managed = new("ann@contoso.example", AppleIdKind.Managed);

    private static UserState Fold(params IUserEvent[] events) => events.Aggregate(UserState.Initial, UserDecider.Evolve);

    [Fact]
    [Trait("Rule", "L4")]
    [Trait("Rule", "R4")]
    public void dropping_the_personal_apple_id_releases_the_personal_holder_only()
    {
        var before = Fold(new UserRecorded(At, Ann, Personal, Managed));
        var after = UserDecider.Evolve(before, new UserAppleIdsChanged(At, null, Managed));

        var dropped = SeatReclaims.DroppedAppleIds(before, after);

        Assert.Equal([Holder.ForUser(Ann, AppleIdKind.Personal).Key], dropped.Select(h => h.Key));
    }

    [Fact]
    [Trait("Rule", "L4")]
    public void changing_an_apple_id_address_or_adding_one_drops_nothing()
    {
        var before = Fold(new UserRecorded(At, Ann, null, Managed));
        var after = UserDecider.Evolve(before, new UserAppleIdsChanged(At, Personal, new AppleId("ann.b@contoso.example", AppleIdKind.Managed)));

        Assert.Empty(SeatReclaims.DroppedAppleIds(before, after));
    }
}
