using NodaTime;

namespace VppLedger.Pools;

/// <summary>What one Apple request asks (docs/apple.md, "The outbox").</summary>
public enum AppleRequestKind
{
    /// <summary><c>POST /assets/associate</c>: give the holder a seat of the pool's asset.</summary>
    Associate = 0,

    /// <summary><c>POST /assets/disassociate</c>: take the holder's seat of the pool's asset back.</summary>
    Disassociate = 1,

    /// <summary><c>POST /assets/revoke</c>: take back every seat of the holder (not decided by the ledger today: it frees seats one asset at a time).</summary>
    Revoke = 2,
}

/// <summary>Where an Apple request stands in the outbox.</summary>
public enum AppleRequestStatus
{
    /// <summary>Decided by the ledger, not yet answered by Apple: a drain takes it.</summary>
    Pending = 0,

    /// <summary>Apple accepted the call and answered an event id; the event's result comes later.</summary>
    Sent = 1,

    /// <summary>Apple refused the call synchronously: no asynchronous work follows; the seats were answered as failed.</summary>
    Refused = 2,

    /// <summary>Apple's result of the event the request was sent under is recorded (a status other than pending): nothing more to poll.</summary>
    Answered = 3,
}

/// <summary>
/// Apple's published limits of one call (<c>GET /service/config</c>, <c>limits</c>). Apple says they change: a host
/// reads them every few minutes and passes the latest with each <see cref="IAppleOutbox.TakeBatchAsync"/>.
/// </summary>
/// <param name="MaxAssetsPerCall">Assets (adamId and pricing) in one associate or disassociate call (25 published).</param>
/// <param name="MaxHoldersPerCall">Serial numbers or clientUserIds in one call (1,000 published).</param>
/// <param name="MaxRevokeHoldersPerCall">Serial numbers or clientUserIds in one revoke call (100 published).</param>
public sealed record AppleServiceLimits(int MaxAssetsPerCall, int MaxHoldersPerCall, int MaxRevokeHoldersPerCall)
{
    /// <summary>The values Apple publishes today: 25 assets, 1,000 holders, 100 for revoke.</summary>
    public static AppleServiceLimits Published { get; } = new(25, 1000, 100);
}

/// <summary>One seat change the ledger decided, as Apple must be told it.</summary>
/// <param name="RequestId">Stable id of the request (pool stream and event version): the idempotency key of the seat change.</param>
/// <param name="Pool">The pool (token and app); Apple's asset is its adamId.</param>
/// <param name="Kind">Associate or disassociate.</param>
/// <param name="Holder">The holder: a user holder is Apple's <c>clientUserId</c> (its <see cref="Holder.Key"/>), a device holder Apple's <c>serialNumber</c>.</param>
/// <param name="SerialNumber">The device's serial number as the host recorded it; null for a user or a device without one.</param>
/// <param name="DecidedAt">When the ledger decided the seat change.</param>
public sealed record AppleRequest(string RequestId, PoolId Pool, AppleRequestKind Kind, Holder Holder, SerialNumber? SerialNumber, Instant DecidedAt);

/// <summary>Requests of one token and one kind that fit one Apple call, oldest first (per pool, in decision order).</summary>
/// <param name="Token">The token whose sToken signs the call.</param>
/// <param name="Kind">The call to make.</param>
/// <param name="Requests">The requests, at most the limits passed to <see cref="IAppleOutbox.TakeBatchAsync"/>.</param>
public sealed record AppleRequestBatch(TokenId Token, AppleRequestKind Kind, IReadOnlyList<AppleRequest> Requests)
{
    /// <summary>The distinct assets (adamIds) of the batch, in first-seen order.</summary>
    public IReadOnlyList<AdamId> Assets => [.. Requests.Select(r => r.Pool.AdamId).Distinct()];
}

/// <summary>Apple's synchronous answer to one call: an event id, or an error (then no asynchronous work follows).</summary>
/// <param name="AppleEventId">The event id Apple answered; null when it refused the call.</param>
/// <param name="ErrorNumber">Apple's error number when it refused the call.</param>
/// <param name="ErrorMessage">Apple's error message when it refused the call.</param>
public sealed record AppleCallAnswer(string? AppleEventId, int? ErrorNumber, string? ErrorMessage)
{
    /// <summary>Apple accepted the call: its event id.</summary>
    public static AppleCallAnswer Accepted(string appleEventId) => new(appleEventId, null, null);

    /// <summary>Apple refused the call (an error body, even under HTTP 200). Do not record retryable errors (9646, 5xx): retry the call.</summary>
    public static AppleCallAnswer Refused(int errorNumber, string errorMessage) => new(null, errorNumber, errorMessage);
}

/// <summary>
/// The Apple requests of one tenant: every seat change the ledger decides (a grant: associate; a reclaim: disassociate)
/// is stored with its events, in the same transaction, as one request. A host (or the VppLedger.Apple worker) drains it
/// at least once, in order per pool: take a batch, call Apple, record Apple's answer. Thread-safe; every call has its
/// own session.
/// </summary>
public interface IAppleOutbox
{
    /// <summary>The tokens that have pending requests, ordered by id.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<TokenId>> TokensWithPendingRequestsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The oldest pending requests of a token that fit one Apple call, or null when none is pending. Taking marks
    /// nothing: until <see cref="RecordAnswerAsync"/> records Apple's answer, the next take returns them again (at least once).
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="limits">Apple's current limits (<see cref="AppleServiceLimits.Published"/> until the host read them).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<AppleRequestBatch?> TakeBatchAsync(TokenId token, AppleServiceLimits limits, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records Apple's synchronous answer to a batch, as one ledger command (idempotent: the same answer again writes
    /// nothing; the first answer recorded wins). An event id marks the requests sent; an error marks them refused and
    /// answers their seats as failed in the same transaction (a refused association frees its seat, rule A6).
    /// Needs <see cref="Permissions.ManagedApps"/> (rule X1).
    /// </summary>
    /// <param name="batch">The batch taken.</param>
    /// <param name="answer">Apple's answer.</param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    Task<CommandOutcome> RecordAnswerAsync(AppleRequestBatch batch, AppleCallAnswer answer, Actor actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records Apple's status of an event (a <c>GET /status</c> poll or an <c>ASSET_MANAGEMENT</c> notification) for the
    /// requests Apple accepted under it, as one ledger command: completed associations are confirmed, refused ones fail
    /// and free their seats (rule A6), pending releases end. Accepted in any order and any number of times: the same
    /// status again is a replay, and a seat already answered is left alone (rule I4). Needs
    /// <see cref="Permissions.ManagedApps"/> (rule X1).
    /// </summary>
    /// <param name="status">Apple's status of the event.</param>
    /// <param name="notificationId">
    /// The notification's <c>notificationId</c> when a notification carried it, else null. The same notification twice is
    /// one command; when the event's requests name their token, the id joins that token's stored set of notification ids
    /// (<c>AppleSide.RecordAppleNotification</c>), so it is recorded once whichever way it comes.
    /// </param>
    /// <param name="actor">Who records it.</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    Task<CommandOutcome> RecordEventStatusAsync(AppleEventStatus status, string? notificationId, Actor actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// The event ids Apple accepted for the token's requests whose result is not recorded yet (no status other than
    /// pending was recorded for them), in ordinal order, at most <paramref name="take"/>, after <paramref name="after"/>
    /// when given (a worker pages through them pass after pass): what a worker polls with <c>GET /status</c>. An event
    /// leaves the list when <see cref="RecordEventStatusAsync"/> records its result.
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="take">How many event ids, at most.</param>
    /// <param name="after">Only event ids ordinally after this one; from the first when null.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<string>> EventsAwaitingResultAsync(TokenId token, int take = 100, string? after = null, CancellationToken cancellationToken = default);

    /// <summary>The requests Apple accepted under one event id, oldest first (what its status or notification is about).</summary>
    /// <param name="appleEventId">Apple's event id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<AppleRequest>> RequestsOfEventAsync(string appleEventId, CancellationToken cancellationToken = default);

    /// <summary>How many requests of the tenant stand in each status.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyDictionary<AppleRequestStatus, int>> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>The pure rules of the outbox: which seat change asks what, and what fits one call.</summary>
internal static class AppleRequests
{
    /// <summary>The request a pool event asks of Apple, or null: every grant (or seat asked again) associates, every reclaim (or release asked of Apple) disassociates.</summary>
    public static AppleRequestKind? For(IPoolEvent @event) => @event switch
    {
        LicenseGranted or AppleAssociationRequestedAgain => AppleRequestKind.Associate,
        LicenseReclaimed or AppleReleaseRequested => AppleRequestKind.Disassociate,
        _ => null,
    };

    /// <summary>The longest prefix of <paramref name="ordered"/> of one kind that fits one call under <paramref name="limits"/>.</summary>
    public static IReadOnlyList<AppleRequest> FirstBatch(IReadOnlyList<AppleRequest> ordered, AppleServiceLimits limits)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(limits);
        if (ordered.Count == 0)
        {
            return [];
        }

        var kind = ordered[0].Kind;
        var maxHolders = Math.Max(1, kind == AppleRequestKind.Revoke ? limits.MaxRevokeHoldersPerCall : limits.MaxHoldersPerCall);
        var maxAssets = Math.Max(1, limits.MaxAssetsPerCall);
        var assets = new HashSet<AdamId>();
        var batch = new List<AppleRequest>();
        foreach (var request in ordered)
        {
            if (request.Kind != kind || batch.Count == maxHolders || (!assets.Contains(request.Pool.AdamId) && assets.Count == maxAssets))
            {
                break;
            }

            assets.Add(request.Pool.AdamId);
            batch.Add(request);
        }

        return batch;
    }

    /// <summary>Refuses an answer that is neither an event id nor an error, or both (docs/apple.md).</summary>
    public static Rejection? Check(RecordAppleCallAnswer c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var accepted = !string.IsNullOrEmpty(c.Answer.AppleEventId);
        var refused = c.Answer.ErrorNumber is not null;
        return accepted == refused || c.RequestIds.Count == 0 ? PoolRejections.AppleCallAnswerNotOneOf(c.Token) : null;
    }

    /// <summary>
    /// What Apple's synchronous answer changes: the requests still pending take the answer's status, and a refusal
    /// answers their seats as failed, one <see cref="RecordAppleEventResult"/> per pool and kind (a refused association
    /// frees its seat, rule A6; a refused disassociation ends its pending release). Requests answered before are left
    /// alone: the first answer recorded wins (rule I4).
    /// </summary>
    /// <param name="c">The answer.</param>
    /// <param name="requests">The batch's requests with their current status.</param>
    public static (IReadOnlyList<string> Marked, AppleRequestStatus Status, IReadOnlyList<RecordAppleEventResult> SeatResults) Answer(
        RecordAppleCallAnswer c, IReadOnlyList<(AppleRequest Request, AppleRequestStatus Status)> requests)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(requests);
        var pending = requests.Where(r => r.Status == AppleRequestStatus.Pending).Select(r => r.Request).ToList();
        if (c.Answer.ErrorNumber is not { } number)
        {
            return ([.. pending.Select(r => r.RequestId)], AppleRequestStatus.Sent, []);
        }

        var message = c.Answer.ErrorMessage ?? "";
        var eventId = "call-refused-" + c.Id.Value; // a refused call has no Apple event: its answer is named after the call
        var results = pending
            .GroupBy(r => (r.Pool, r.Kind))
            .Select(g => new RecordAppleEventResult(
                g.Key.Pool,
                eventId,
                g.Key.Kind == AppleRequestKind.Associate ? AppleEventType.Associate : AppleEventType.Disassociate,
                [],
                [.. g.Select(r => r.Holder).DistinctBy(h => h.Key).Select(h => new AppleHolderFailure(h, number, message))],
                c.Id,
                c.Actor))
            .ToList();
        return ([.. pending.Select(r => r.RequestId)], AppleRequestStatus.Refused, results);
    }
}

/// <summary>Apple's <c>eventStatus</c> of an asynchronous event.</summary>
public enum AppleEventState
{
    /// <summary>Apple is still working on it: nothing is recorded yet.</summary>
    Pending = 0,

    /// <summary>Apple finished; the holders not listed as failures completed.</summary>
    Complete = 1,

    /// <summary>Apple finished with failures; the holders not listed as failures completed.</summary>
    Failure = 2,
}

/// <summary>One entry of Apple's <c>failures[]</c>: an asset and a holder Apple refused, with its error.</summary>
/// <param name="AdamId">The asset.</param>
/// <param name="ClientUserId">The user holder Apple refused (its holder key), or null.</param>
/// <param name="SerialNumber">The device Apple refused, or null.</param>
/// <param name="ErrorNumber">Apple's error number.</param>
/// <param name="ErrorMessage">Apple's error message.</param>
public sealed record AppleEventFailure(AdamId AdamId, string? ClientUserId, SerialNumber? SerialNumber, int ErrorNumber, string ErrorMessage);

/// <summary>
/// What Apple says of one asynchronous event: the answer of <c>GET /status?eventId=</c>, or the body of an
/// <c>ASSET_MANAGEMENT</c> notification. Recorded through <see cref="IAppleOutbox.RecordEventStatusAsync"/>.
/// </summary>
/// <param name="AppleEventId">Apple's event id.</param>
/// <param name="State">Pending, complete or failure.</param>
/// <param name="RequestedCount">Apple's <c>numRequested</c>.</param>
/// <param name="CompletedCount">Apple's <c>numCompleted</c>.</param>
/// <param name="Failures">Apple's <c>failures[]</c>.</param>
public sealed record AppleEventStatus(string AppleEventId, AppleEventState State, int RequestedCount, int CompletedCount, IReadOnlyList<AppleEventFailure> Failures);

/// <summary>Record Apple's status of one event for the requests Apple accepted under it. Internal: hosts go through the outbox.</summary>
/// <param name="Status">Apple's status.</param>
/// <param name="Id">Idempotency key (rule I4): derived from the status, or from the notification id that carried it.</param>
/// <param name="Actor">Who records it.</param>
[RequiresPermission(Permissions.ManagedApps)]
internal sealed record RecordAppleEventStatus(AppleEventStatus Status, CommandId Id, Actor Actor) : ILedgerCommand;

/// <summary>How Apple's status of an event answers the seats of the requests sent under it (pure).</summary>
internal static class AppleEventStatuses
{
    /// <summary>Apple's error number when it reports an event failed without naming a holder.</summary>
    public const int FailedWithoutDetail = 0;

    /// <summary>Whether the status ends the event's wait: any state but pending (its requests become <see cref="AppleRequestStatus.Answered"/>).</summary>
    public static bool IsFinal(AppleEventStatus status) => status?.State is AppleEventState.Complete or AppleEventState.Failure;

    /// <summary>
    /// One <see cref="RecordAppleEventResult"/> per pool and kind of the event's requests: a holder named in the
    /// failures (by asset and clientUserId or serial number) failed, every other holder completed. A pending event
    /// answers nothing; an event Apple marks failed without a failure per holder fails every holder.
    /// </summary>
    public static IReadOnlyList<RecordAppleEventResult> Results(RecordAppleEventStatus c, IReadOnlyList<AppleRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(requests);
        var status = c.Status;
        if (status.State == AppleEventState.Pending || requests.Count == 0)
        {
            return [];
        }

        AppleEventFailure? FailureOf(AppleRequest r) =>
            status.Failures.FirstOrDefault(f => f.AdamId == r.Pool.AdamId
                && ((f.ClientUserId is { } user && user == r.Holder.Key) || (f.SerialNumber is { } serial && serial == r.SerialNumber)));
        var allFailed = status.State == AppleEventState.Failure && status.Failures.Count == 0;
        return [.. requests
            .GroupBy(r => (r.Pool, r.Kind))
            .Select(g =>
            {
                var completed = new List<Holder>();
                var failed = new List<AppleHolderFailure>();
                foreach (var request in g.DistinctBy(r => r.Holder.Key))
                {
                    if (allFailed)
                    {
                        failed.Add(new AppleHolderFailure(request.Holder, FailedWithoutDetail, "Apple reported the event as failed without naming the holder."));
                    }
                    else if (FailureOf(request) is { } failure)
                    {
                        failed.Add(new AppleHolderFailure(request.Holder, failure.ErrorNumber, failure.ErrorMessage));
                    }
                    else
                    {
                        completed.Add(request.Holder);
                    }
                }

                return new RecordAppleEventResult(
                    g.Key.Pool,
                    status.AppleEventId,
                    g.Key.Kind == AppleRequestKind.Associate ? AppleEventType.Associate : AppleEventType.Disassociate,
                    completed,
                    failed,
                    c.Id,
                    c.Actor);
            })];
    }
}
