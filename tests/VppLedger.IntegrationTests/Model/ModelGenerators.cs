using CsCheck;
using NodaTime;
using static VppLedger.IntegrationTests.Model.ModelUniverse;

namespace VppLedger.IntegrationTests.Model;

/// <summary>CsCheck generators of host actions, and the scope filter that keeps sequences inside <see cref="ModelScope"/>.</summary>
public static class ModelGenerators
{
    private static readonly Gen<int> T = Gen.Frequency((6, Gen.Const(0)), (2, Gen.Const(1)), (1, Gen.Const(2)));
    private static readonly Gen<int> A = Gen.Frequency((5, Gen.Const(0)), (3, Gen.Const(1)), (1, Gen.Const(2)), (2, Gen.Const(BookApp)));
    private static readonly Gen<int> U = Gen.Int[0, Users - 1];
    private static readonly Gen<int> D = Gen.Int[0, Devices - 1];
    private static readonly Gen<int> G = Gen.Int[0, Groups - 1];
    private static readonly Gen<bool> RightActor = Gen.Int[0, 39].Select(i => i != 0);
    private static readonly Gen<AssignmentIntent> Intent = Gen.Frequency((5, Gen.Const(AssignmentIntent.Required)), (2, Gen.Const(AssignmentIntent.Available)), (2, Gen.Const(AssignmentIntent.Uninstall)));
    private static readonly Gen<LicenseType> Type = Gen.Frequency((3, Gen.Const(LicenseType.User)), (2, Gen.Const(LicenseType.Device)));

    /// <summary>A holder as in <see cref="Op.Grant"/>: a user index with an Apple ID kind, or a device index.</summary>
    private static readonly Gen<(int Owner, AppleIdKind? Kind)> AnyHolder = Gen.Select(Gen.Int[0, Devices - 1], Gen.Int[0, 2], (o, k) =>
        (o % (k == 2 ? Devices : Users), k switch { 0 => (AppleIdKind?)AppleIdKind.Personal, 1 => AppleIdKind.Managed, _ => null }));

    private static Gen<Op> Command => Gen.Frequency(
        (2, Gen.Select(T, Gen.Int[20, 400], (t, days) => (Op)new Op.UploadToken(t, days))),
        (2, Gen.Select(T, Gen.Int[30, 500], (t, days) => (Op)new Op.RenewToken(t, days))),
        (1, T.Select(t => (Op)new Op.DeleteToken(t))),
        (1, Gen.Select(T, Gen.Bool, (t, on) => (Op)new Op.ChangeTokenSettings(t, on))),
        (1, Gen.Select(T, Gen.Bool, (t, ok) => (Op)new Op.RecordTokenSync(t, ok))),
        (6, Gen.Select(T, A, Gen.Int[0, 6], Gen.Int[0, 2], Gen.Int[0, 6].Nullable(), (t, a, p, r, aa) => (Op)new Op.AppleCounts(t, a, p, Math.Min(p, r), aa))),
        (4, Gen.Select(U, Gen.Bool, Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false))), (u, p, m) => (Op)new Op.RecordUser(u, p, m))),
        (2, U.Select(u => (Op)new Op.UserLeft(u))),
        (4, Gen.Select(D, U.Nullable(), Gen.Int[0, 5], Gen.Bool, (d, owner, ue, mac) => (Op)new Op.RecordDevice(d, owner, ue == 0, ue == 1, mac))),
        (1, D.Select(d => (Op)new Op.RetireDevice(d))),
        (2, G.Select(g => (Op)new Op.CreateGroup(g))),
        (7, Gen.Select(G, Gen.Int[0, Devices - 1].Array[1, 4], (g, m) => (Op)new Op.AddMembers(g, m))),
        (4, Gen.Select(G, Gen.Int[0, Devices - 1].Array[1, 3], (g, m) => (Op)new Op.RemoveMembers(g, m))),
        (6, Gen.Select(T, A, G, Intent, Type, (t, a, g, i, l) => (Op)new Op.CreateAssignment(t, a, g, i, l))),
        (3, Gen.Select(T, A, G, Intent, Type, (t, a, g, i, l) => (Op)new Op.ChangeAssignment(t, a, g, i, l))),
        (2, Gen.Select(T, A, G, (t, a, g) => (Op)new Op.RemoveAssignment(t, a, g))),
        (3, Gen.Select(T, A, Gen.Select(Gen.Int[0, Devices - 1], Gen.Int[0, 2]).Array[1, 3], (t, a, hs) =>
            (Op)new Op.Grant(t, a, [.. hs.Select(h => (h.Item1 % (h.Item2 == 2 ? Devices : Users), h.Item2 switch { 0 => (AppleIdKind?)AppleIdKind.Personal, 1 => AppleIdKind.Managed, _ => null }))]))),
        (1, Gen.Select(T, A, (t, a) => (Op)new Op.RevokeApp(t, a))),
        (8, Gen.Select(T, A, AnyHolder.Array[0, 3], AnyHolder.Array[0, 2], (t, a, ok, failed) => (Op)new Op.AppleAnswer(t, a, ok, failed))),
        (1, U.Select(u => (Op)new Op.RevokeUser(u))),
        (1, D.Select(d => (Op)new Op.RevokeDevice(d))),
        (1, T.Select(t => (Op)new Op.RevokeToken(t))),
        (1, T.Select(t => (Op)new Op.MarkExternal(t))),
        (1, T.Select(t => (Op)new Op.TakeControl(t))),
        (1, Gen.Select(T, A, Gen.Bool, (t, a, mac) => (Op)new Op.RemoveApp(t, a, mac))),
        (1, Gen.Select(U.Array[0, 2], D.Array[0, 2], U.Nullable(), (us, ds, owner) =>
            (Op)new Op.RecordDirectory([.. us.Distinct().Select(u => new Op.RecordUser(u, u % 2 == 0, true))], [.. ds.Distinct().Select(d => new Op.RecordDevice(d, owner, false, d % 3 == 0, false))]))));

    /// <summary>One step: a command (now and then run by a wrong actor), the clock moving on, or two commands at once.</summary>
    public static Gen<Op> Step => Gen.Frequency(
        (40, Gen.Select(Command, RightActor, (op, right) => op with { RightActor = right })),
        (4, Gen.Int[1, 120].Select(days => (Op)new Op.AdvanceClock(days))),
        (3, Gen.Select(Command, Command, (a, b) => (Op)new Op.Concurrently(a, b))));

    public static Gen<Op[]> Sequence(int maxSteps) => Step.Array[1, maxSteps];

    /// <summary>Every sequence starts here (not shrunk): two tokens (one expiring in 60 days), pools of apps and a book, users, devices and a group of each kind with members.</summary>
    public static IReadOnlyList<Op> Prelude { get; } =
    [
        new Op.UploadToken(0, 400),
        new Op.UploadToken(1, 60),
        new Op.AppleCounts(0, 0, 3, 0, null),
        new Op.AppleCounts(0, 1, 2, 0, null),
        new Op.AppleCounts(1, 0, 1, 0, null),
        new Op.AppleCounts(0, BookApp, 2, 0, null),
        new Op.RecordUser(0, true, true),
        new Op.RecordUser(1, false, true),
        new Op.RecordUser(2, true, false),
        new Op.RecordDevice(0, 0, false, false, false),
        new Op.RecordDevice(1, null, false, false, false),
        new Op.RecordDevice(2, 1, true, false, false),
        new Op.RecordDevice(3, 2, false, true, true),
        new Op.CreateGroup(0),
        new Op.CreateGroup(2),
        new Op.AddMembers(0, [0, 1, 2]),
        new Op.AddMembers(2, [0, 1, 3]),
    ];

    /// <summary>
    /// The op to run in <paramref name="model"/>'s state, or null with the reason it is left out: a known bug or open
    /// question of <paramref name="scope"/>, or a step that would only repeat what is known (members never recorded).
    /// </summary>
    public static (Op? Op, string? Skipped) Filter(Op op, LedgerModel model, ModelScope scope)
    {
        if (op is Op.Concurrently c)
        {
            var (first, why1) = Filter(c.First, model, scope);
            var (second, why2) = Filter(c.Second, model, scope);
            if (first is null || second is null || first is Op.AdvanceClock || second is Op.AdvanceClock)
            {
                return (null, why1 ?? why2 ?? "clock in a concurrent pair");
            }

            if (scope.Excludes(KnownBugs.Item14_AssignmentAndMembershipSkew) && (SameGroupSkew(first, second) || SameGroupSkew(second, first)))
            {
                return (null, "item 14: a membership change and an assignment of the same group at the same moment");
            }

            return (new Op.Concurrently(first, second), null);
        }

        return Skip(op, model, scope) is { } reason ? (null, reason) : (Normalize(op, model), null);
    }

    private static bool SameGroupSkew(Op membership, Op assignment)
    {
        var group = membership switch { Op.AddMembers m => m.Group, Op.RemoveMembers m => m.Group, _ => -1 };
        return group >= 0 && assignment switch
        {
            Op.CreateAssignment a => a.Group == group,
            Op.ChangeAssignment a => a.Group == group,
            Op.RemoveAssignment a => a.Group == group,
            _ => false,
        };
    }

    private static Op Normalize(Op op, LedgerModel model) => op switch
    {
        // Members are recorded before they join (a member never recorded is its own open question).
        Op.AddMembers m => m with { Members = [.. m.Members.Select(i => ModelCommands.KindOf(m.Group) == Directory.GroupKind.User ? i % Users : i).Where(i => IsRecorded(model, m.Group, i))] },
        Op.RemoveMembers m => m with { Members = [.. m.Members.Select(i => ModelCommands.KindOf(m.Group) == Directory.GroupKind.User ? i % Users : i)] },

        // Apple answers about seats the pool holds (issue 13): a generated holder other than a personal Apple ID picks a
        // granted seat by its index, so confirmations and failures meet real seats; the others stay as drawn.
        // When the drawn pool holds no seat, the answer goes to a pool that does.
        Op.AppleAnswer ans when model.Pools.Where(p => p.Value.Granted.Count > 0).OrderBy(p => p.Key).ToList() is { Count: > 0 } held =>
            held.FirstOrDefault(p => p.Key == (ans.Token, ans.App), held[((ans.Token * 5) + ans.App) % held.Count]) is var (key, pool)
                ? ans with { Token = key.T, App = key.A, Confirmed = [.. ans.Confirmed.Select(h => PickSeat(pool, h))], Failed = [.. ans.Failed.Select(h => PickSeat(pool, h))] }
                : ans,

        // Uninstall keeps the license type it had (a change of both at once is not a host's flow).
        Op.ChangeAssignment { Intent: AssignmentIntent.Uninstall } ch when model.Assignments.TryGetValue((ch.Token, ch.App, ch.Group), out var a) => ch with { LicenseType = a.LicenseType },
        _ => op,
    };

    private static (int Owner, AppleIdKind? Kind) PickSeat(MPool pool, (int Owner, AppleIdKind? Kind) drawn)
    {
        if (drawn.Kind == AppleIdKind.Personal)
        {
            return drawn;
        }

        var key = pool.Granted.ElementAt(drawn.Owner % pool.Granted.Count); // "u.u3.managed" or "d.d4"
        var parts = key.Split('.');
        return parts[0] == "d"
            ? (int.Parse(parts[1][1..], System.Globalization.CultureInfo.InvariantCulture), null)
            : (int.Parse(parts[1][1..], System.Globalization.CultureInfo.InvariantCulture), parts[2] == "managed" ? AppleIdKind.Managed : AppleIdKind.Personal);
    }

    private static bool IsRecorded(LedgerModel model, int g, int i) =>
        ModelCommands.KindOf(g) == Directory.GroupKind.User ? model.Users[i].Recorded : model.Devices[i].Recorded;

    private static string? Skip(Op op, LedgerModel model, ModelScope scope)
    {
        bool Bug(KnownBugs bug) => scope.Excludes(bug);
        bool Open(Unspecified open) => scope.Excludes(open);
        var userGroupMembers = Enumerable.Range(0, 2).Where(g => model.Groups[g].Created).SelectMany(g => model.Groups[g].Members).ToHashSet();
        switch (op)
        {
            case Op.AppleCounts { App: BookApp } or Op.CreateAssignment { App: BookApp } or Op.ChangeAssignment { App: BookApp }
                or Op.RemoveAssignment { App: BookApp } or Op.Grant { App: BookApp } or Op.RevokeApp { App: BookApp } when Bug(KnownBugs.Item11_BooksReassigned):
                return "item 11: books";
            case Op.CreateAssignment ca when Bug(KnownBugs.Item2_DeletedTokenKeepsAssignments) && model.Tokens[ca.Token].Deleted:
                return "item 2: assigning an app of a deleted token (accepted when the group has no member)";
            case Op.AdvanceClock c when Bug(KnownBugs.Item3_ExpiredTokenGrants)
                && model.Tokens.Any(t => t.Uploaded && !t.Deleted && model.Now + Duration.FromDays(c.Days) >= t.ExpiresAt):
                return "item 3: passing a token's expiry";
            case Op.ChangeAssignment ch when Bug(KnownBugs.Item5_MigrationLeavesQueuedUsers) && ch.LicenseType == LicenseType.Device
                && model.Assignments.TryGetValue((ch.Token, ch.App, ch.Group), out var a) && a.LicenseType == LicenseType.User:
                return "item 5: user to device licensing";
            case Op.CreateAssignment ca when Bug(KnownBugs.Item6_UserLicensingOnDeviceGroups) && ca.Group >= 2 && ca.LicenseType == LicenseType.User:
                return "item 6: user licensing on a device group";
            case Op.RecordUser ru when Bug(KnownBugs.Item8_ReclaimsFromTodaysFacts) && model.Users[ru.User] is { Recorded: true } u
                && ((u.Personal && !ru.Personal) || (u.Managed && !ru.Managed)):
                return "item 8: dropping an Apple ID";
            case Op.CreateAssignment { Intent: AssignmentIntent.Uninstall, LicenseType: LicenseType.Device } when Bug(KnownBugs.Item9_UninstallDefaultLicenseType):
                return "item 9: a new Uninstall assignment with device licensing";
            case Op.RemoveAssignment ra when Bug(KnownBugs.Item10_RemovedAssignmentQueueServed) && !model.Policy.RemovingAssignmentReclaims
                && model.Pools.TryGetValue((ra.Token, ra.App), out var p) && p.Queue.Count > 0:
                return "item 10: removing an assignment with a queue under CurrentApple";
            case Op.RecordDevice rd when Bug(KnownBugs.Item12_NewDeviceOfTargetedUser) && rd.Owner is { } owner && userGroupMembers.Contains(owner):
                return "item 12: a new device of a user group member";
            case Op.Grant g when Bug(KnownBugs.Item13_DirectGrantBypassesRules) && g.Holders.Any(h => h.Kind is { } k
                    ? model.Users[h.Owner] is not { Recorded: true, Left: false } u2 || !(k == AppleIdKind.Personal ? u2.Personal : u2.Managed)
                    : model.Devices[h.Owner] is not { Recorded: true, UserEnrollment: false }):
                return "item 13: a direct grant to a holder the rules refuse";
            case Op.RecordUser ru when Open(Unspecified.AppleIdAddedOrUserRejoins) && model.Users[ru.User] is { Recorded: true } u
                && (u.Left || (!u.Personal && ru.Personal) || (!u.Managed && ru.Managed)):
                return "open: an Apple ID added, or a user who left recorded again";
            case Op.MarkExternal when Bug(KnownBugs.Item3_ExpiredTokenGrants):
                return "item 3 (rule T3 alike): a token bound to another MDM";
            case Op.RecordDirectory r when r.Users.Any(u => Skip(u, model, scope) is not null) || r.Devices.Any(d => Skip(d, model, scope) is not null)
                || r.Devices.Any(d => d.Owner is { } o && r.Users.Any(u => u.User == o) && Bug(KnownBugs.Item12_NewDeviceOfTargetedUser)):
                return "RecordDirectory: an entry left out on its own";
            case Op.RecordDevice rd when Open(Unspecified.DeviceFactsChange) && model.Devices[rd.Device].Recorded:
                return "open: a device recorded again";
            case Op.Grant when Open(Unspecified.DirectGrantProvenance):
                return "open: a direct grant (a seat keeps no provenance)";
            case Op.Grant g when Open(Unspecified.DirectGrantToRetiredDevice) && g.Holders.Any(h => h.Kind is null && model.Devices[h.Owner].Retired):
                return "open: a direct grant to a retired device";
            case Op.CreateAssignment { Intent: AssignmentIntent.Uninstall } or Op.ChangeAssignment { Intent: AssignmentIntent.Uninstall }
                when Open(Unspecified.UninstallOfAHolderStillWanted) && model.Assignments.Any(a => a.Value is { Active: true, Wants: true }):
                return "open: Uninstall while another assignment still wants licenses";
            case Op.CreateAssignment ca when !model.Groups[ca.Group].Created || model.Assignments.GetValueOrDefault((ca.Token, ca.App, ca.Group))?.Active == true:
                return "an assignment of a group never created, or created twice";
            case Op.CreateAssignment ca when !model.Pools.ContainsKey((ca.Token, ca.App)):
                return "an assignment of a pool never synced";
            default:
                return null;
        }
    }
}
