using Marten;
using VppLedger.AppleSide;

namespace VppLedger.Storage;

/// <summary>The reads of Apple's side of one tenant's tokens (docs/apple.md).</summary>
internal sealed class AppleSideStore(MartenLicenseLedger ledger, string tenantId) : IAppleSide
{
    public Task<IReadOnlyList<ReconciliationFinding>> ListFindingsAsync(TokenId? token = null, CancellationToken cancellationToken = default) =>
        ledger.ReadTenantAsync(tenantId, "the reconciliation findings were read", async () =>
        {
            await using var session = Query();
            var query = session.Query<FindingDoc>().AsQueryable();
            if (token is { } t)
            {
                var key = t.Value;
                query = query.Where(f => f.TokenKey == key);
            }

            var docs = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<ReconciliationFinding>)[.. docs
                .OrderBy(d => d.TokenKey, StringComparer.Ordinal)
                .ThenBy(d => d.Finding.Class)
                .ThenBy(d => d.Finding.Key, StringComparer.Ordinal)
                .Select(d => d.Finding)];
        }, cancellationToken);

    public async Task<IReadOnlyList<ReconciliationStep>> PlanAsync(Actor actor, TokenId? token = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var findings = await ListFindingsAsync(token, cancellationToken).ConfigureAwait(false);
        return [.. findings.Select(f => Reconciliation.Plan(f, actor))];
    }

    public Task<AppleSideSummary?> GetAsync(TokenId token, CancellationToken cancellationToken = default) =>
        ledger.ReadTenantAsync(tenantId, "Apple's side of a token was read", async () =>
        {
            await using var session = Query();
            var doc = await session.LoadAsync<AppleSideDoc>(Streams.Apple(token), cancellationToken).ConfigureAwait(false);
            if (doc is null)
            {
                return null;
            }

            var s = doc.State;
            return (AppleSideSummary?)new AppleSideSummary(token, s.MdmId, s.MdmName, s.LocationUId, s.ManagedElsewhere, s.WalkId, s.NextPage, s.CompletedVersionId, s.CompletedAt, s.OpenFindingCount);
        }, cancellationToken);

    public Task<AppleUserState?> GetUserStateAsync(TokenId token, string clientUserId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientUserId);
        return ledger.ReadTenantAsync(tenantId, "Apple's state of a user was read", async () =>
        {
            await using var session = Query();
            var doc = await session.LoadAsync<AppleUserDoc>(token.Value + "|" + clientUserId, cancellationToken).ConfigureAwait(false);
            return doc?.State;
        }, cancellationToken);
    }

    private IQuerySession Query() => ledger.QuerySession(tenantId);
}
