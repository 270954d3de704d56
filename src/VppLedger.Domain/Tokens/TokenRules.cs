using NodaTime;

namespace VppLedger.Tokens;

/// <summary>Pure questions about a token that other slices ask: its status, and whether it may sync or grant.</summary>
internal static class TokenRules
{
    /// <summary>
    /// What the token is at <paramref name="now"/> (rules T2, T3, T4, T10). When several apply, the one that
    /// blocks the most wins: deleted, then expired, then assigned to an external MDM, then duplicate, then expiring soon.
    /// </summary>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The time to judge expiry against.</param>
    /// <param name="policy">The policy that sets the "expiring soon" window.</param>
    public static TokenStatus StatusOf(TokenState state, Instant now, LedgerPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        if (!state.Uploaded)
        {
            return TokenStatus.NotUploaded;
        }

        if (state.Deleted)
        {
            return TokenStatus.Deleted;
        }

        if (IsExpired(state, now))
        {
            return TokenStatus.Expired;
        }

        if (state.AssignedToExternalMdm)
        {
            return TokenStatus.AssignedToExternalMdm;
        }

        if (state.DuplicateOf is not null)
        {
            return TokenStatus.Duplicate;
        }

        return state.ExpiresAt - now <= policy.ExpiringSoonWindow ? TokenStatus.ExpiringSoon : TokenStatus.Valid;
    }

    /// <summary>
    /// Null when the token may sync with Apple and grant licenses at <paramref name="now"/>; otherwise why not:
    /// <c>TokenNotFound</c>, <c>TokenDeleted</c> (rules T10, R7), <c>TokenExpired</c> (rule T2) or
    /// <c>TokenAssignedToExternalMdm</c> (rule T3). The storage layer calls it before every grant and sync.
    /// </summary>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The time to judge expiry against.</param>
    public static Rejection? CheckCanSyncOrGrant(TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Id is not { } id)
        {
            return TokenRejections.TokenNotFound(null);
        }

        if (state.Deleted)
        {
            return TokenRejections.TokenDeleted(id);
        }

        if (IsExpired(state, now))
        {
            return TokenRejections.TokenExpired(id, state.ExpiresAt);
        }

        return state.AssignedToExternalMdm ? TokenRejections.TokenAssignedToExternalMdm(id) : null;
    }

    /// <summary>
    /// Null when licenses may be granted under the token at <paramref name="now"/>; otherwise the rule id that holds
    /// every grant back: <c>T5</c> (never uploaded), <c>T10</c> (deleted), <c>T2</c> (expired) or <c>T3</c> (bound to
    /// another MDM). While held, a pool records reclaims and queues new holders, but grants nothing and promotes no
    /// one; renewal or taking control back serves the queues (rules T2, A6).
    /// </summary>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The time to judge expiry against.</param>
    public static string? GrantsHeldBy(TokenState state, Instant now) => CheckCanSyncOrGrant(state, now)?.Rule;

    /// <summary>
    /// Null when an assignment of the token's apps may be created or reached by directory changes; otherwise why not:
    /// <c>TokenNotFound</c> or <c>TokenDeleted</c> (rule T10: the token's apps and assignments left the MDM). An expired
    /// token or one bound to another MDM is no reason: the assignment is recorded and its grants wait (rules T2, T3).
    /// </summary>
    /// <param name="state">The token's state.</param>
    public static Rejection? CheckCanAssign(TokenState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Id is not { } id)
        {
            return TokenRejections.TokenNotFound(null);
        }

        return state.Deleted ? TokenRejections.TokenDeleted(id) : null;
    }

    /// <summary>True when the token's file has expired at <paramref name="now"/> (rule T2: expiry is exclusive).</summary>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The time to judge against.</param>
    public static bool IsExpired(TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.ExpiresAt <= now;
    }
}
