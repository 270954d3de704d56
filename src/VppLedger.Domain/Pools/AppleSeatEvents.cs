using NodaTime;

namespace VppLedger.Pools;

/// <summary>
/// Where a granted seat stands at Apple (docs/apple.md). Apple's association is asynchronous: the ledger grants a
/// seat (it counts as used at once, rule S1) and Apple's event confirms or refuses it later. A host that never talks
/// to Apple keeps every seat <see cref="Requested"/> and uses it as soon as it is granted.
/// </summary>
public enum AppleSeatState
{
    /// <summary>Granted by the ledger; Apple has not confirmed the association yet (or the host never asked Apple).</summary>
    Requested = 0,

    /// <summary>Apple confirmed the association: Apple holds the seat for this holder.</summary>
    Confirmed = 1,
}

/// <summary>The kind of asynchronous Apple event an answer is about (Apple's <c>eventType</c>).</summary>
public enum AppleEventType
{
    /// <summary><c>POST /assets/associate</c>: seats given to holders.</summary>
    Associate = 0,

    /// <summary><c>POST /assets/disassociate</c>: seats taken back from holders.</summary>
    Disassociate = 1,

    /// <summary><c>POST /assets/revoke</c>: every seat of the given holders taken back.</summary>
    Revoke = 2,
}

/// <summary>Apple confirmed the association of a seat the ledger granted: the seat is <see cref="AppleSeatState.Confirmed"/>.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder Apple associated.</param>
/// <param name="AppleEventId">Apple's event id of the association.</param>
/// <param name="OccurredAt">When the ledger recorded Apple's answer.</param>
public sealed record AppleAssociationConfirmed(PoolId Pool, Holder Holder, string AppleEventId, Instant OccurredAt) : IPoolEvent;

/// <summary>
/// Apple refused the association of a seat the ledger granted: the seat is freed (it was never Apple's) and serves the
/// queue head in the same decision (rule A6). The error stays in the log so <c>explain</c> can name it.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder that got no seat at Apple.</param>
/// <param name="AppleEventId">Apple's event id of the association.</param>
/// <param name="ErrorNumber">Apple's error number (for example 9709, not enough licenses).</param>
/// <param name="ErrorMessage">Apple's error message, as Apple sent it.</param>
/// <param name="OccurredAt">When the ledger recorded Apple's answer.</param>
public sealed record AppleAssociationFailed(
    PoolId Pool,
    Holder Holder,
    string AppleEventId,
    int ErrorNumber,
    string ErrorMessage,
    Instant OccurredAt) : IPoolEvent;

/// <summary>
/// A seat Apple had confirmed is being reclaimed: the ledger frees it at once (the <see cref="LicenseReclaimed"/> that
/// follows), and Apple still holds it until it confirms the disassociation. Recorded only for confirmed seats: a seat
/// Apple never confirmed has nothing to take back at Apple.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder whose confirmed seat is released.</param>
/// <param name="OccurredAt">When the release was decided.</param>
public sealed record AppleDisassociationRequested(PoolId Pool, Holder Holder, Instant OccurredAt) : IPoolEvent;

/// <summary>Apple confirmed the disassociation of a released seat: the release is no longer pending.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder Apple disassociated.</param>
/// <param name="AppleEventId">Apple's event id of the disassociation or revoke.</param>
/// <param name="OccurredAt">When the ledger recorded Apple's answer.</param>
public sealed record AppleDisassociationConfirmed(PoolId Pool, Holder Holder, string AppleEventId, Instant OccurredAt) : IPoolEvent;

/// <summary>
/// Apple refused the disassociation of a released seat: the release is no longer pending, and Apple still holds a seat
/// the ledger does not (reconciliation finds it). The ledger's counts stay as they are (rule S2: reported, not copied).
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder Apple did not disassociate.</param>
/// <param name="AppleEventId">Apple's event id of the disassociation or revoke.</param>
/// <param name="ErrorNumber">Apple's error number (for example 9706, asset not revocable).</param>
/// <param name="ErrorMessage">Apple's error message, as Apple sent it.</param>
/// <param name="OccurredAt">When the ledger recorded Apple's answer.</param>
public sealed record AppleDisassociationFailed(
    PoolId Pool,
    Holder Holder,
    string AppleEventId,
    int ErrorNumber,
    string ErrorMessage,
    Instant OccurredAt) : IPoolEvent;
