namespace VppLedger.Pools;

/// <summary>Apple's refusal for one holder of an asynchronous event (an entry of <c>failures[]</c>).</summary>
/// <param name="Holder">The holder Apple refused.</param>
/// <param name="ErrorNumber">Apple's error number.</param>
/// <param name="ErrorMessage">Apple's error message.</param>
public sealed record AppleHolderFailure(Holder Holder, int ErrorNumber, string ErrorMessage);

/// <summary>
/// Record Apple's answer to one asynchronous event for the holders of one pool: which holders Apple completed and
/// which it refused. For an association, completed seats become <see cref="AppleSeatState.Confirmed"/> and refused
/// ones are freed and serve the queue (rule A6); for a disassociation or revoke, the pending releases of the named
/// holders end. Holders with nothing pending are left alone, so the same answer recorded again (a duplicate
/// notification, a status poll after the notification) decides nothing (rule I4).
/// Needs <see cref="Permissions.ManagedApps"/> (rule X1), as Apple's counts do.
/// </summary>
/// <param name="Pool">The pool (token and app) the answer is about.</param>
/// <param name="AppleEventId">Apple's event id.</param>
/// <param name="EventType">Associate, disassociate or revoke.</param>
/// <param name="Completed">Holders Apple completed.</param>
/// <param name="Failures">Holders Apple refused, with Apple's error.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who recorded it (the host's Apple worker).</param>
[RequiresPermission(Permissions.ManagedApps)]
public sealed record RecordAppleEventResult(
    PoolId Pool,
    string AppleEventId,
    AppleEventType EventType,
    IReadOnlyList<Holder> Completed,
    IReadOnlyList<AppleHolderFailure> Failures,
    CommandId Id,
    Actor Actor) : IPoolCommand;

/// <summary>
/// Record Apple's synchronous answer to one call made for outbox requests (what <see cref="IAppleOutbox.RecordAnswerAsync"/>
/// runs). Needs <see cref="Permissions.ManagedApps"/> (rule X1). Internal: a host goes through the outbox.
/// </summary>
/// <param name="Token">The token of the batch.</param>
/// <param name="RequestIds">The requests of the batch.</param>
/// <param name="Answer">Apple's answer.</param>
/// <param name="Id">Idempotency key (rule I4), derived from the batch.</param>
/// <param name="Actor">Who records it.</param>
[RequiresPermission(Permissions.ManagedApps)]
internal sealed record RecordAppleCallAnswer(TokenId Token, IReadOnlyList<string> RequestIds, AppleCallAnswer Answer, CommandId Id, Actor Actor) : ILedgerCommand;
