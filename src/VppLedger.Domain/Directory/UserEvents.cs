using NodaTime;

namespace VppLedger.Directory;

/// <summary>Marks the events of a user stream, <c>user:{userId}</c>. Apple IDs are data inside events, never in stream ids.</summary>
public interface IUserEvent : ILedgerEvent;

/// <summary>The host reported a user, first or again after they left (rule L4: each Apple ID kind is a holder).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="User">The host's id of the user.</param>
/// <param name="PersonalAppleId">The user's personal Apple ID, if known.</param>
/// <param name="ManagedAppleId">The user's managed Apple ID, if known.</param>
public sealed record UserRecorded(Instant OccurredAt, UserId User, AppleId? PersonalAppleId, AppleId? ManagedAppleId) : IUserEvent;

/// <summary>The host reported other Apple IDs for a known user (rule L4).</summary>
/// <param name="OccurredAt">When.</param>
/// <param name="PersonalAppleId">The personal Apple ID now, if any.</param>
/// <param name="ManagedAppleId">The managed Apple ID now, if any.</param>
public sealed record UserAppleIdsChanged(Instant OccurredAt, AppleId? PersonalAppleId, AppleId? ManagedAppleId) : IUserEvent;

/// <summary>The user left the organization: the ledger reclaims their licenses (rule R4).</summary>
/// <param name="OccurredAt">When.</param>
public sealed record UserLeftOrganization(Instant OccurredAt) : IUserEvent;
