using NodaTime;

namespace VppLedger.AppleSide;

/// <summary>What the ledger knows of Apple's side of a token (docs/apple.md).</summary>
/// <param name="Token">The token.</param>
/// <param name="MdmId">Apple's mdmInfo.id last recorded, or null.</param>
/// <param name="MdmName">Apple's mdmInfo.name last recorded, or null.</param>
/// <param name="LocationUId">Apple's uId of the location, or null.</param>
/// <param name="ManagedByAnotherMdm">True when Apple's last client config named another MDM (rule T3).</param>
/// <param name="WalkInProgress">The assignments walk in progress, or null.</param>
/// <param name="NextPage">The page the walk in progress expects next.</param>
/// <param name="CompletedVersionId">Apple's versionId of the last completed walk: the base of the next delta.</param>
/// <param name="CompletedAt">When the last walk completed, or null.</param>
/// <param name="OpenFindingCount">Reconciliation findings open.</param>
public sealed record AppleSideSummary(
    TokenId Token,
    string? MdmId,
    string? MdmName,
    string? LocationUId,
    bool ManagedByAnotherMdm,
    string? WalkInProgress,
    int NextPage,
    string? CompletedVersionId,
    Instant? CompletedAt,
    int OpenFindingCount);

/// <summary>
/// The reads of Apple's side of a tenant's tokens: reconciliation findings and their plan, client config and walks,
/// Apple's user states. Its commands (<see cref="RecordAppleAssignmentsPage"/> and the others) go through
/// <c>ITenantLedger.ExecuteAsync</c>. Thread-safe; every call has its own session.
/// </summary>
public interface IAppleSide
{
    /// <summary>The open reconciliation findings, of one token or all, ordered by token, class and key.</summary>
    /// <param name="token">One token, or null for every token.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<ReconciliationFinding>> ListFindingsAsync(TokenId? token = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The plan that clears the open findings: one step per finding, with the host command to run as
    /// <paramref name="actor"/> (or none, when only a person can act). Writes nothing: run each step's command with
    /// <c>ITenantLedger.ExecuteAsync</c>; its id is derived from the finding, so a plan run twice runs once (rule I4).
    /// A finding clears when a later assignments snapshot no longer shows it.
    /// </summary>
    /// <param name="actor">Who will run the commands.</param>
    /// <param name="token">One token, or null for every token.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<ReconciliationStep>> PlanAsync(Actor actor, TokenId? token = null, CancellationToken cancellationToken = default);

    /// <summary>What the ledger knows of Apple's side of a token, or null when nothing was recorded yet.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<AppleSideSummary?> GetAsync(TokenId token, CancellationToken cancellationToken = default);

    /// <summary>Apple's state of a user of a token, by its clientUserId, or null when none was recorded.</summary>
    /// <param name="token">The token.</param>
    /// <param name="clientUserId">The clientUserId (the ledger sends a user holder's key).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<AppleUserState?> GetUserStateAsync(TokenId token, string clientUserId, CancellationToken cancellationToken = default);
}
