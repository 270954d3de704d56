using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>Token commands: upload, renew, delete and the location claims (T4).</summary>
internal sealed partial class LedgerHandlers
{
    private Task<WriteStream<TokenState>> TokenStreamAsync(TokenId token) =>
        context.FetchAsync<TokenDoc, TokenState>(Streams.Token(token), d => d.State, TokenState.Initial, (s, e) => TokenDecider.Evolve(s, (ITokenEvent)e), cancellationToken);

    private async Task<Handled> TokenAsync(TokenId token, Func<TokenState, Task<Decision<ITokenEvent>>> decide)
    {
        var stream = await TokenStreamAsync(token).ConfigureAwait(false);
        return stream.AppendDecided(await decide(stream.State).ConfigureAwait(false));
    }

    private async Task<Handled> UploadAsync(UploadTokenFile c)
    {
        var parsed = VppTokenFile.Parse(c.FileContent, context.Now);
        if (!parsed.IsValid)
        {
            return parsed.Error;
        }

        var file = parsed.File!;
        var location = c.Location ?? file.LocationFromOrganization;
        var tokenCount = await _session.Query<TokenDoc>().CountAsync(t => !t.Deleted, cancellationToken).ConfigureAwait(false);
        var claims = await ClaimsAsync(c.Token, location).ConfigureAwait(false);
        var command = new UploadToken(c.Token, file.Facts, location, c.ManagedAppleId, c.Settings, c.ConsentToSendDataToApple, c.TakeControlFromOtherMdm, c.Id, c.Actor);
        var handled = await TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(command, s, tokenCount, claims, context.Now))).ConfigureAwait(false);
        if (handled.Rejection is null && context.Changes.Count > 0)
        {
            _session.Store(new TokenSecretDoc(c.Token.Value, file.Secret.Reveal(), file.Fingerprint.Hex));
            if (claims.HeldInThisTenantBy is null)
            {
                _session.Store(new LocationClaimDoc(location.Value, location.Value, c.Token.Value));
            }
        }

        return handled;
    }

    private async Task<Handled> RenewAsync(RenewTokenFile c)
    {
        var parsed = VppTokenFile.Parse(c.FileContent, context.Now);
        if (!parsed.IsValid)
        {
            return parsed.Error;
        }

        var file = parsed.File!;
        var command = new RenewToken(c.Token, file.Facts, c.Location ?? file.LocationFromOrganization, c.Id, c.Actor);
        var handled = await TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(command, s, context.Now))).ConfigureAwait(false);
        if (handled.Rejection is null && context.Changes.Count > 0)
        {
            _session.Store(new TokenSecretDoc(c.Token.Value, file.Secret.Reveal(), file.Fingerprint.Hex)); // rule T8: the new secret replaces the old
        }

        return handled;
    }

    /// <summary>Rule T4: the location's claims in this tenant, and whether another tenant holds it (the one cross-tenant read, X2).</summary>
    private async Task<TokenLocationClaims> ClaimsAsync(TokenId token, LocationKey location)
    {
        var inAnotherTenant = await OtherTenantClaimsAsync(location).ConfigureAwait(false);
        var key = location.Value;
        var holders = await _session.Query<TokenDoc>()
            .Where(t => t.Location == key && !t.Deleted)
            .Select(t => t.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var other = holders.FirstOrDefault(id => id != Streams.Token(token));
        return new TokenLocationClaims(inAnotherTenant, other is null ? null : new TokenId(other["token:".Length..]));
    }

    private async Task<bool> OtherTenantClaimsAsync(LocationKey location)
    {
        await _session.Database.EnsureStorageExistsAsync(typeof(LocationClaimDoc), cancellationToken).ConfigureAwait(false);
        var sql = $"select count(*) from {context.Options.SchemaName}.mt_doc_locationclaimdoc where id = ? and tenant_id <> ?";
        var counts = await _session.QueryAsync<long>(sql, cancellationToken, location.Value, _session.TenantId).ConfigureAwait(false);
        return counts.Count > 0 && counts[0] > 0;
    }

    private async Task<Handled> DeleteTokenAsync(DeleteToken c)
    {
        var stream = await TokenStreamAsync(c.Token).ConfigureAwait(false);
        var decision = TokenDecider.Decide(c, stream.State, context.Policy, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        var location = stream.State.Location;
        stream.Append(decision.Events);
        if (decision.Events.Count == 0)
        {
            return Handled.Done;
        }

        var pools = await context.ReadPoolsOfTokenAsync(c.Token, cancellationToken).ConfigureAwait(false);
        foreach (var pool in pools)
        {
            var workspace = await context.PoolAsync(pool.State.Pool, cancellationToken).ConfigureAwait(false);
            if (context.Policy.DeletingTokenRevokes)
            {
                var revoked = await RevokePoolAsync(workspace, seat => true, c).ConfigureAwait(false);
                if (revoked is not null)
                {
                    return revoked;
                }
            }

            // Rule T10: the article's default orphans the licenses; R7: they can no longer be revoked.
            var orphaned = await workspace.DecideAsync(new OrphanPool(pool.State.Pool, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (orphaned.IsRejected)
            {
                return orphaned.Rejection;
            }
        }

        _session.Delete<TokenSecretDoc>(c.Token.Value);
        if (location.Value is not null)
        {
            var claim = await _session.LoadAsync<LocationClaimDoc>(location.Value, cancellationToken).ConfigureAwait(false);
            if (claim?.Token == c.Token.Value)
            {
                _session.Delete(claim);
            }
        }

        return Handled.Done;
    }
}
