using NodaTime;

namespace VppLedger.Pools;

/// <summary>
/// Ask Apple again for the association of seats the ledger grants (a reconciliation plan, docs/apple.md): a seat Apple
/// no longer shows (phantom in the ledger) or one Apple never answered for too long. Each seat becomes requested again
/// and one new associate request enters the outbox; holders with no granted seat are left alone (rule I4).
/// Needs <see cref="Permissions.MobileApps"/> (rule X1), as a grant does.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holders">The holders whose seats are asked again.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record RequestAppleAssociationAgain(PoolId Pool, IReadOnlyList<Holder> Holders, CommandId Id, Actor Actor) : IPoolCommand;

/// <summary>
/// Ask Apple to take back seats Apple holds and the ledger does not (a reconciliation plan for a duplicate holder,
/// docs/apple.md): one disassociate request per holder enters the outbox; the ledger's counts do not move (the ledger
/// never counted these seats). A holder the ledger grants a seat in this pool is refused: revoke it instead.
/// Needs <see cref="Permissions.MobileApps"/> (rule X1), as a revoke does.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holders">The holders whose seats Apple should take back.</param>
/// <param name="Id">Idempotency key (rule I4).</param>
/// <param name="Actor">Who asked.</param>
[RequiresPermission(Permissions.MobileApps)]
public sealed record ReleaseAtApple(PoolId Pool, IReadOnlyList<Holder> Holders, CommandId Id, Actor Actor) : IPoolCommand;

/// <summary>
/// A granted seat is requested of Apple again (reconciliation, docs/apple.md): it is <see cref="AppleSeatState.Requested"/>
/// until Apple confirms it, and one associate request entered the outbox.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder.</param>
/// <param name="WasConfirmed">True when Apple had confirmed the seat before (the confirmed count drops by one).</param>
/// <param name="OccurredAt">When it was asked again.</param>
public sealed record AppleAssociationRequestedAgain(PoolId Pool, Holder Holder, bool WasConfirmed, Instant OccurredAt) : IPoolEvent;

/// <summary>
/// Apple is asked to take back a seat it holds and the ledger does not (reconciliation of a duplicate holder,
/// docs/apple.md): one disassociate request entered the outbox; the ledger's counts are unchanged.
/// </summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder Apple holds the seat for.</param>
/// <param name="OccurredAt">When it was asked.</param>
public sealed record AppleReleaseRequested(PoolId Pool, Holder Holder, Instant OccurredAt) : IPoolEvent;
