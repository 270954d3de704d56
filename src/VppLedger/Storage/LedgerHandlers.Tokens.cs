using Marten;
using VppLedger.Assignments;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>
/// Token commands: upload, renew, migrate, take control, delete, and the location claims (T4). Every upload,
/// migration and deletion appends to the tenant's <see cref="Streams.TenantTokens"/> stream at the version read
/// before its token count and claims, so two of them never both commit on the same read (T1, T4).
/// </summary>
internal sealed partial class LedgerHandlers
{
    private Task<WriteStream<TokenState>> TokenStreamAsync(TokenId token) => context.TokenAsync(token, cancellationToken);

    private async Task<Handled> TokenAsync(TokenId token, Func<TokenState, Task<Decision<ITokenEvent>>> decide)
    {
        var stream = await TokenStreamAsync(token).ConfigureAwait(false);
        return stream.AppendDecided(await decide(stream.State).ConfigureAwait(false));
    }

    private Rejection? Parse(string content, out VppTokenFile file)
    {
        var parsed = VppTokenFile.Parse(content, context.Now);
        file = parsed.File!;
        return parsed.IsValid ? null : parsed.Rejection;
    }

    /// <summary>Rule T12: the file's secret goes to its own erasable document, never to an event.</summary>
    private void StoreSecret(TokenId token, VppTokenFile file) =>
        _session.Store(new TokenSecretDoc(token.Value, file.Secret.Reveal(), file.Fingerprint.Hex));

    private async Task<Handled> UploadAsync(UploadTokenFile c)
    {
        if (Parse(c.FileContent, out var file) is { } unreadable)
        {
            return unreadable;
        }

        var location = c.Location ?? file.LocationFromOrganization;
        var tenantVersion = await TenantTokensVersionAsync().ConfigureAwait(false);
        var tokenCount = await LiveTokenCountAsync().ConfigureAwait(false);
        var claims = await ClaimsAsync(c.Token, location).ConfigureAwait(false);
        var command = new UploadToken(c.Token, file.Facts, location, c.ManagedAppleId, c.Settings, c.ConsentToSendDataToApple, c.TakeControlFromOtherMdm, c.Id, c.Actor, c.Programme);
        var stream = await TokenStreamAsync(c.Token).ConfigureAwait(false);

        // Rule T4 is the decider's last check: decided as if no other tenant held the location, and only an upload
        // that would be accepted takes the location's claim in the control database (LocationGuard).
        var decision = TokenDecider.Decide(command, stream.State, tokenCount, claims, context.Now);
        if (!decision.IsRejected && decision.Events.Count > 0 && !await context.ClaimAsync(location, cancellationToken).ConfigureAwait(false))
        {
            decision = TokenDecider.Decide(command, stream.State, tokenCount, claims with { ActiveInAnotherTenant = true }, context.Now);
        }

        if (stream.AppendDecided(decision) is { } refused)
        {
            return refused;
        }

        if (context.Changes.Count > 0)
        {
            AppendTenantTokensChanged(tenantVersion, c.Token, checked(tokenCount + 1));
            StoreSecret(c.Token, file);
        }

        return Handled.Done;
    }

    private async Task<Handled> RenewAsync(RenewTokenFile c)
    {
        if (PageCursor.ParseQueue(context.StartCursor) is not null)
        {
            return await ServeQueuesAsync(c.Token, c).ConfigureAwait(false); // the renewal committed with the first page
        }

        if (Parse(c.FileContent, out var file) is { } unreadable)
        {
            return unreadable;
        }

        var command = new RenewToken(c.Token, file.Facts, c.Location ?? file.LocationFromOrganization, c.Id, c.Actor);
        var handled = await TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(command, s, context.Now))).ConfigureAwait(false);
        if (handled.Rejection is null && context.Changes.Count > 0)
        {
            StoreSecret(c.Token, file); // rule T8: the new secret replaces the old
            return await ServeQueuesAsync(c.Token, c).ConfigureAwait(false);
        }

        return handled;
    }

    private async Task<Handled> TakeControlAsync(TakeTokenControl c)
    {
        if (PageCursor.ParseQueue(context.StartCursor) is not null)
        {
            return await ServeQueuesAsync(c.Token, c).ConfigureAwait(false); // control was taken with the first page
        }

        var handled = await TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))).ConfigureAwait(false);
        return handled.Rejection is null && context.Changes.Count > 0 ? await ServeQueuesAsync(c.Token, c).ConfigureAwait(false) : handled;
    }

    /// <summary>
    /// The token lets licenses be granted again: each of its pools serves its queue head (holders that waited, A6
    /// order), at most a page of promotions a transaction (<see cref="ServeQueuePageAsync"/>).
    /// </summary>
    private async Task<Handled> ServeQueuesAsync(TokenId token, ILedgerCommand c)
    {
        var tokenKey = token.Value;
        var pools = await _session.Query<PoolDoc>()
            .Where(p => p.TokenKey == tokenKey && p.Queued)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return await ServeQueuePageAsync([.. pools.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => p.State.Pool)], c).ConfigureAwait(false);
    }

    /// <summary>
    /// A legacy token takes its new location token's file in place (T9): same token id, so apps, assignments and
    /// licenses stay. The new secret is stored apart (T12), the new location claimed and the old one released (T4).
    /// </summary>
    private async Task<Handled> MigrateAsync(MigrateLegacyTokenFile c)
    {
        if (Parse(c.FileContent, out var file) is { } unreadable)
        {
            return unreadable;
        }

        var location = c.Location ?? file.LocationFromOrganization;
        var tenantVersion = await TenantTokensVersionAsync().ConfigureAwait(false);
        var claims = await ClaimsAsync(c.Token, location).ConfigureAwait(false);
        var stream = await TokenStreamAsync(c.Token).ConfigureAwait(false);
        var before = stream.State.Location;
        var command = new MigrateLegacyToken(c.Token, file.Facts, location, c.Id, c.Actor);
        var decision = TokenDecider.Decide(command, stream.State, claims, context.Now);
        if (!decision.IsRejected && decision.Events.Count > 0 && !await context.ClaimAsync(location, cancellationToken).ConfigureAwait(false))
        {
            decision = TokenDecider.Decide(command, stream.State, claims with { ActiveInAnotherTenant = true }, context.Now); // rule T4
        }

        if (stream.AppendDecided(decision) is { } refused)
        {
            return refused;
        }

        if (context.Changes.Count == 0)
        {
            return Handled.Done;
        }

        StoreSecret(c.Token, file);
        if (before != location)
        {
            await ReleaseClaimAsync(before).ConfigureAwait(false);
        }

        AppendTenantTokensChanged(tenantVersion, c.Token, await LiveTokenCountAsync().ConfigureAwait(false));
        return Handled.Done;
    }

    /// <summary>
    /// Rule T4: the location's other live token in this tenant. Whether another tenant holds it is the control
    /// database's answer (<see cref="WriteContext.ClaimAsync"/>), asked only of a change the decider would accept.
    /// </summary>
    private async Task<TokenLocationClaims> ClaimsAsync(TokenId token, LocationKey location)
    {
        var other = (await LiveHoldersAsync(location).ConfigureAwait(false)).Where(id => id != token).Cast<TokenId?>().FirstOrDefault();
        return new TokenLocationClaims(false, other);
    }

    /// <summary>The tenant's live tokens of a location, by id.</summary>
    private async Task<IReadOnlyList<TokenId>> LiveHoldersAsync(LocationKey location)
    {
        var key = location.Value;
        var holders = await _session.Query<TokenDoc>()
            .Where(t => t.Location == key && !t.Deleted)
            .Select(t => t.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. holders.Order(StringComparer.Ordinal).Select(id => new TokenId(id["token:".Length..]))];
    }

    /// <summary>
    /// The token no longer holds the location (a deletion, a migration away): the location's claim is taken for this
    /// command and settled after its commit, when it passes to another live token of the tenant or is freed (T4;
    /// <see cref="LocationGuardRules.HolderAfterSettle"/>). A claim another tenant holds is left alone.
    /// </summary>
    private async Task ReleaseClaimAsync(LocationKey location)
    {
        if (location.Value is not null)
        {
            await context.ClaimAsync(location, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<int> LiveTokenCountAsync() => _session.Query<TokenDoc>().CountAsync(t => !t.Deleted, cancellationToken);

    /// <summary>The version of the tenant's token stream; read before the count and the claims it covers.</summary>
    private async Task<long> TenantTokensVersionAsync()
    {
        var state = await _session.Events.FetchStreamStateAsync(Streams.TenantTokens, cancellationToken).ConfigureAwait(false);
        return state?.Version ?? 0;
    }

    /// <summary>Appends at the version read: a concurrent upload, migration or deletion that committed since makes this one conflict and decide again.</summary>
    private void AppendTenantTokensChanged(long versionRead, TokenId token, int liveTokenCount)
    {
        var e = new TenantTokensChanged(context.Now, token, liveTokenCount);
        _session.Events.Append(Streams.TenantTokens, versionRead + 1, e);
        context.Record(Streams.TenantTokens, versionRead + 1, e);
    }

    /// <summary>
    /// Deletes a token (T10). Under <see cref="LedgerPolicy.DeletingTokenRevokes"/> its licenses are revoked first, in
    /// pages of <see cref="WriteContext.PageSize"/> holders while the token stays live (as "revoke all, then delete"
    /// would); the token is deleted in the transaction of a sweep that went over every pool from the first one and found
    /// no more than a page left, so no license granted meanwhile is orphaned.
    /// </summary>
    private async Task<Handled> DeleteTokenAsync(DeleteToken c)
    {
        var tenantVersion = await TenantTokensVersionAsync().ConfigureAwait(false);
        var stream = await TokenStreamAsync(c.Token).ConfigureAwait(false);
        var decision = TokenDecider.Decide(c, stream.State, context.Policy, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        if (decision.Events.Count == 0)
        {
            return Handled.Done;
        }

        var pools = await PoolsOfTokenAsync(c.Token).ConfigureAwait(false);
        if (context.Policy.DeletingTokenRevokes)
        {
            var (revoked, finished, fromFirstPool) = await SweepAsync(pools, c).ConfigureAwait(false);
            if (revoked is not null)
            {
                return revoked;
            }

            if (!finished || !fromFirstPool)
            {
                // More to revoke, or licenses granted meanwhile in the pools passed: the next page sweeps again.
                context.ResumeCursor ??= PageCursor.Seats(null);
                return Handled.Done;
            }
        }

        var location = stream.State.Location;
        stream.Append(decision.Events);
        foreach (var pool in pools)
        {
            // Rule T10: the article's default orphans the licenses; R7: they can no longer be revoked.
            var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
            var orphaned = await workspace.DecideAsync(new OrphanPool(workspace.Pool, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (orphaned.IsRejected)
            {
                return orphaned.Rejection;
            }
        }

        if (await EndAssignmentsAsync(c.Token).ConfigureAwait(false) is { } ended)
        {
            return ended;
        }

        _session.Delete<TokenSecretDoc>(c.Token.Value);
        await ReleaseClaimAsync(location).ConfigureAwait(false);
        AppendTenantTokensChanged(tenantVersion, c.Token, Math.Max(0, await LiveTokenCountAsync().ConfigureAwait(false) - 1));
        return Handled.Done;
    }

    /// <summary>Every active assignment of the token's apps ends with it (T10): nothing is reclaimed, they no longer list or target.</summary>
    private async Task<Rejection?> EndAssignmentsAsync(TokenId token)
    {
        var assignments = await context.ReadAssignmentsOfTokenAsync(token, cancellationToken).ConfigureAwait(false);
        foreach (var doc in assignments.OrderBy(a => a.Id, StringComparer.Ordinal))
        {
            var stream = await context.FetchAsync<AssignmentDoc, AssignmentState>(
                doc.Id,
                d => d.State,
                AssignmentState.Initial(doc.State.Pool, doc.State.Group),
                (s, e) => AssignmentDecider.Evolve(s, (IAssignmentEvent)e),
                cancellationToken).ConfigureAwait(false);
            if (stream.AppendDecided(AssignmentDecider.EndWithToken(stream.State, context.Now)) is { } refused)
            {
                return refused;
            }
        }

        return null;
    }
}
