namespace VppLedger.Tokens;

/// <summary>The state of a location's claim in the control database (rule T4).</summary>
internal enum LocationClaimState
{
    /// <summary>The tenant holds the location: one of its live tokens is of it, and no command of it is changing that.</summary>
    Held,

    /// <summary>
    /// A command of the tenant is changing who holds the location (an upload, a migration, a deletion, an import): it
    /// took the claim with a ticket before writing its events, and the claim is settled once they commit or fail.
    /// </summary>
    Changing,
}

/// <summary>A location's claim as the control database holds it (rule T4).</summary>
/// <param name="Tenant">The tenant that holds or is changing it.</param>
/// <param name="State">Held, or being changed by a command.</param>
/// <param name="CommandId">The command changing it (null when held).</param>
/// <param name="Version">The row's version, for compare-and-set.</param>
internal sealed record LocationClaimSeen(string Tenant, LocationClaimState State, string? CommandId, long Version);

/// <summary>What a command that wants a location's claim does next, given the claim it sees (rule T4).</summary>
internal enum LocationClaimStep
{
    /// <summary>Nobody claims the location: insert a changing claim with a fresh ticket.</summary>
    Insert,

    /// <summary>The command's own tenant holds it: turn the held claim into a changing one with a fresh ticket (compare-and-set on its version).</summary>
    TakeOver,

    /// <summary>Another tenant holds it: the command is refused (DuplicateLocationInAnotherTenant).</summary>
    HeldByAnotherTenant,

    /// <summary>A changing claim whose command is presumed dead: fence its ticket in its tenant's database and settle it from what committed.</summary>
    Settle,

    /// <summary>A changing claim whose command may still be running: wait a little and look again.</summary>
    Wait,
}

/// <summary>
/// The pure decisions of the global location guard (rule T4: one location, one tenant, whatever database each tenant
/// lives in). The storage layer keeps the claims in the control database and the tickets in each tenant's database;
/// these rules decide what a claimant does with the claim it sees, and who holds a location once a change is settled.
/// </summary>
internal static class LocationGuardRules
{
    /// <summary>
    /// The next step of a command that wants the location (rule T4).
    /// </summary>
    /// <param name="seen">The claim in the control database, or null when there is none.</param>
    /// <param name="tenant">The tenant of the command.</param>
    /// <param name="commandId">The command's id (its idempotency key).</param>
    /// <param name="waited">How long this command has waited for the changing claim it sees to settle.</param>
    /// <param name="patience">How long a command waits for another command's changing claim before settling it itself.</param>
    public static LocationClaimStep Next(LocationClaimSeen? seen, string tenant, string commandId, TimeSpan waited, TimeSpan patience)
    {
        if (seen is null)
        {
            return LocationClaimStep.Insert;
        }

        if (seen.State == LocationClaimState.Held)
        {
            return string.Equals(seen.Tenant, tenant, StringComparison.Ordinal) ? LocationClaimStep.TakeOver : LocationClaimStep.HeldByAnotherTenant;
        }

        // An earlier attempt or run of this very command left it changing: that attempt is over (or is fenced off by
        // the settle, so it cannot commit later). Anyone else's change is given time to commit and settle itself.
        if (string.Equals(seen.Tenant, tenant, StringComparison.Ordinal) && string.Equals(seen.CommandId, commandId, StringComparison.Ordinal))
        {
            return LocationClaimStep.Settle;
        }

        return waited >= patience ? LocationClaimStep.Settle : LocationClaimStep.Wait;
    }

    /// <summary>
    /// Who holds the location once a change is settled (rule T4), from the tenant's live tokens of the location read
    /// after its ticket was fenced: the first by id, or nobody, and then the claim is removed. After a deletion the
    /// claim thus stays with the tenant while another live token of it holds the location.
    /// </summary>
    /// <param name="liveHolders">The tenant's live tokens of the location, as its database holds them after the fence.</param>
    public static TokenId? HolderAfterSettle(IEnumerable<TokenId> liveHolders)
    {
        ArgumentNullException.ThrowIfNull(liveHolders);
        return liveHolders.OrderBy(t => t.Value, StringComparer.Ordinal).Select(t => (TokenId?)t).FirstOrDefault();
    }
}
