using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>Pool commands and revocation.</summary>
internal sealed partial class LedgerHandlers
{
    private async Task<Handled> GatedPoolAsync(IPoolCommand c) =>
        await TokenBlockAsync(c.Pool).ConfigureAwait(false) ?? await PoolAsync(c).ConfigureAwait(false);

    /// <summary>Why the pool's token may neither sync nor grant now (an orphaned pool answers for itself), or null.</summary>
    private async Task<Rejection?> TokenBlockAsync(PoolId pool)
    {
        var token = await TokenStreamAsync(pool.Token).ConfigureAwait(false);
        if (TokenRules.CheckCanSyncOrGrant(token.State, context.Now) is { } blocked)
        {
            var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
            if (!workspace.State.Orphaned)
            {
                return blocked;
            }
        }

        return null;
    }

    /// <summary>A host's direct grant: every holder passes the rules a targeted member passes, then the pool decides.</summary>
    private async Task<Handled> DirectGrantAsync(GrantLicenses c)
    {
        if (await TokenBlockAsync(c.Pool).ConfigureAwait(false) is { } blocked)
        {
            return blocked;
        }

        var workspace = await context.PoolAsync(c.Pool, cancellationToken).ConfigureAwait(false);
        var userIds = c.Holders.Where(h => h.Type == LicenseType.User).Select(h => Streams.User(h.User!.Value)).Distinct(StringComparer.Ordinal).ToList();
        var deviceIds = c.Holders.Where(h => h.Type == LicenseType.Device).Select(h => Streams.Device(h.Device!.Value)).Distinct(StringComparer.Ordinal).ToList();
        var users = (userIds.Count == 0 ? [] : await _session.LoadManyAsync<UserDoc>(cancellationToken, userIds).ConfigureAwait(false)).ToDictionary(d => d.Id, d => d.State, StringComparer.Ordinal);
        var devices = (deviceIds.Count == 0 ? [] : await _session.LoadManyAsync<DeviceDoc>(cancellationToken, deviceIds).ConfigureAwait(false)).ToDictionary(d => d.Id, d => d.State, StringComparer.Ordinal);
        foreach (var holder in c.Holders)
        {
            var user = holder.User is { } u ? users.GetValueOrDefault(Streams.User(u)) : null;
            var device = holder.Device is { } d ? devices.GetValueOrDefault(Streams.Device(d)) : null;
            if (workspace.State.Synced && LicenseHolders.CheckDirectGrant(c.Pool, workspace.State.Product, holder, user, device, workspace.State.DeviceAssignable) is { } refused)
            {
                return refused;
            }
        }

        return await PoolAsync(c).ConfigureAwait(false);
    }

    private async Task<Handled> PoolAsync(IPoolCommand c)
    {
        var workspace = await context.PoolAsync(c.Pool, cancellationToken).ConfigureAwait(false);
        var decision = await workspace.DecideAsync(c, cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    private async Task<Handled> RevokeAsync(RevokeLicenses c)
    {
        IReadOnlyList<SeatDoc> seats;
        switch (c.Scope)
        {
            case RevocationScope.App:
                var poolKey = "pool:" + c.Target;
                var pool = PoolOf(poolKey);
                var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
                return await RevokePoolAsync(workspace, _ => true, c).ConfigureAwait(false);
            case RevocationScope.Token:
                var pools = await context.ReadPoolsOfTokenAsync(new TokenId(c.Target), cancellationToken).ConfigureAwait(false);
                foreach (var p in pools.OrderBy(p => p.Id, StringComparer.Ordinal))
                {
                    var revoked = await RevokePoolAsync(await context.PoolAsync(p.State.Pool, cancellationToken).ConfigureAwait(false), _ => true, c).ConfigureAwait(false);
                    if (revoked is not null)
                    {
                        return revoked;
                    }
                }

                return Handled.Done;
            case RevocationScope.User:
                var user = new UserId(c.Target).Value;
                seats = await context.ReadSeatsOfOwnersAsync([(Streams.User(new UserId(user)), user)], LicenseType.User, cancellationToken).ConfigureAwait(false);
                break;
            default:
                var device = new DeviceId(c.Target).Value;
                seats = await context.ReadSeatsOfOwnersAsync([(Streams.Device(new DeviceId(device)), device)], LicenseType.Device, cancellationToken).ConfigureAwait(false);
                break;
        }

        foreach (var group in seats.GroupBy(s => s.PoolKey).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var workspace = await context.PoolAsync(PoolOf(group.Key), cancellationToken).ConfigureAwait(false);
            if (workspace.State.Orphaned)
            {
                context.Warnings.Add(PoolRejections.LicensesOrphanedTokenDeleted(workspace.Pool).AsWarning()); // rule R7: these stay out
                continue;
            }

            // One user's or device's licenses: the seats they free go to the head of the queue (A6).
            var decision = await workspace.DecideAsync(
                new ReclaimLicenses(workspace.Pool, [.. group.Select(s => Holder.FromKey(s.HolderKey))], ReclaimReason.Revoked, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }
        }

        return Handled.Done;
    }

    /// <summary>Revokes every granted and queued holder of a pool, a page at a time (R1).</summary>
    private async Task<Rejection?> RevokePoolAsync(PoolWorkspace workspace, Func<SeatDoc, bool> include, ILedgerCommand c)
    {
        var poolKey = Streams.Pool(workspace.Pool);
        var seats = await _session.Query<SeatDoc>().Where(s => s.PoolKey == poolKey).OrderBy(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var holders = seats.Where(include).Select(s => Holder.FromKey(s.HolderKey)).ToList();
        if (holders.Count == 0 && !workspace.State.Orphaned)
        {
            return null;
        }

        var decision = await workspace.DecideAsync(new RevokeAllLicenses(workspace.Pool, holders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    internal static PoolId PoolOf(string poolKey)
    {
        var parts = poolKey.Split(':', 3);
        if (parts.Length != 3 || parts[0] != "pool")
        {
            throw new ArgumentException($"'{poolKey}' is not a pool; write it as {{tokenId}}:{{adamId}}.", nameof(poolKey));
        }

        return PoolId.FromAppKey(parts[1], parts[2]);
    }
}
