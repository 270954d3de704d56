using NodaTime;
using VppLedger.Assignments;
using static VppLedger.IntegrationTests.Model.ModelCommands;

namespace VppLedger.IntegrationTests.Model;

/// <summary>The ids the model test uses: a few of each, so that sequences collide often.</summary>
public static class ModelUniverse
{
    public const int Tokens = 3;
    public const int Apps = 4;
    public const int BookApp = 3;
    public const int Users = 6;
    public const int Devices = 8;
    public const int Groups = 4;
}

/// <summary>What the model expects of one command.</summary>
public enum Expect
{
    Applied,
    Rejected,

    /// <summary>The spec does not say whether it succeeds (and it changes no license either way).</summary>
    Either,
}

/// <summary>
/// An independent reference model of one tenant's whole ledger, written from spec/RULES.md and issue 10's expected
/// behaviours. It calls none of the library's deciders, workflows or evolve functions: holders are keys
/// (<c>u.{user}.personal</c>, <c>u.{user}.managed</c>, <c>d.{device}</c>), pools are sets and lists.
/// </summary>
public sealed class LedgerModel(LedgerPolicy policy, Instant now)
{
    public LedgerPolicy Policy { get; } = policy;

    public Instant Now { get; private set; } = now;

    public MToken[] Tokens { get; private init; } = [.. Enumerable.Range(0, ModelUniverse.Tokens).Select(_ => new MToken())];

    public MUser[] Users { get; private init; } = [.. Enumerable.Range(0, ModelUniverse.Users).Select(_ => new MUser())];

    public MDevice[] Devices { get; private init; } = [.. Enumerable.Range(0, ModelUniverse.Devices).Select(_ => new MDevice())];

    public MGroup[] Groups { get; private init; } = [.. Enumerable.Range(0, ModelUniverse.Groups).Select(_ => new MGroup())];

    /// <summary>Pools by (token, app); a pool exists once Apple's counts were applied.</summary>
    public SortedDictionary<(int T, int A), MPool> Pools { get; private init; } = [];

    /// <summary>Assignments by (token, app, group).</summary>
    public SortedDictionary<(int T, int A, int G), MAssignment> Assignments { get; private init; } = [];

    public LedgerModel Clone() => new(Policy, Now)
    {
        Tokens = [.. Tokens.Select(t => t with { })],
        Users = [.. Users.Select(u => u with { })],
        Devices = [.. Devices.Select(d => d with { })],
        Groups = [.. Groups.Select(g => new MGroup { Created = g.Created, Members = [.. g.Members] })],
        Pools = new(Pools.ToDictionary(p => p.Key, p => p.Value.Clone())),
        Assignments = new(Assignments.ToDictionary(a => a.Key, a => a.Value with { })),
    };

    public static string UserKey(int u, AppleIdKind kind) => $"u.u{u}.{(kind == AppleIdKind.Managed ? "managed" : "personal")}";

    public static string DeviceKey(int d) => $"d.d{d}";

    public static string PoolKey((int T, int A) p) => $"pool:t{p.T}:{App(p.A).Value}";

    /// <summary>Rules T2, T3, T10: only a live, unexpired token under this MDM syncs or grants.</summary>
    public bool CanGrant(int t) => Tokens[t].Uploaded && !Tokens[t].Deleted && !Tokens[t].External && Now < Tokens[t].ExpiresAt;

    public bool Expired(int t) => Tokens[t].Uploaded && !Tokens[t].Deleted && Now >= Tokens[t].ExpiresAt;

    /// <summary>Pools in the ledger's key order (pool:{token}:{app}, ordinal).</summary>
    private IEnumerable<((int T, int A) Key, MPool Pool)> PoolsInKeyOrder() =>
        Pools.OrderBy(p => PoolKey(p.Key), StringComparer.Ordinal).Select(p => (p.Key, p.Value));

    public void Advance(int days) => Now += Duration.FromDays(days);

    /// <summary>Applies one command's expected effects; returns whether it should succeed.</summary>
    public Expect Apply(Op op)
    {
        if (!op.RightActor)
        {
            return Expect.Rejected; // rule X1: refused before anything is read, nothing written
        }

        return op switch
        {
            Op.UploadToken o => Upload(o),
            Op.RenewToken o => Renew(o),
            Op.DeleteToken o => Delete(o.Token),
            Op.ChangeTokenSettings o => !Tokens[o.Token].Uploaded || Tokens[o.Token].Deleted ? Expect.Rejected : Expect.Applied,
            Op.RecordTokenSync o => !Tokens[o.Token].Uploaded || Tokens[o.Token].Deleted || (o.Succeeded && !CanGrant(o.Token)) ? Expect.Rejected : Expect.Applied,
            Op.MarkExternal o => MarkExternal(o.Token),
            Op.TakeControl o => TakeControl(o.Token),
            Op.RemoveApp o => o.Mac ? Expect.Applied : Expect.Rejected, // rule S3
            Op.RecordDirectory o => RecordDirectory(o),
            Op.AppleCounts o => Counts(o),
            Op.RecordUser o => RecordUser(o),
            Op.UserLeft o => UserLeft(o.User),
            Op.RecordDevice o => RecordDevice(o),
            Op.RetireDevice o => Retire(o.Device),
            Op.CreateGroup o => CreateGroup(o.Group),
            Op.AddMembers o => AddMembers(o),
            Op.RemoveMembers o => RemoveMembers(o),
            Op.CreateAssignment o => CreateAssignment(o),
            Op.ChangeAssignment o => ChangeAssignment(o),
            Op.RemoveAssignment o => RemoveAssignment(o),
            Op.Grant o => Grant(o),
            Op.RevokeApp o => RevokeApp(o),
            Op.AppleAnswer o => AppleAnswer(o),
            Op.RevokeUser o => RevokeOwner([UserKey(o.User, AppleIdKind.Personal), UserKey(o.User, AppleIdKind.Managed)]),
            Op.RevokeDevice o => RevokeOwner([DeviceKey(o.Device)]),
            Op.RevokeToken o => RevokeToken(o.Token),
            _ => throw new ArgumentException($"Not a command: {op}", nameof(op)),
        };
    }

    // ---- tokens ----------------------------------------------------------------------------------------------

    private Expect Upload(Op.UploadToken o)
    {
        var token = Tokens[o.Token];
        if (token.Uploaded)
        {
            return Expect.Rejected; // the id is taken (or deleted)
        }

        Tokens[o.Token] = token with { Uploaded = true, ExpiresAt = Now + Duration.FromDays(o.ValidDays) };
        return Expect.Applied;
    }

    private Expect Renew(Op.RenewToken o)
    {
        var token = Tokens[o.Token];
        var expires = Now + Duration.FromDays(o.ValidDays);
        if (!token.Uploaded || token.Deleted || expires < token.ExpiresAt)
        {
            return Expect.Rejected; // rule T8: renewal keeps or extends the expiry
        }

        Tokens[o.Token] = token with { ExpiresAt = expires };
        foreach (var (key, pool) in PoolsInKeyOrder().Where(p => p.Key.T == o.Token && !p.Pool.Orphaned))
        {
            Promote(key, pool); // rule T2, issue 10 item 3: the queue waited; renewal serves it
        }

        return Expect.Applied;
    }

    private Expect MarkExternal(int t)
    {
        if (!Tokens[t].Uploaded || Tokens[t].Deleted)
        {
            return Expect.Rejected;
        }

        Tokens[t] = Tokens[t] with { External = true }; // rule T3: no sync, no grant until control is taken
        return Expect.Applied;
    }

    private Expect TakeControl(int t)
    {
        if (!Tokens[t].Uploaded || Tokens[t].Deleted)
        {
            return Expect.Rejected;
        }

        if (!Tokens[t].External)
        {
            return Expect.Either;
        }

        Tokens[t] = Tokens[t] with { External = false };
        foreach (var (key, pool) in PoolsInKeyOrder().Where(p => p.Key.T == t && !p.Pool.Orphaned))
        {
            Promote(key, pool); // as on renewal (item 3): the queue waited; control taken serves it
        }

        return Expect.Applied;
    }

    private Expect Delete(int t)
    {
        var token = Tokens[t];
        if (!token.Uploaded)
        {
            return Expect.Rejected;
        }

        if (token.Deleted)
        {
            return Expect.Either;
        }

        Tokens[t] = token with { Deleted = true };
        foreach (var a in Assignments.Where(a => a.Key.T == t))
        {
            a.Value.Active = false; // rules T10, R7: the token's assignments end with it (item 2)
        }

        foreach (var (_, pool) in PoolsInKeyOrder().Where(p => p.Key.T == t))
        {
            if (Policy.DeletingTokenRevokes)
            {
                foreach (var key in pool.Queue.ToList().Concat(pool.Granted.ToList()))
                {
                    Release(pool, key); // revoke everything first; freed seats serve nobody
                }
            }

            pool.Orphaned = true; // rule T10: what is left is orphaned
        }

        return Expect.Applied;
    }

    private Expect Counts(Op.AppleCounts o)
    {
        var token = Tokens[o.Token];
        var key = (o.Token, o.App);
        if (!CanGrant(o.Token) || o.Retired > o.Purchased || Pools.GetValueOrDefault(key)?.Orphaned == true)
        {
            return Expect.Rejected; // rules T2, T10, S2
        }

        var pool = Pools.TryGetValue(key, out var found) ? found : Pools[key] = new MPool { Book = o.App == ModelUniverse.BookApp };
        pool.Total = o.Purchased - o.Retired;
        pool.AppleAssigned = o.AppleAssigned ?? pool.AppleAssigned;
        Promote(key, pool); // rule A6: bought licenses serve the queue
        return Expect.Applied;
    }

    // ---- directory ---------------------------------------------------------------------------------------------

    private Expect RecordUser(Op.RecordUser o)
    {
        var before = Users[o.User];
        Users[o.User] = before with { Recorded = true, Personal = o.Personal, Managed = o.Managed, Left = false };
        var dropped = new List<string>();
        if (before.Recorded && before.Personal && !o.Personal)
        {
            dropped.Add(UserKey(o.User, AppleIdKind.Personal));
        }

        if (before.Recorded && before.Managed && !o.Managed)
        {
            dropped.Add(UserKey(o.User, AppleIdKind.Managed));
        }

        // Item 8: an Apple ID the user no longer has holds nothing.
        ReleaseEverywhere(dropped, alsoUnwantedDevices: []);
        return o.Personal || o.Managed ? Expect.Applied : Expect.Either;
    }

    private Expect RecordDirectory(Op.RecordDirectory o)
    {
        foreach (var u in o.Users)
        {
            RecordUser(u);
        }

        foreach (var d in o.Devices)
        {
            RecordDevice(d);
        }

        return Expect.Applied;
    }

    private Expect UserLeft(int u)
    {
        var user = Users[u];
        if (!user.Recorded || user.Left)
        {
            return Expect.Either;
        }

        Users[u] = user with { Left = true };

        // Rule R4: every license of the user, and the device licenses its devices held only through the user (item 8).
        var devices = Enumerable.Range(0, ModelUniverse.Devices).Where(d => Devices[d].Recorded && Devices[d].Owner == u).Select(DeviceKey).ToList();
        ReleaseEverywhere([UserKey(u, AppleIdKind.Personal), UserKey(u, AppleIdKind.Managed)], devices);
        return Expect.Applied;
    }

    /// <summary>Releases these user keys in every live pool, and these device keys where no assignment wants them; then serves the queue.</summary>
    private void ReleaseEverywhere(IReadOnlyList<string> keys, IReadOnlyList<string> alsoUnwantedDevices)
    {
        foreach (var (key, pool) in PoolsInKeyOrder().Where(p => !p.Pool.Orphaned))
        {
            var wanted = Wanted(key);
            var changed = false;
            foreach (var k in keys)
            {
                changed |= Release(pool, k);
            }

            foreach (var k in alsoUnwantedDevices.Where(k => !wanted.Contains(k) && !IsRetiredDevice(k)))
            {
                changed |= Release(pool, k);
            }

            if (changed)
            {
                Promote(key, pool);
            }
        }
    }

    private Expect RecordDevice(Op.RecordDevice o)
    {
        var before = Devices[o.Device];
        Devices[o.Device] = new MDevice { Recorded = true, Owner = o.Owner, UserEnrollment = o.UserEnrollment, AppStoreBlocked = o.AppStoreBlocked };
        if (!before.Recorded && o.Owner is { } owner && Users[owner].Recorded && !Users[owner].Left && !o.UserEnrollment)
        {
            // Item 12: a new device of a user targeted through a user group with device licensing gets its license.
            foreach (var (key, pool) in PoolsInKeyOrder().Where(p => !p.Pool.Orphaned))
            {
                var targeted = Assignments.Any(a => (a.Key.T, a.Key.A) == key && a.Value is { Active: true, Wants: true, LicenseType: LicenseType.Device }
                    && KindOf(a.Key.G) == Directory.GroupKind.User && Groups[a.Key.G].Members.Contains(owner));
                if (targeted)
                {
                    Place(key, pool, [DeviceKey(o.Device)]);
                }
            }
        }

        return Expect.Applied;
    }

    private Expect Retire(int d)
    {
        if (!Devices[d].Recorded)
        {
            return Expect.Either;
        }

        Devices[d] = Devices[d] with { Retired = true }; // rule R5: nothing is reclaimed
        return Expect.Applied;
    }

    private Expect CreateGroup(int g)
    {
        if (Groups[g].Created)
        {
            return Expect.Either;
        }

        Groups[g].Created = true;
        return Expect.Applied;
    }

    private Expect AddMembers(Op.AddMembers o)
    {
        var group = Groups[o.Group];
        if (!group.Created)
        {
            return Expect.Rejected;
        }

        var added = o.Members.Distinct().Where(m => !group.Members.Contains(m)).ToList();
        group.Members.AddRange(added);
        foreach (var (key, a) in WantingAssignmentsOf(o.Group))
        {
            var pool = Pools[(key.T, key.A)];
            if (!pool.Orphaned)
            {
                Place((key.T, key.A), pool, HoldersOf(key.G, a.LicenseType, added)); // rule A6, in targeting order
            }
        }

        return Expect.Applied;
    }

    private Expect RemoveMembers(Op.RemoveMembers o)
    {
        var group = Groups[o.Group];
        if (!group.Created)
        {
            return Expect.Rejected;
        }

        var removed = o.Members.Distinct().Where(group.Members.Contains).ToList();
        var assignments = WantingAssignmentsOf(o.Group).ToList();
        group.Members.RemoveAll(removed.Contains);
        foreach (var (key, a) in assignments)
        {
            ReleaseUnwanted((key.T, key.A), RelatedKeys(key.G, a.LicenseType, removed), keepSeats: false); // rule R4
        }

        return Expect.Applied;
    }

    // ---- assignments -------------------------------------------------------------------------------------------

    private Expect CreateAssignment(Op.CreateAssignment o)
    {
        var key = (o.Token, o.App, o.Group);
        var refused = AssignmentRefusal(o.Token, o.App, o.Group, o.Intent, o.LicenseType);
        if (refused is not null)
        {
            return refused.Value;
        }

        if (Assignments.TryGetValue(key, out var existing) && existing.Active)
        {
            return existing.Intent == o.Intent && existing.LicenseType == o.LicenseType ? Expect.Either : Expect.Rejected;
        }

        var wants = o.Intent != AssignmentIntent.Uninstall; // under an expired or external token the holders wait in the queue (T2, T3)

        Assignments[key] = new MAssignment { Active = true, Intent = o.Intent, LicenseType = o.LicenseType };
        var poolKey = (o.Token, o.App);
        var pool = Pools[poolKey];
        var members = Groups[o.Group].Members;
        if (wants)
        {
            Place(poolKey, pool, HoldersOf(o.Group, o.LicenseType, members));
        }
        else
        {
            Uninstall(poolKey, pool, RelatedKeys(o.Group, o.LicenseType, members)); // rule A4, with its own license type (item 9)
        }

        return Expect.Applied;
    }

    private Expect? AssignmentRefusal(int t, int app, int g, AssignmentIntent intent, LicenseType type)
    {
        if (!Tokens[t].Uploaded || Tokens[t].Deleted)
        {
            return Expect.Rejected;
        }

        if (!Pools.ContainsKey((t, app)) || Pools[(t, app)].Orphaned)
        {
            return Expect.Rejected;
        }

        if (KindOf(g) == Directory.GroupKind.Device && intent == AssignmentIntent.Available)
        {
            return Expect.Rejected; // rule A2
        }

        if (app == ModelUniverse.BookApp && type == LicenseType.Device)
        {
            return Expect.Rejected; // rule L6
        }

        if (KindOf(g) == Directory.GroupKind.Device && type == LicenseType.User)
        {
            return Expect.Rejected; // item 6: rejected up front rather than accepted to grant nobody (L5, L7)
        }

        return null;
    }

    private Expect ChangeAssignment(Op.ChangeAssignment o)
    {
        var key = (o.Token, o.App, o.Group);
        if (!Assignments.TryGetValue(key, out var a) || !a.Active)
        {
            return Expect.Rejected;
        }

        if (AssignmentRefusal(o.Token, o.App, o.Group, o.Intent, o.LicenseType) is { } refused)
        {
            return refused;
        }

        if (a.LicenseType == LicenseType.Device && o.LicenseType == LicenseType.User)
        {
            return Expect.Rejected; // rule L8
        }

        if (a.Intent == o.Intent && a.LicenseType == o.LicenseType)
        {
            return Expect.Applied;
        }

        var before = a with { };
        var poolKey = (o.Token, o.App);
        var pool = Pools[poolKey];
        var members = Groups[o.Group].Members;
        var wantsNow = o.Intent != AssignmentIntent.Uninstall;

        a.Intent = o.Intent;
        a.LicenseType = o.LicenseType;
        if (wantsNow && !before.Wants)
        {
            Place(poolKey, pool, HoldersOf(o.Group, o.LicenseType, members));
        }
        else if (wantsNow && before.LicenseType == LicenseType.User && o.LicenseType == LicenseType.Device)
        {
            Migrate(poolKey, pool, o.Group, members);
        }
        else if (!wantsNow && before.Wants)
        {
            Uninstall(poolKey, pool, RelatedKeys(o.Group, o.LicenseType, members)); // rule A4
        }

        return Expect.Applied;
    }

    /// <summary>Rule L8, items 5 and 8: each member's user license passes to its devices; no user license or queue place is left behind.</summary>
    private void Migrate((int T, int A) key, MPool pool, int g, IReadOnlyList<int> members)
    {
        var wanted = Wanted(key);
        foreach (var m in members)
        {
            var users = KindOf(g) == Directory.GroupKind.User
                ? new[] { UserKey(m, AppleIdKind.Personal), UserKey(m, AppleIdKind.Managed) }.Where(k => pool.Has(k) && !wanted.Contains(k)).ToList()
                : [];
            var devices = HoldersOf(g, LicenseType.Device, [m]);
            var from = users.FirstOrDefault(pool.Granted.Contains);
            if (from is not null && devices.Count > 0 && CanGrant(key.T))
            {
                Release(pool, from);
                foreach (var d in devices)
                {
                    PlaceOne(key, pool, d);
                }

                Promote(key, pool);
            }
            else
            {
                Place(key, pool, devices);
            }

            var changed = false;
            foreach (var k in users)
            {
                changed |= Release(pool, k);
            }

            if (changed)
            {
                Promote(key, pool);
            }
        }
    }

    private Expect RemoveAssignment(Op.RemoveAssignment o)
    {
        if (!Assignments.TryGetValue((o.Token, o.App, o.Group), out var a) || !a.Active)
        {
            return Expect.Either;
        }

        a.Active = false;
        if (a.Wants)
        {
            // Rule R2 (article): reclaimed; CurrentApple: seats stay until Uninstall, queue places end (item 10).
            var related = RelatedKeys(o.Group, a.LicenseType, Groups[o.Group].Members);
            ReleaseUnwanted((o.Token, o.App), related, keepSeats: !Policy.RemovingAssignmentReclaims);
        }

        return Expect.Applied;
    }

    // ---- grants and revocations --------------------------------------------------------------------------------

    private Expect Grant(Op.Grant o)
    {
        var key = (o.Token, o.App);
        if (!CanGrant(o.Token) || !Pools.TryGetValue(key, out var pool) || pool.Orphaned)
        {
            return Expect.Rejected; // rules T2, T10
        }

        if (pool.Book && o.Holders.Any(h => h.Kind is null))
        {
            return Expect.Rejected; // rule L6
        }

        foreach (var (owner, kind) in o.Holders)
        {
            var valid = kind is { } k
                ? Users[owner] is { Recorded: true, Left: false } u && (k == AppleIdKind.Personal ? u.Personal : u.Managed) // rules R4, A1
                : Devices[owner] is { Recorded: true, UserEnrollment: false }; // rules L5, A1
            if (!valid)
            {
                return Expect.Rejected; // item 13
            }
        }

        var keys = o.Holders.Select(h => h.Kind is { } k ? UserKey(h.Owner, k) : DeviceKey(h.Owner)).Distinct().ToList();
        pool.Direct.UnionWith(keys.Where(k => !pool.Has(k)));
        Place(key, pool, keys);
        return Expect.Applied;
    }

    /// <summary>Issue 13: Apple confirms requested seats; a refused one is freed and serves the queue (A6). Seats in any other state are left alone.</summary>
    private Expect AppleAnswer(Op.AppleAnswer o)
    {
        static string KeyOf((int Owner, AppleIdKind? Kind) h) => h.Kind is { } k ? UserKey(h.Owner, k) : DeviceKey(h.Owner);
        var confirmed = o.Confirmed.Select(KeyOf).ToList();
        var failed = o.Failed.Select(KeyOf).ToList();
        if (confirmed.Intersect(failed).Any())
        {
            return Expect.Rejected; // Apple's answer contradicts itself
        }

        var key = (o.Token, o.App);
        if (!Pools.TryGetValue(key, out var pool))
        {
            return Expect.Applied; // nothing to confirm
        }

        foreach (var h in confirmed.Where(h => pool.Granted.Contains(h)))
        {
            pool.Confirmed.Add(h);
        }

        foreach (var h in failed.Distinct().Where(h => pool.Granted.Contains(h) && !pool.Confirmed.Contains(h)))
        {
            pool.Granted.Remove(h);
            pool.Direct.Remove(h);
            pool.PolicyKept.Remove(h);
            pool.Failed++;
        }

        Promote(key, pool);
        return Expect.Applied;
    }

    private Expect RevokeApp(Op.RevokeApp o)
    {
        if (!Pools.TryGetValue((o.Token, o.App), out var pool))
        {
            return Expect.Either;
        }

        if (pool.Orphaned)
        {
            return Expect.Rejected; // rule R7
        }

        foreach (var k in pool.Queue.ToList().Concat(pool.Granted.ToList()))
        {
            Release(pool, k); // rule R1: freed seats do not go to the queue
        }

        return Expect.Applied;
    }

    private Expect RevokeOwner(IReadOnlyList<string> keys)
    {
        foreach (var (key, pool) in PoolsInKeyOrder().Where(p => !p.Pool.Orphaned))
        {
            var changed = false;
            foreach (var k in keys)
            {
                changed |= Release(pool, k);
            }

            if (changed)
            {
                Promote(key, pool); // rule A6: what one holder frees serves the queue
            }
        }

        return Expect.Applied;
    }

    private Expect RevokeToken(int t)
    {
        var pools = PoolsInKeyOrder().Where(p => p.Key.T == t).ToList();
        if (pools.Any(p => p.Pool.Orphaned))
        {
            return Expect.Rejected; // rule R7
        }

        foreach (var (_, pool) in pools)
        {
            foreach (var k in pool.Queue.ToList().Concat(pool.Granted.ToList()))
            {
                Release(pool, k);
            }
        }

        return Expect.Applied;
    }

    // ---- the pool's own rules ----------------------------------------------------------------------------------

    /// <summary>The holders a live assignment that wants licenses still targets in the pool (R4 reclaims the rest).</summary>
    public HashSet<string> Wanted((int T, int A) pool)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, a) in Assignments.Where(a => (a.Key.T, a.Key.A) == pool && a.Value is { Active: true, Wants: true }))
        {
            wanted.UnionWith(HoldersOf(key.G, a.LicenseType, Groups[key.G].Members));
        }

        return wanted;
    }

    private IEnumerable<((int T, int A, int G) Key, MAssignment A)> WantingAssignmentsOf(int g) =>
        Assignments.Where(a => a.Key.G == g && a.Value is { Active: true, Wants: true })
            .OrderBy(a => PoolKey((a.Key.T, a.Key.A)), StringComparer.Ordinal)
            .Select(a => (a.Key, a.Value));

    /// <summary>The holders members yield today, in targeting order (rules L2-L5, R4, R5).</summary>
    public List<string> HoldersOf(int g, LicenseType type, IEnumerable<int> members)
    {
        var holders = new List<string>();
        foreach (var m in members)
        {
            if (KindOf(g) == Directory.GroupKind.User)
            {
                var user = Users[m];
                if (!user.Recorded || user.Left)
                {
                    continue;
                }

                if (type == LicenseType.User)
                {
                    if (user.Personal)
                    {
                        holders.Add(UserKey(m, AppleIdKind.Personal));
                    }

                    if (user.Managed)
                    {
                        holders.Add(UserKey(m, AppleIdKind.Managed));
                    }
                }
                else
                {
                    holders.AddRange(Enumerable.Range(0, ModelUniverse.Devices)
                        .Where(d => Devices[d] is { Recorded: true, Retired: false, UserEnrollment: false } device && device.Owner == m)
                        .Select(DeviceKey));
                }
            }
            else if (Devices[m] is { Recorded: true, Retired: false, UserEnrollment: false } && type == LicenseType.Device)
            {
                holders.Add(DeviceKey(m));
            }
        }

        return [.. holders.Distinct()];
    }

    /// <summary>The keys a member may hold through an assignment of this license type, read from what it holds, not from today's facts (item 8).</summary>
    private List<string> RelatedKeys(int g, LicenseType type, IEnumerable<int> members)
    {
        var keys = new List<string>();
        foreach (var m in members)
        {
            if (KindOf(g) == Directory.GroupKind.Device)
            {
                keys.Add(DeviceKey(m));
            }
            else if (type == LicenseType.User)
            {
                keys.Add(UserKey(m, AppleIdKind.Personal));
                keys.Add(UserKey(m, AppleIdKind.Managed));
            }
            else
            {
                keys.AddRange(Enumerable.Range(0, ModelUniverse.Devices).Where(d => Devices[d].Recorded && Devices[d].Owner == m).Select(DeviceKey));
            }
        }

        return keys;
    }

    private bool IsRetiredDevice(string key) => key.StartsWith("d.d", StringComparison.Ordinal) && Devices[int.Parse(key[3..], System.Globalization.CultureInfo.InvariantCulture)].Retired;

    /// <summary>Rule R4: related holders no assignment wants any more lose their seat and queue place; R5 keeps a retired device's.</summary>
    private void ReleaseUnwanted((int T, int A) key, IReadOnlyList<string> related, bool keepSeats)
    {
        var pool = Pools[key];
        if (pool.Orphaned)
        {
            return; // rule R7
        }

        var wanted = Wanted(key);
        var changed = false;
        foreach (var k in related.Where(k => !wanted.Contains(k) && !IsRetiredDevice(k)))
        {
            if (keepSeats && pool.Granted.Contains(k))
            {
                pool.PolicyKept.Add(k);
                continue;
            }

            changed |= Release(pool, k);
        }

        if (changed)
        {
            Promote(key, pool);
        }
    }

    private void Uninstall((int T, int A) key, MPool pool, IReadOnlyList<string> related)
    {
        var changed = false;
        foreach (var k in related.Where(k => !IsRetiredDevice(k)))
        {
            changed |= Release(pool, k);
        }

        if (changed)
        {
            Promote(key, pool);
        }
    }

    /// <summary>Takes the holder's seat or queue place; a book's seat is never taken back (L6, item 11).</summary>
    private static bool Release(MPool pool, string key)
    {
        if (pool.Queue.Remove(key))
        {
            pool.Direct.Remove(key);
            return true;
        }

        if (pool.Granted.Contains(key) && !pool.Book)
        {
            pool.Granted.Remove(key);
            if (pool.Confirmed.Remove(key))
            {
                pool.ReleasePending++; // issue 13: Apple held it; its disassociation is pending
            }

            pool.Direct.Remove(key);
            pool.PolicyKept.Remove(key);
            return true;
        }

        return false;
    }

    /// <summary>Rule A6: those waiting first, then each new holder: a free seat, else the end of the queue. T2: an expired token only queues.</summary>
    private void Place((int T, int A) key, MPool pool, IReadOnlyList<string> holders)
    {
        Promote(key, pool);
        foreach (var h in holders.Distinct())
        {
            PlaceOne(key, pool, h);
        }
    }

    private void PlaceOne((int T, int A) key, MPool pool, string holder)
    {
        if (pool.Has(holder))
        {
            return;
        }

        if (CanGrant(key.T) && pool.Available > 0)
        {
            pool.Granted.Add(holder);
            pool.Confirmed.Remove(holder);
        }
        else
        {
            pool.Queue.Add(holder);
        }
    }

    private void Promote((int T, int A) key, MPool pool)
    {
        while (CanGrant(key.T) && !pool.Orphaned && pool.Available > 0 && pool.Queue.Count > 0)
        {
            var head = pool.Queue[0];
            pool.Queue.RemoveAt(0);
            pool.Granted.Add(head);
            pool.Confirmed.Remove(head);
        }
    }

    /// <summary>Rule T10 (and R5, L6, T10, the CurrentApple policy, direct grants): why each seat may exist. Returns the first seat without a reason.</summary>
    public string? SeatWithoutReason()
    {
        foreach (var (key, pool) in Pools.Where(p => !p.Value.Orphaned))
        {
            var wanted = Wanted(key);
            foreach (var seat in pool.Granted)
            {
                var kept = wanted.Contains(seat) || pool.Book || IsRetiredDevice(seat) || pool.Direct.Contains(seat) || pool.PolicyKept.Contains(seat);
                if (!kept)
                {
                    return $"{PoolKey(key)} {seat}";
                }
            }
        }

        return null;
    }
}

public sealed record MToken
{
    public bool Uploaded { get; init; }

    public bool Deleted { get; init; }

    public bool External { get; init; }

    public Instant ExpiresAt { get; init; }
}

public sealed record MUser
{
    public bool Recorded { get; init; }

    public bool Personal { get; init; }

    public bool Managed { get; init; }

    public bool Left { get; init; }
}

public sealed record MDevice
{
    public bool Recorded { get; init; }

    public int? Owner { get; init; }

    public bool UserEnrollment { get; init; }

    public bool AppStoreBlocked { get; init; }

    public bool Retired { get; init; }
}

public sealed class MGroup
{
    public bool Created { get; set; }

    public List<int> Members { get; init; } = [];
}

public sealed record MAssignment
{
    public bool Active { get; set; }

    public AssignmentIntent Intent { get; set; }

    public LicenseType LicenseType { get; set; }

    public bool Wants => Intent != AssignmentIntent.Uninstall;
}

public sealed class MPool
{
    public bool Book { get; init; }

    public int Total { get; set; }

    public int? AppleAssigned { get; set; }

    public bool Orphaned { get; set; }

    public SortedSet<string> Granted { get; init; } = new(StringComparer.Ordinal);

    public List<string> Queue { get; init; } = [];

    /// <summary>Seats given by a direct grant: kept until revoked or reclaimed for a reason of the holder's own.</summary>
    public HashSet<string> Direct { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Seats a removed assignment left in place under CurrentApple (removal reclaims nothing until Uninstall).</summary>
    public HashSet<string> PolicyKept { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Issue 13: granted seats Apple confirmed (the others are requested).</summary>
    public HashSet<string> Confirmed { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Issue 13: associations Apple refused.</summary>
    public int Failed { get; set; }

    /// <summary>Issue 13: released seats Apple had confirmed, waiting for Apple's disassociation.</summary>
    public int ReleasePending { get; set; }

    public int Used => Granted.Count;

    public int Available => Math.Max(0, Total - Used);

    public int UserCount => Granted.Count(k => k.StartsWith("u.", StringComparison.Ordinal));

    public int DeviceCount => Granted.Count(k => k.StartsWith("d.", StringComparison.Ordinal));

    public bool Has(string key) => Granted.Contains(key) || Queue.Contains(key);

    public MPool Clone() => new()
    {
        Book = Book,
        Total = Total,
        AppleAssigned = AppleAssigned,
        Orphaned = Orphaned,
        Granted = new(Granted, StringComparer.Ordinal),
        Queue = [.. Queue],
        Direct = new(Direct, StringComparer.Ordinal),
        PolicyKept = new(PolicyKept, StringComparer.Ordinal),
        Confirmed = new(Confirmed, StringComparer.Ordinal),
        Failed = Failed,
        ReleasePending = ReleasePending,
    };
}
