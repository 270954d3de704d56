using VppLedger.Pools;

namespace VppLedger.Apple;

/// <summary>What one pass of <see cref="AppleOutboxWorker"/> did.</summary>
/// <param name="Tokens">One entry per configured token, in the order served.</param>
public sealed record AppleWorkerPass(IReadOnlyList<AppleTokenPass> Tokens)
{
    /// <summary>Apple calls whose answer (an event id or a refusal) was recorded, over every token.</summary>
    public int AnswersRecorded => Tokens.Sum(t => t.CallsAccepted + t.CallsRefused);

    /// <summary>Events whose result was recorded, over every token.</summary>
    public int ResultsRecorded => Tokens.Sum(t => t.ResultsRecorded);

    /// <summary>Whether the pass left nothing for a next pass: no request pending that it could have sent, no event pending at
    /// Apple, no token stopped or backing off.</summary>
    public bool IsIdle => Tokens.All(t => t.EventsPending == 0 && t.Stopped is null && !t.MoreToSend && !t.MoreToPoll);
}

/// <summary>What one pass did for one token.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Token">The token.</param>
/// <param name="CallsAccepted">Calls Apple accepted (their event ids recorded).</param>
/// <param name="CallsRefused">Calls Apple refused synchronously (recorded: their seats failed).</param>
/// <param name="ResultsRecorded">Events whose result (complete or failure) was recorded from <c>GET /status</c>.</param>
/// <param name="EventsPending">Events Apple still works on (polled PENDING).</param>
/// <param name="MoreToSend">Whether requests are left to send: the pass stopped at <see cref="AppleWorkerOptions.MaxBatchesPerPass"/>, or a result it recorded decided new seat changes.</param>
/// <param name="MoreToPoll">Whether events may be left to poll: the pass polled <see cref="AppleWorkerOptions.MaxStatusPollsPerPass"/> events, or began after the last one the previous pass polled.</param>
/// <param name="Stopped">Why the token's pass stopped early (nothing recorded for the call that stopped it), or null.</param>
/// <param name="BackingOffUntil">When a retryable failure paused the token: the pass after this instant tries again.</param>
public sealed record AppleTokenPass(
    TenantId Tenant,
    TokenId Token,
    int CallsAccepted,
    int CallsRefused,
    int ResultsRecorded,
    int EventsPending,
    bool MoreToSend,
    bool MoreToPoll,
    string? Stopped,
    DateTimeOffset? BackingOffUntil);

/// <summary>What became of a notification handed to <see cref="AppleOutboxWorker.AcceptNotificationAsync"/>.</summary>
public enum AppleNotificationResult
{
    /// <summary>Recorded in the ledger (it may have changed nothing when the seats were answered before: rule I4).</summary>
    Recorded = 0,

    /// <summary>The same notification was recorded before: nothing written.</summary>
    AlreadyRecorded = 1,

    /// <summary>Not an <c>ASSET_MANAGEMENT</c> notification: the worker does not handle it.</summary>
    NotHandled = 2,

    /// <summary>No request of the tenant was sent under the notification's event id (yet): nothing written. The status
    /// poll records the event's result once the call's answer is recorded; the host may also hand it again later.</summary>
    UnknownEvent = 3,

    /// <summary>The body is not a notification (not JSON, or no notificationId, type or eventId): nothing written.</summary>
    Invalid = 4,

    /// <summary>The ledger refused a command of it (the message names the rejection: the actor lacks the permission, the
    /// same notification id came with other content, ...); the commands before it in the same notification stand.</summary>
    Refused = 5,
}

/// <summary>The outcome of one notification.</summary>
/// <param name="Result">What became of it.</param>
/// <param name="NotificationId">Its <c>notificationId</c>, when it had one.</param>
/// <param name="AppleEventId">The event it reports on, when it named one.</param>
/// <param name="ChangeCount">Ledger events written (seats confirmed, failed, freed, queue served).</param>
/// <param name="Message">A sentence for the host's log.</param>
public sealed record AppleNotificationOutcome(AppleNotificationResult Result, string? NotificationId, string? AppleEventId, int ChangeCount, string Message);

/// <summary>What <see cref="AppleOutboxWorker.WalkAssignmentsAsync"/> read from Apple and recorded.</summary>
/// <param name="WalkId">The walk's id in the ledger.</param>
/// <param name="VersionId">Apple's versionId of the walk.</param>
/// <param name="AssignmentCount">Seats Apple listed.</param>
/// <param name="ApplePageCount">Pages read from Apple.</param>
/// <param name="Restarts">Walks restarted because Apple's versionId changed mid-walk.</param>
/// <param name="LastPage">The outcome of the last page recorded: succeeded when the walk completed and was reconciled.</param>
public sealed record AppleAssignmentsWalk(string WalkId, string VersionId, int AssignmentCount, int ApplePageCount, int Restarts, CommandOutcome LastPage);
