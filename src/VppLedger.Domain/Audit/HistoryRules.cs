using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Audit;

/// <summary>One event of an import file, with its 1-based line number and the stream it is appended to.</summary>
/// <param name="Line">The line number in the file.</param>
/// <param name="Stream">The stream id, for example <c>token:tok-1</c> or <c>pool:tok-1:361309726</c>.</param>
/// <param name="Event">The event.</param>
internal sealed record HistoryLine(int Line, string Stream, ILedgerEvent Event);

/// <summary>
/// What <see cref="HistoryRules"/> needs of a tenant before the file: gathered by the storage layer, folded with the
/// deciders' own <c>Evolve</c> functions. Anything absent is taken as "no event yet".
/// </summary>
internal sealed record HistoryFacts
{
    /// <summary>No token, pool, seat or claim: an empty tenant in an empty database.</summary>
    public static HistoryFacts Empty { get; } = new();

    /// <summary>Every token of the tenant, deleted ones included (rules T1, T4, T10).</summary>
    public IReadOnlyDictionary<TokenId, TokenState> Tokens { get; init; } = new Dictionary<TokenId, TokenState>();

    /// <summary>The counters of each pool the file names that already has events.</summary>
    public IReadOnlyDictionary<PoolId, PoolState> Pools { get; init; } = new Dictionary<PoolId, PoolState>();

    /// <summary>The current seat of each holder the file names, per pool, by <see cref="Holder.Key"/>; absent means none.</summary>
    public IReadOnlyDictionary<(PoolId Pool, string HolderKey), SeatStatus> Seats { get; init; } = new Dictionary<(PoolId, string), SeatStatus>();

    /// <summary>
    /// The head of each pool's queue before the file, oldest first: at least as many entries as the file promotes from
    /// or takes out of that pool's queue, so the checker knows who is first in line at every promotion (rule A6).
    /// </summary>
    public IReadOnlyDictionary<PoolId, IReadOnlyList<QueuedHolder>> QueueHeads { get; init; } = new Dictionary<PoolId, IReadOnlyList<QueuedHolder>>();

    /// <summary>The directory record of each user the file grants or queues (rules A1, R4); absent means never recorded.</summary>
    public IReadOnlyDictionary<UserId, UserState> Users { get; init; } = new Dictionary<UserId, UserState>();

    /// <summary>The directory record of each device the file grants or queues (rules A1, L5); absent means never recorded.</summary>
    public IReadOnlyDictionary<DeviceId, DeviceState> Devices { get; init; } = new Dictionary<DeviceId, DeviceState>();

    /// <summary>Locations, among those the file names, that another tenant claims (rule T4, the one cross-tenant fact, X2).</summary>
    public IReadOnlySet<LocationKey> LocationsClaimedElsewhere { get; init; } = new HashSet<LocationKey>();
}

/// <summary>Why an import was refused: the first line that breaks a rule (0 when the whole import is refused) and the rejection.</summary>
/// <param name="Line">The 1-based line number, or 0 when no line is at fault (a permission).</param>
/// <param name="Rejection">The stable code, the rule id, and what was wrong.</param>
public sealed record ImportRejection(int Line, Rejection Rejection)
{
    /// <summary>One sentence for a person: the line, the rule, what was wrong, and that nothing was imported.</summary>
    public string Message => Line == 0
        ? $"Nothing was imported: {Rejection.Message}"
        : $"Nothing was imported: line {Line} breaks rule {Rejection.Rule} ({Rejection.Code}). {Rejection.Message} Fix or remove that line (and the lines that depend on it), then import the file again.";
}

/// <summary>A location claim to write after an import (rule T4): claimed by a token of the tenant, or released.</summary>
/// <param name="Location">The location.</param>
/// <param name="Token">The live token that holds it; for a release, the last token that held it.</param>
/// <param name="Claimed">True to store the claim, false to release it.</param>
public sealed record LocationClaimChange(LocationKey Location, TokenId Token, bool Claimed);

/// <summary>What <see cref="HistoryRules.Check"/> found: the refusal, or the claims and token counts to write with the events.</summary>
/// <param name="Rejection">The first line that breaks a rule, or null when every line passes.</param>
/// <param name="Claims">The location claims the accepted file changes; empty when refused.</param>
internal sealed record HistoryVerdict(ImportRejection? Rejection, IReadOnlyList<LocationClaimChange> Claims)
{
    /// <summary>
    /// One <see cref="TenantTokensChanged"/> per accepted upload, migration or deletion of a token, with the line that
    /// caused it and the tenant's live token count after it (rule T1), as a live command appends it to <c>tenant:tokens</c>.
    /// </summary>
    public IReadOnlyList<(int Line, TenantTokensChanged Event)> TokenCounts { get; init; } = [];

    /// <summary>True when every line passes.</summary>
    public bool Accepted => Rejection is null;
}

/// <summary>
/// The rules of live history applied to imported history: folds the tenant's current state and each imported event
/// in order, and refuses the first event that no live command could have produced. Pure: no storage, no clock; time
/// is each event's own <see cref="ILedgerEvent.OccurredAt"/> (business time).
/// <para>
/// What it keeps true, whatever the file: a pool's used count equals the seats held (S1); no grant makes used exceed
/// total, so used exceeds total only after Apple lowered it (S4); nobody holds and waits in one pool, nor holds twice
/// (A6); queue positions follow one another (A6); no seat is granted under a token that is missing, expired, deleted
/// or bound to another MDM (T2, T3, T10); no seat goes to a holder the directory never recorded, a user who left, or a
/// device license to a User Enrollment device (A1, R4, L5); no token takes a location another tenant claims (T4), and a tenant holds at
/// most <see cref="TokenDecider.MaxTokensPerTenant"/> tokens (T1).
/// </para>
/// </summary>
internal static class HistoryRules
{
    /// <summary>Checks the lines in order against <paramref name="facts"/>; stops at the first that breaks a rule.</summary>
    /// <param name="facts">The tenant before the file.</param>
    /// <param name="lines">The lines not yet imported, in file order.</param>
    /// <returns>The refusal naming the line, or the location claims to write with the events.</returns>
    public static HistoryVerdict Check(HistoryFacts facts, IEnumerable<HistoryLine> lines)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(lines);
        var fold = new Fold(facts);
        foreach (var line in lines)
        {
            if (fold.Apply(line) is { } rejection)
            {
                return new HistoryVerdict(new ImportRejection(line.Line, rejection), []);
            }
        }

        return new HistoryVerdict(null, fold.ClaimChanges()) { TokenCounts = fold.TokenCounts };
    }

    /// <summary>The tenant as the file has moved it so far.</summary>
    private sealed class Fold(HistoryFacts facts)
    {
        private readonly Dictionary<TokenId, TokenState> tokens = new(facts.Tokens);
        private readonly Dictionary<PoolId, PoolState> pools = new(facts.Pools);
        private readonly Dictionary<(PoolId, string), SeatStatus> seats = new(facts.Seats);
        private readonly HashSet<LocationKey> touched = [];
        private readonly Dictionary<PoolId, Queue> queues = [];
        private readonly List<(int Line, TenantTokensChanged Event)> tokenCounts = [];
        private readonly Dictionary<UserId, UserState> users = new(facts.Users);
        private readonly Dictionary<DeviceId, DeviceState> devices = new(facts.Devices);
        private int liveTokenCount = facts.Tokens.Values.Count(t => t.Uploaded && !t.Deleted);

        public Rejection? Apply(HistoryLine line)
        {
            ArgumentNullException.ThrowIfNull(line);
            return line.Event switch
            {
                ITokenEvent e => ApplyToken(line.Line, TokenOf(line.Stream, e), e),
                IPoolEvent e => ApplyPool(e),
                IAssignmentEvent e => ApplyAssignment(e),
                IUserEvent e => ApplyUser(line.Stream, e),
                IDeviceEvent e => ApplyDevice(line.Stream, e),
                AppleSide.IAppleSideEvent e => HistoryRejections.AppleSideNotImportable(e.Token), // Apple's answers are recorded live, from Apple
                _ => null, // groups: the host's own records, which no rule of a seat reads here
            };
        }

        public IReadOnlyList<(int Line, TenantTokensChanged Event)> TokenCounts => tokenCounts;

        public IReadOnlyList<LocationClaimChange> ClaimChanges()
        {
            var changes = new List<LocationClaimChange>();
            foreach (var location in touched.OrderBy(l => l.Value, StringComparer.Ordinal))
            {
                var before = LiveHolders(facts.Tokens, location).FirstOrDefault();
                var after = LiveHolders(tokens, location).FirstOrDefault();
                if (before is null && after is not null)
                {
                    changes.Add(new LocationClaimChange(location, after.Value, true));
                }
                else if (before is not null && after is null)
                {
                    changes.Add(new LocationClaimChange(location, before.Value, false));
                }
            }

            return changes;
        }

        private static TokenId TokenOf(string stream, ITokenEvent e) =>
            e is TokenUploaded u ? u.Token : new TokenId(stream["token:".Length..]);

        private static IEnumerable<TokenId?> LiveHolders(IReadOnlyDictionary<TokenId, TokenState> all, LocationKey location) =>
            all.Where(t => t.Value.Uploaded && !t.Value.Deleted && t.Value.Location == location)
                .Select(t => (TokenId?)t.Key)
                .OrderBy(t => t!.Value.Value, StringComparer.Ordinal);

        private TokenState StateOf(TokenId token) => tokens.TryGetValue(token, out var state) ? state : TokenState.Initial;

        private Rejection? ApplyToken(int line, TokenId token, ITokenEvent e)
        {
            var state = StateOf(token);
            var refused = e switch
            {
                TokenUploaded u => CheckUpload(state, u),
                TokenRenewed r => CheckLive(token, state) ?? CheckRenewal(token, state, r),
                TokenMigratedFromLegacyVpp m => CheckLive(token, state) ?? CheckMigration(token, state, m),
                TokenDeleted => CheckLive(token, state),
                _ => CheckLive(token, state),
            };
            if (refused is not null)
            {
                return refused;
            }

            var after = TokenDecider.Evolve(state, e);
            tokens[token] = after;
            if (after.Uploaded && !after.Deleted && !(state.Uploaded && !state.Deleted))
            {
                liveTokenCount++;
            }
            else if (after.Deleted && !state.Deleted)
            {
                liveTokenCount--;
            }

            if (e is TokenUploaded or TokenMigratedFromLegacyVpp or TokenDeleted)
            {
                tokenCounts.Add((line, new TenantTokensChanged(e.OccurredAt, token, liveTokenCount)));
            }

            if (after.Location.Value is not null)
            {
                touched.Add(after.Location);
            }

            if (state.Location.Value is not null)
            {
                touched.Add(state.Location);
            }

            return null;
        }

        private static Rejection? CheckLive(TokenId token, TokenState state)
        {
            if (!state.Uploaded)
            {
                return HistoryRejections.TokenEventBeforeUpload(token);
            }

            return state.Deleted ? TokenRejections.TokenDeleted(token) : null; // rule T10
        }

        private Rejection? CheckUpload(TokenState state, TokenUploaded u)
        {
            if (state.Deleted)
            {
                return TokenRejections.TokenDeleted(u.Token); // rule T10
            }

            if (state.Uploaded)
            {
                return TokenRejections.TokenAlreadyUploaded(u.Token); // rule T8: a new file renews
            }

            if (u.File is null || u.File.ExpiresAt <= u.OccurredAt)
            {
                return TokenRejections.TokenFileExpired(u.File?.ExpiresAt ?? NodaTime.Instant.MinValue); // rule T2
            }

            if (liveTokenCount >= TokenDecider.MaxTokensPerTenant)
            {
                return TokenRejections.TooManyTokens(liveTokenCount); // rule T1
            }

            return CheckLocation(u.Token, u.Location, u.DuplicateOf);
        }

        private Rejection? CheckLocation(TokenId token, LocationKey location, TokenId? duplicateOf)
        {
            if (facts.LocationsClaimedElsewhere.Contains(location))
            {
                return TokenRejections.DuplicateLocationInAnotherTenant(); // rule T4
            }

            var others = LiveHolders(tokens, location).Where(t => t != token).ToList();
            var consistent = others.Count == 0 ? duplicateOf is null : duplicateOf is { } d && others.Contains(d);
            return consistent ? null : HistoryRejections.DuplicateMarkNotConsistent(token, others.FirstOrDefault()); // rule T4
        }

        private static Rejection? CheckRenewal(TokenId token, TokenState state, TokenRenewed r)
        {
            if (r.File is null || r.File.ExpiresAt <= r.OccurredAt)
            {
                return TokenRejections.TokenFileExpired(r.File?.ExpiresAt ?? NodaTime.Instant.MinValue); // rule T2
            }

            return r.File.ExpiresAt < state.ExpiresAt
                ? TokenRejections.RenewalOlderThanCurrent(state.ExpiresAt, r.File.ExpiresAt) // rule T8
                : null;
        }

        private Rejection? CheckMigration(TokenId token, TokenState state, TokenMigratedFromLegacyVpp m)
        {
            if (state.Programme != TokenProgramme.LegacyVpp)
            {
                return TokenRejections.NotALegacyToken(token); // rule T9
            }

            if (m.File is null || m.File.ExpiresAt <= m.OccurredAt)
            {
                return TokenRejections.TokenFileExpired(m.File?.ExpiresAt ?? NodaTime.Instant.MinValue); // rule T2
            }

            return CheckLocation(token, m.Location, m.DuplicateOf);
        }

        // Directory facts are the host's own records: folded so later seats are judged by them, never refused.
        private Rejection? ApplyUser(string stream, IUserEvent e)
        {
            var user = e is UserRecorded r ? r.User : new UserId(stream["user:".Length..]);
            users[user] = UserDecider.Evolve(users.TryGetValue(user, out var state) ? state : UserState.Initial, e);
            return null;
        }

        private Rejection? ApplyDevice(string stream, IDeviceEvent e)
        {
            var device = e is DeviceRecorded r ? r.Device : new DeviceId(stream["device:".Length..]);
            devices[device] = DeviceDecider.Evolve(devices.TryGetValue(device, out var state) ? state : DeviceState.Initial, e);
            return null;
        }

        /// <summary>Rules A1, R4, L5: a seat goes only to a holder the directory knows, still in the organization, on a device that takes it.</summary>
        private Rejection? CheckHolder(Holder holder)
        {
            if (holder.Device is { } device)
            {
                if (!devices.TryGetValue(device, out var d) || !d.Recorded)
                {
                    return HistoryRejections.HolderNotRecorded(holder); // rule A1
                }

                return d.Profile?.Enrollment == EnrollmentKind.UserEnrollment ? LicensingRejections.DeviceLicensingNotOnUserEnrollment(device) : null; // rule L5
            }

            var user = holder.User!.Value;
            if (!users.TryGetValue(user, out var u) || !u.Recorded)
            {
                return HistoryRejections.HolderNotRecorded(holder); // rule A1
            }

            if (u.LeftOrganization)
            {
                return HistoryRejections.HolderLeftOrganization(holder); // rule R4
            }

            return u.Holders().Contains(holder) ? null : HistoryRejections.HolderNotRecorded(holder); // rule A1: no Apple ID of that kind
        }

        private Rejection? ApplyAssignment(IAssignmentEvent e)
        {
            var token = StateOf(e.Pool.Token);
            if (!token.Uploaded)
            {
                return HistoryRejections.TokenNotInTenant(e.Pool.Token); // rule X2
            }

            return e is AssignmentCreated && token.Deleted ? TokenRejections.TokenDeleted(e.Pool.Token) : null; // rule T10
        }

        private Rejection? ApplyPool(IPoolEvent e)
        {
            var pool = e.Pool;
            var token = StateOf(pool.Token);
            if (!token.Uploaded)
            {
                return HistoryRejections.TokenNotInTenant(pool.Token); // rule X2
            }

            var state = pools.TryGetValue(pool, out var known) ? known : PoolState.Initial(pool);
            var refused = e switch
            {
                AppleCountsApplied c => CheckCounts(state, token, c),
                AssignedCountDriftRecorded d => d.AppleAssignedCount < 0 || d.LedgerUsedCount != state.UsedCount
                    ? HistoryRejections.DriftNotConsistent(pool, d.LedgerUsedCount, state.UsedCount, d.AppleAssignedCount) // rule S2
                    : null,
                LicenseGranted g => CheckGrant(state, token, g),
                HolderQueued q => CheckQueued(state, q),
                HolderLeftQueue l => SeatOf(pool, l.Holder) == SeatStatus.Queued ? null : HistoryRejections.HolderNotQueued(pool, l.Holder), // rule A6
                LicenseReclaimed r => CheckReclaim(state, r),
                PoolOrphaned => token.Deleted ? null : HistoryRejections.OrphanedWithoutDeletion(pool), // rule T10
                AppleAssociationConfirmed or AppleAssociationFailed or AppleDisassociationRequested or AppleDisassociationConfirmed or AppleDisassociationFailed
                    or AppleAssociationRequestedAgain or AppleReleaseRequested or AppleAssetFactsRecorded
                    => HistoryRejections.AppleAnswerNotImportable(pool), // rule S2: Apple's answers are recorded live, from Apple
                _ => null,
            };
            if (refused is not null)
            {
                return refused;
            }

            pools[pool] = PoolDecider.Evolve(state, e);
            switch (e)
            {
                case LicenseGranted g:
                    seats[(pool, g.Holder.Key)] = SeatStatus.Granted;
                    QueueOf(pool).Remove(g.Holder.Key);
                    break;
                case HolderQueued q:
                    seats[(pool, q.Holder.Key)] = SeatStatus.Queued;
                    QueueOf(pool).Add(q.Holder.Key, q.Position);
                    break;
                case LicenseReclaimed r:
                    seats[(pool, r.Holder.Key)] = SeatStatus.None;
                    break;
                case HolderLeftQueue l:
                    seats[(pool, l.Holder.Key)] = SeatStatus.None;
                    QueueOf(pool).Remove(l.Holder.Key);
                    break;
            }

            return null;
        }

        private Queue QueueOf(PoolId pool)
        {
            if (!queues.TryGetValue(pool, out var queue))
            {
                queue = new Queue(facts.QueueHeads.TryGetValue(pool, out var head) ? head : []);
                queues[pool] = queue;
            }

            return queue;
        }

        private SeatStatus SeatOf(PoolId pool, Holder holder) =>
            seats.TryGetValue((pool, holder.Key), out var status) ? status : SeatStatus.None;

        private static Rejection? CheckCounts(PoolState state, TokenState token, AppleCountsApplied c)
        {
            if (state.Orphaned || token.Deleted)
            {
                return PoolRejections.PoolOrphanedTokenDeleted(c.Pool); // rule T10
            }

            if (TokenRules.CheckCanSyncOrGrant(token, c.OccurredAt) is { } blocked)
            {
                return blocked; // rules T2, T3: an expired or external token does not sync
            }

            return c.PurchasedCount < 0 || c.RetiredCount < 0 || c.RetiredCount > c.PurchasedCount || c.AppleAssignedCount < 0
                ? PoolRejections.InvalidAppleCounts(c.Pool, c.PurchasedCount, c.RetiredCount, c.AppleAssignedCount) // rule S2
                : null;
        }

        private Rejection? CheckGrant(PoolState state, TokenState token, LicenseGranted g)
        {
            if (state.Orphaned || token.Deleted)
            {
                return PoolRejections.PoolOrphanedTokenDeleted(g.Pool); // rule T10
            }

            if (TokenRules.CheckCanSyncOrGrant(token, g.OccurredAt) is { } blocked)
            {
                return blocked; // rules T2, T3: no seat under an expired or external token
            }

            if (!state.Synced)
            {
                return PoolRejections.PoolNotSynced(g.Pool); // rule S2
            }

            if (state.Product == ProductKind.Book && g.Holder.Type == LicenseType.Device)
            {
                return LicensingRejections.BooksTakeUserLicensesOnly(g.Pool.AdamId); // rule L6
            }

            if (CheckHolder(g.Holder) is { } holderRefused)
            {
                return holderRefused;
            }

            var seat = SeatOf(g.Pool, g.Holder);
            if (g.Reason == GrantReason.PromotedFromQueue ? seat != SeatStatus.Queued : seat != SeatStatus.None)
            {
                return g.Reason == GrantReason.PromotedFromQueue
                    ? HistoryRejections.HolderNotQueued(g.Pool, g.Holder) // rule A6
                    : HistoryRejections.HolderAlreadySeated(g.Pool, g.Holder, seat); // rule A6
            }

            if (g.Reason == GrantReason.PromotedFromQueue && QueueOf(g.Pool).Head is { } head && head != g.Holder.Key)
            {
                return HistoryRejections.PromotionOutOfOrder(g.Pool, g.Holder, head); // rule A6: first in, first out
            }

            return state.UsedCount >= state.TotalCount
                ? HistoryRejections.GrantOverTotal(g.Pool, state.UsedCount, state.TotalCount) // rule S4
                : null;
        }

        private Rejection? CheckQueued(PoolState state, HolderQueued q)
        {
            if (state.Orphaned)
            {
                return PoolRejections.PoolOrphanedTokenDeleted(q.Pool); // rule T10
            }

            if (!state.Synced)
            {
                return PoolRejections.PoolNotSynced(q.Pool); // rule S2
            }

            if (state.Product == ProductKind.Book && q.Holder.Type == LicenseType.Device)
            {
                return LicensingRejections.BooksTakeUserLicensesOnly(q.Pool.AdamId); // rule L6
            }

            if (CheckHolder(q.Holder) is { } holderRefused)
            {
                return holderRefused;
            }

            var seat = SeatOf(q.Pool, q.Holder);
            if (seat != SeatStatus.None)
            {
                return HistoryRejections.HolderAlreadySeated(q.Pool, q.Holder, seat); // rule A6
            }

            var next = state.LastQueuePosition + 1; // never long.MaxValue: each position is checked to be the next
            if (q.Position != next)
            {
                return HistoryRejections.QueuePositionNotNext(q.Pool, q.Position, next); // rule A6
            }

            return state.AvailableCount > 0 ? HistoryRejections.QueuedWhileLicenseFree(q.Pool, state.AvailableCount) : null; // rule A6
        }

        private Rejection? CheckReclaim(PoolState state, LicenseReclaimed r)
        {
            if (state.Orphaned)
            {
                return PoolRejections.LicensesOrphanedTokenDeleted(r.Pool); // rule R7
            }

            return SeatOf(r.Pool, r.Holder) == SeatStatus.Granted ? null : HistoryRejections.SeatNotHeld(r.Pool, r.Holder); // rule S1
        }
    }

    /// <summary>The known part of one pool's queue: its head before the file, and everyone the file queued since, by position.</summary>
    private sealed class Queue
    {
        private readonly SortedDictionary<long, string> byPosition = [];
        private readonly Dictionary<string, long> positionOf = new(StringComparer.Ordinal);

        public Queue(IReadOnlyList<QueuedHolder> head)
        {
            foreach (var entry in head)
            {
                Add(entry.Holder.Key, entry.Position);
            }
        }

        /// <summary>The holder key first in line, or null when no entry is known.</summary>
        public string? Head => byPosition.Count == 0 ? null : byPosition.First().Value;

        public void Add(string holderKey, long position)
        {
            byPosition[position] = holderKey;
            positionOf[holderKey] = position;
        }

        public void Remove(string holderKey)
        {
            if (positionOf.Remove(holderKey, out var position))
            {
                byPosition.Remove(position);
            }
        }
    }
}
