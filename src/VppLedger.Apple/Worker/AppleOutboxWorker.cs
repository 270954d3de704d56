using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VppLedger.AppleSide;
using VppLedger.Pools;
using OutboxEventFailure = VppLedger.Pools.AppleEventFailure;
using OutboxEventStatus = VppLedger.Pools.AppleEventStatus;
using OutboxLimits = VppLedger.Pools.AppleServiceLimits;

namespace VppLedger.Apple;

/// <summary>
/// Drains the ledger's Apple outbox through <see cref="AppleAppsAndBooksClient"/> (docs/apple-client.md, "The worker"):
/// for each configured tenant and token, in order, one pass refreshes Apple's limits (service config), takes the
/// outbox's batches oldest first, makes the associate or disassociate calls, records each answer (an event id, or
/// Apple's synchronous refusal: the seats fail and the queue is served, rule A6), then polls <c>GET /status</c> for the
/// events sent and records their results. A hosted service runs a pass every <see cref="AppleWorkerOptions.PassInterval"/>;
/// <see cref="RunOnceAsync"/> runs one pass now (tests, the tool, a host's own schedule). Retryable failures (9646, HTTP
/// 5xx, network errors) are never recorded as answers: the token pauses (backoff) and the next pass sends the same
/// requests again. The sToken is revealed through the ledger at the start of each token's pass and kept nowhere.
/// Passes of one worker never overlap; run one worker per token (two would send the same requests twice).
/// <see cref="AcceptNotificationAsync"/> records the <c>ASSET_MANAGEMENT</c> notifications the host's endpoint receives.
/// </summary>
public sealed partial class AppleOutboxWorker : BackgroundService
{
    private readonly ILicenseLedger _ledger;
    private readonly AppleAppsAndBooksClient _apple;
    private readonly AppleWorkerOptions _options;
    private readonly IAppleClock _clock;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Dictionary<AppleWorkerToken, (int Failures, DateTimeOffset Until)> _backoff = [];
    private readonly Dictionary<AppleWorkerToken, string> _pollAfter = [];
    private (OutboxLimits Limits, DateTimeOffset ReadAt)? _limits;

    /// <summary>Creates the worker (registered by <c>AddVppLedgerAppleWorker</c>, or by hand).</summary>
    /// <param name="ledger">The ledger whose outbox is drained.</param>
    /// <param name="apple">The Apple client (its rate limiter spaces each token's requests, 15 a second).</param>
    /// <param name="options">The tokens served and the pacing.</param>
    /// <param name="clock">The clock of every wait and backoff.</param>
    /// <param name="logger">Logs each pass's calls and failures; never the sToken.</param>
    public AppleOutboxWorker(
        ILicenseLedger ledger,
        AppleAppsAndBooksClient apple,
        IOptions<AppleWorkerOptions> options,
        IAppleClock clock,
        ILogger<AppleOutboxWorker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(apple);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _ledger = ledger;
        _apple = apple;
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchesPerPass, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxStatusPollsPerPass, 1);
        _clock = clock;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Test seam: runs after Apple answered a call and before the answer is recorded (a crash there is simulated by throwing).</summary>
    internal Func<AppleRequestBatch, AppleCallAnswer, Task>? BeforeRecordingAnswer { get; set; }

    /// <summary>
    /// One pass over every configured token (see the class). Returns when the pass is done; a second call waits for a
    /// pass in progress. What it recorded is durable when it returns; a failure it could not outlast stops that token's
    /// pass (<see cref="AppleTokenPass.Stopped"/>) and leaves the requests for the next pass.
    /// </summary>
    /// <param name="cancellationToken">Cancels the pass between calls; an answer Apple gave and the pass did not record is
    /// asked again by the next pass.</param>
    public async Task<AppleWorkerPass> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var passes = new List<AppleTokenPass>(_options.Tokens.Count);
            foreach (var target in _options.Tokens.ToList())
            {
                passes.Add(await ServeAsync(target, cancellationToken).ConfigureAwait(false));
            }

            return new AppleWorkerPass(passes);
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>
    /// Records an <c>ASSET_MANAGEMENT</c> notification the host's notification endpoint received (check Apple's
    /// <c>notificationAuthToken</c> before handing it over). Its holders are matched with the requests the tenant sent
    /// under its event id: a <c>SUCCESS</c> confirms them, a <c>FAILURE</c> fails them with Apple's error (a failed
    /// association frees its seat and serves the queue, rule A6), one ledger command per notification and pool. The
    /// same notification again writes nothing, and notifications and status polls in any order change each seat once
    /// (only a requested seat can be confirmed or fail, rule I4). Other notification types are not handled here.
    /// </summary>
    /// <param name="tenant">The tenant whose token's notification URL received it.</param>
    /// <param name="body">The notification's JSON body as Apple sent it.</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    public async Task<AppleNotificationOutcome> AcceptNotificationAsync(TenantId tenant, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var parsed = AppleNotifications.Parse(body);
        if (parsed is null)
        {
            return new(AppleNotificationResult.Invalid, null, null, 0, "The body is not an Apple notification (JSON with notificationId, notificationType and notification).");
        }

        if (!string.Equals(parsed.Type, "ASSET_MANAGEMENT", StringComparison.Ordinal))
        {
            return new(AppleNotificationResult.NotHandled, parsed.NotificationId, null, 0, $"A {parsed.Type} notification is not handled by the Apple worker.");
        }

        if (parsed.EventId is null)
        {
            return new(AppleNotificationResult.Invalid, parsed.NotificationId, null, 0, "The ASSET_MANAGEMENT notification names no eventId.");
        }

        var ledger = _ledger.ForTenant(tenant);
        var requests = await ledger.AppleOutbox.RequestsOfEventAsync(parsed.EventId, cancellationToken).ConfigureAwait(false);
        if (requests.Count == 0)
        {
            return new(AppleNotificationResult.UnknownEvent, parsed.NotificationId, parsed.EventId, 0,
                $"No request of tenant {tenant.Value} was sent under Apple event {parsed.EventId} (yet); the status poll records its result.");
        }

        var commands = AppleNotifications.Commands(parsed, requests, _options.Actor);
        var changes = 0;
        var replays = 0;
        foreach (var command in commands)
        {
            var outcome = await ledger.ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == CommandStatus.Rejected)
            {
                return new(AppleNotificationResult.Refused, parsed.NotificationId, parsed.EventId, changes,
                    $"The ledger refused notification {parsed.NotificationId}: {outcome.Rejection!.Code} (rule {outcome.Rejection.Rule}): {outcome.Rejection.Message}");
            }

            changes += outcome.Changes.Count;
            replays += outcome.IsReplay ? 1 : 0;
        }

        return commands.Count > 0 && replays == commands.Count
            ? new(AppleNotificationResult.AlreadyRecorded, parsed.NotificationId, parsed.EventId, 0, $"Notification {parsed.NotificationId} was recorded before.")
            : new(AppleNotificationResult.Recorded, parsed.NotificationId, parsed.EventId, changes, $"Notification {parsed.NotificationId} ({parsed.Result} of event {parsed.EventId}): {changes} ledger event(s).");
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a hosted service outlives any one pass: the failure is logged and the next pass tries again
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.PassFailed(_logger, e);
            }

            try
            {
                await _clock.DelayAsync(_options.PassInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Walks Apple's <c>GET /assignments</c> of one token (every page under one versionId: the client restarts a walk whose
    /// versionId changes) and records it in the ledger as one walk of <see cref="RecordAppleAssignmentsPage"/> commands, in
    /// pages of at most <paramref name="pageSize"/> seats; the last page completes the snapshot, and the ledger reconciles
    /// it with the seats holder by holder (docs/apple.md, "Reconciliation per holder"): read the findings and their plan
    /// with <c>ITenantLedger.AppleSide</c>. A whole walk, not a delta. The sToken is revealed through the ledger for the
    /// walk only. Apple's refusals surface as <see cref="AppleApiException"/>; a page the ledger refuses ends the walk
    /// (its outcome is returned; nothing after it is recorded, and the next walk starts again from page 0).
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="token">The token to walk.</param>
    /// <param name="pageSize">Seats per recorded page (1 to 10,000). Default 1,000.</param>
    /// <param name="cancellationToken">Cancels between Apple's pages and between recorded pages.</param>
    public async Task<AppleAssignmentsWalk> WalkAssignmentsAsync(TenantId tenant, TokenId token, int pageSize = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 10_000);
        var ledger = _ledger.ForTenant(tenant);
        var sToken = await ledger.RevealTokenSecretAsync(token, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(sToken))
        {
            throw new InvalidOperationException($"Token {token.Value} of tenant {tenant.Value} has no secret in the ledger (unknown, deleted or erased): Apple's assignments cannot be read for it.");
        }

        var snapshot = await _apple.GetAssignmentsAsync(sToken, null, cancellationToken).ConfigureAwait(false);
        var version = snapshot.VersionId ?? "unversioned";
        var seats = new List<AppleSeatReport>(snapshot.Assignments.Count);
        foreach (var a in snapshot.Assignments)
        {
            seats.Add(new AppleSeatReport(
                new AdamId(a.AdamId),
                PoolId.ParsePricing(a.PricingParam) ?? PricingParam.Stdq,
                a.ClientUserId,
                a.SerialNumber is { Length: > 0 } serial ? new SerialNumber(serial) : null));
        }

        var walkId = "walk-" + Guid.NewGuid().ToString("N");
        AppleSeatReport[][] pages = seats.Count == 0 ? [[]] : seats.Chunk(pageSize).ToArray(); // an empty walk is one empty page
        CommandOutcome? last = null;
        for (var page = 0; page < pages.Length; page++)
        {
            last = await ledger.ExecuteAsync(
                new RecordAppleAssignmentsPage(token, walkId, version, null, page, page == pages.Length - 1, pages[page], new CommandId($"{walkId}-{page}"), _options.Actor),
                cancellationToken).ConfigureAwait(false);
            if (!last.Succeeded)
            {
                break;
            }
        }

        return new AppleAssignmentsWalk(walkId, version, seats.Count, snapshot.PageCount, snapshot.Restarts, last!);
    }

    private async Task<AppleTokenPass> ServeAsync(AppleWorkerToken target, CancellationToken cancellationToken)
    {
        var pass = new TokenPassBuilder(target);
        if (_backoff.TryGetValue(target, out var paused) && paused.Until > _clock.UtcNow)
        {
            return pass.Stop("backing off after a retryable failure", paused.Until);
        }

        var ledger = _ledger.ForTenant(target.Tenant);
        var sToken = await ledger.RevealTokenSecretAsync(target.Token, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(sToken))
        {
            Log.NoSecret(_logger, target.Tenant.Value, target.Token.Value);
            return pass.Stop($"token {target.Token.Value} has no secret in the ledger (unknown, deleted or erased)", null);
        }

        try
        {
            var limits = await LimitsAsync(cancellationToken).ConfigureAwait(false);
            var stopped = await SendAsync(ledger, target, sToken, limits, pass, cancellationToken).ConfigureAwait(false)
                ?? await PollAsync(ledger, target, sToken, pass, cancellationToken).ConfigureAwait(false);
            if (stopped is { } why)
            {
                return why.Retryable ? pass.Stop(why.Reason, Pause(target)) : pass.Stop(why.Reason, null);
            }

            // A result recorded can decide new seat changes (a failed association serves the queue): they wait for the next pass.
            if (pass.ResultsRecorded > 0 && !pass.MoreToSend)
            {
                pass.MoreToSend = await ledger.AppleOutbox.TakeBatchAsync(target.Token, limits, cancellationToken).ConfigureAwait(false) is not null;
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A network failure, or the HTTP client's timeout: nothing was recorded for the call in flight.
            Log.NetworkFailed(_logger, target.Tenant.Value, target.Token.Value, e);
            return pass.Stop($"Apple could not be reached ({e.Message})", Pause(target));
        }

        _backoff.Remove(target);
        return pass.Build();
    }

    /// <summary>Sends the token's pending requests, batch after batch, and records each answer. Null when it went through.</summary>
    private async Task<(string Reason, bool Retryable)?> SendAsync(
        ITenantLedger ledger, AppleWorkerToken target, string sToken, OutboxLimits limits, TokenPassBuilder pass, CancellationToken cancellationToken)
    {
        var outbox = ledger.AppleOutbox;
        for (var sent = 0; ; sent++)
        {
            var batch = await outbox.TakeBatchAsync(target.Token, limits, cancellationToken).ConfigureAwait(false);
            if (batch is null)
            {
                return null;
            }

            if (sent == _options.MaxBatchesPerPass)
            {
                pass.MoreToSend = true;
                return null;
            }

            var calls = AppleCalls.Of(batch);
            if (calls.Unsendable is { } missing)
            {
                Log.Unsendable(_logger, target.Tenant.Value, target.Token.Value, missing);
                return ($"a device of request {missing} has no serial number: record it (RecordDevice) and the worker goes on", false);
            }

            foreach (var call in calls.Calls)
            {
                var results = batch.Kind switch
                {
                    AppleRequestKind.Associate => await _apple.AssociateAsync(sToken, call.Assets, call.SerialNumbers, call.ClientUserIds, Client(limits), cancellationToken).ConfigureAwait(false),
                    AppleRequestKind.Disassociate => await _apple.DisassociateAsync(sToken, call.Assets, call.SerialNumbers, call.ClientUserIds, Client(limits), cancellationToken).ConfigureAwait(false),
                    _ => await _apple.RevokeAsync(sToken, call.SerialNumbers, call.ClientUserIds, Client(limits), cancellationToken).ConfigureAwait(false),
                };
                var result = results.Count == 1
                    ? results[0]
                    : throw new InvalidOperationException($"One outbox call became {results.Count} Apple calls; the limits passed to the client differ from the outbox's.");
                AppleCallAnswer answer;
                switch (result.Outcome)
                {
                    case AppleBatchOutcome.Accepted:
                        answer = AppleCallAnswer.Accepted(result.EventId!);
                        break;
                    case AppleBatchOutcome.Refused when result.Error is { ErrorNumber: { } number } error && !IsTokenWide(error):
                        answer = AppleCallAnswer.Refused(number, error.ErrorMessage);
                        break;
                    default:
                        var e = result.Error;
                        Log.CallNotAnswered(_logger, target.Tenant.Value, target.Token.Value, e?.ErrorNumber, e?.Kind.ToString() ?? "NotSent", e);
                        return ($"Apple did not answer the call ({(e is null ? "not sent" : $"{e.Kind}: {e.Message}")}); nothing recorded, the next pass sends it again",
                            e is null || e.Kind == AppleErrorKind.Retryable);
                }

                if (BeforeRecordingAnswer is { } hook)
                {
                    await hook(call.Batch, answer).ConfigureAwait(false);
                }

                var outcome = await outbox.RecordAnswerAsync(call.Batch, answer, _options.Actor, cancellationToken).ConfigureAwait(false);
                if (outcome.Status == CommandStatus.Rejected)
                {
                    Log.NotRecorded(_logger, target.Tenant.Value, target.Token.Value, outcome.Rejection!.Code, outcome.Rejection.Message);
                    return ($"the ledger refused Apple's answer: {outcome.Rejection.Code}: {outcome.Rejection.Message}", false);
                }

                if (answer.AppleEventId is not null)
                {
                    pass.CallsAccepted++;
                }
                else
                {
                    pass.CallsRefused++;
                }
            }
        }
    }

    /// <summary>Polls the events sent for the token and records every result Apple has. Null when it went through.</summary>
    private async Task<(string Reason, bool Retryable)?> PollAsync(
        ITenantLedger ledger, AppleWorkerToken target, string sToken, TokenPassBuilder pass, CancellationToken cancellationToken)
    {
        var outbox = ledger.AppleOutbox;

        // Page through the events pass after pass, so that events Apple is slow on never keep the others from a poll.
        var after = _pollAfter.GetValueOrDefault(target);
        var events = await outbox.EventsAwaitingResultAsync(target.Token, _options.MaxStatusPollsPerPass, after, cancellationToken).ConfigureAwait(false);
        if (events.Count == _options.MaxStatusPollsPerPass)
        {
            _pollAfter[target] = events[^1];
        }
        else
        {
            _pollAfter.Remove(target);
        }

        pass.MoreToPoll = events.Count == _options.MaxStatusPollsPerPass || after is not null; // the rest, or those before the cursor, next pass

        foreach (var eventId in events)
        {
            AppleEventStatus status;
            try
            {
                status = await _apple.GetStatusAsync(sToken, eventId, cancellationToken).ConfigureAwait(false);
            }
            catch (AppleApiException e) when (e.Kind == AppleErrorKind.Retryable || IsTokenWide(e))
            {
                Log.CallNotAnswered(_logger, target.Tenant.Value, target.Token.Value, e.ErrorNumber, e.Kind.ToString(), e);
                return ($"Apple did not answer the status of event {eventId} ({e.Kind}: {e.Message}); the next pass polls it again", e.Kind == AppleErrorKind.Retryable);
            }
            catch (AppleApiException e)
            {
                // 9708 (unknown eventId) or an answer that is not a status: nothing to record; the event stays listed.
                Log.StatusUnreadable(_logger, target.Tenant.Value, eventId, e.ErrorNumber, e);
                pass.EventsPending++;
                continue;
            }

            var state = StateOf(status.EventStatus);
            if (state == AppleEventState.Pending)
            {
                pass.EventsPending++;
                continue;
            }

            var failures = await FailuresAsync(outbox, eventId, status.Failures, cancellationToken).ConfigureAwait(false);
            var recorded = await outbox.RecordEventStatusAsync(
                new OutboxEventStatus(eventId, state, status.NumRequested, status.NumCompleted, failures), null, _options.Actor, cancellationToken).ConfigureAwait(false);
            if (recorded.Status == CommandStatus.Rejected)
            {
                Log.NotRecorded(_logger, target.Tenant.Value, target.Token.Value, recorded.Rejection!.Code, recorded.Rejection.Message);
                return ($"the ledger refused Apple's status of event {eventId}: {recorded.Rejection.Code}: {recorded.Rejection.Message}", false);
            }

            pass.ResultsRecorded++;
        }

        return null;
    }

    private static async Task<IReadOnlyList<OutboxEventFailure>> FailuresAsync(
        IAppleOutbox outbox, string eventId, IReadOnlyList<AppleEventFailure> failures, CancellationToken cancellationToken)
    {
        if (failures.Count == 0)
        {
            return [];
        }

        // A failure that names no asset is the holder's for every asset of the event.
        IReadOnlyList<AdamId> assets = failures.Any(f => string.IsNullOrEmpty(f.AdamId))
            ? [.. (await outbox.RequestsOfEventAsync(eventId, cancellationToken).ConfigureAwait(false)).Select(r => r.Pool.AdamId).Distinct()]
            : [];
        var mapped = new List<OutboxEventFailure>();
        foreach (var f in failures)
        {
            SerialNumber? serial = string.IsNullOrEmpty(f.SerialNumber) ? null : new SerialNumber(f.SerialNumber);
            foreach (var asset in string.IsNullOrEmpty(f.AdamId) ? assets : [new AdamId(f.AdamId)])
            {
                mapped.Add(new OutboxEventFailure(asset, f.ClientUserId, serial, f.ErrorNumber ?? 0, f.ErrorMessage ?? "(no message)"));
            }
        }

        return mapped;
    }

    private static AppleEventState StateOf(string eventStatus) => eventStatus?.ToUpperInvariant() switch
    {
        "COMPLETE" => AppleEventState.Complete,
        "FAILURE" or "FAILED" => AppleEventState.Failure,
        _ => AppleEventState.Pending,
    };

    // Refusals that say nothing about the seats of the call: the token itself is refused (expired, revoked, not signed in).
    private static bool IsTokenWide(AppleApiException e) =>
        e.Kind is AppleErrorKind.TokenExpired or AppleErrorKind.TokenRevoked or AppleErrorKind.Retryable || e.ErrorNumber == LoginRequired;

    private const int LoginRequired = 9601;

    private static AppleServiceLimits Client(OutboxLimits limits) =>
        new(limits.MaxAssetsPerCall, limits.MaxHoldersPerCall, limits.MaxRevokeHoldersPerCall, AppleServiceLimits.Published.MaxUsers);

    private async Task<OutboxLimits> LimitsAsync(CancellationToken cancellationToken)
    {
        var now = _clock.UtcNow;
        if (_limits is { } known && now - known.ReadAt < _options.ServiceConfigRefresh)
        {
            return known.Limits;
        }

        try
        {
            var config = await _apple.GetServiceConfigAsync(cancellationToken).ConfigureAwait(false);
            var limits = new OutboxLimits(config.Limits.MaxAssets, config.Limits.MaxHolders, config.Limits.MaxRevokeHolders);
            _limits = (limits, now);
            return limits;
        }
        catch (AppleApiException e)
        {
            // The limits read before (or Apple's published ones) serve until the service config answers again.
            Log.ServiceConfigFailed(_logger, e);
            return _limits?.Limits ?? OutboxLimits.Published;
        }
    }

    private DateTimeOffset Pause(AppleWorkerToken target)
    {
        var failures = _backoff.TryGetValue(target, out var b) ? b.Failures + 1 : 1;
        var ticks = Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks * Math.Pow(_options.BackoffFactor, failures - 1));
        var until = _clock.UtcNow + TimeSpan.FromTicks((long)ticks);
        _backoff[target] = (failures, until);
        return until;
    }

    private sealed class TokenPassBuilder(AppleWorkerToken target)
    {
        public int CallsAccepted { get; set; }
        public int CallsRefused { get; set; }
        public int ResultsRecorded { get; set; }
        public int EventsPending { get; set; }
        public bool MoreToSend { get; set; }
        public bool MoreToPoll { get; set; }

        public AppleTokenPass Build() => new(target.Tenant, target.Token, CallsAccepted, CallsRefused, ResultsRecorded, EventsPending, MoreToSend, MoreToPoll, null, null);

        public AppleTokenPass Stop(string reason, DateTimeOffset? until) => Build() with { Stopped = reason, BackingOffUntil = until };
    }

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Error, "A pass of the Apple worker failed; the next pass tries again")]
        public static partial void PassFailed(ILogger logger, Exception exception);

        [LoggerMessage(102, LogLevel.Warning, "Tenant {Tenant}, token {Token}: no secret in the ledger; the token is skipped")]
        public static partial void NoSecret(ILogger logger, string tenant, string token);

        [LoggerMessage(103, LogLevel.Warning, "Tenant {Tenant}, token {Token}: Apple could not be reached; the token backs off")]
        public static partial void NetworkFailed(ILogger logger, string tenant, string token, Exception exception);

        [LoggerMessage(104, LogLevel.Error, "Tenant {Tenant}, token {Token}: request {Request} is for a device without a serial number; the token's drain stops there")]
        public static partial void Unsendable(ILogger logger, string tenant, string token, string request);

        [LoggerMessage(105, LogLevel.Warning, "Tenant {Tenant}, token {Token}: Apple did not answer (error {ErrorNumber}, {Kind}); nothing recorded")]
        public static partial void CallNotAnswered(ILogger logger, string tenant, string token, int? errorNumber, string kind, Exception? exception);

        [LoggerMessage(106, LogLevel.Error, "Tenant {Tenant}, token {Token}: the ledger refused Apple's answer: {Code}: {Message}")]
        public static partial void NotRecorded(ILogger logger, string tenant, string token, string code, string message);

        [LoggerMessage(107, LogLevel.Warning, "Tenant {Tenant}: the status of Apple event {EventId} could not be read (error {ErrorNumber}); it stays to be polled")]
        public static partial void StatusUnreadable(ILogger logger, string tenant, string eventId, int? errorNumber, Exception exception);

        [LoggerMessage(108, LogLevel.Warning, "Apple's service config could not be read; the last limits known serve")]
        public static partial void ServiceConfigFailed(ILogger logger, Exception exception);
    }
}
