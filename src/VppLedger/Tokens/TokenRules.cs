using NodaTime;

namespace VppLedger.Tokens;

/// <summary>Pure questions about a token that other slices ask: its status, and whether it may sync or grant.</summary>
public static class TokenRules
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

    /// <summary>True when the token's file has expired at <paramref name="now"/> (rule T2: expiry is exclusive).</summary>
    /// <param name="state">The token's state.</param>
    /// <param name="now">The time to judge against.</param>
    public static bool IsExpired(TokenState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.ExpiresAt <= now;
    }
}
