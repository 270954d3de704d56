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

    /// <summary>
    /// Apple's counts (S2). Licenses bought serve the queue first in, first out (A6), at most
    /// <see cref="WriteContext.PageSize"/> a transaction: a page that served a full page leaves a queue cursor and the
    /// next page serves on (a large operation); a page that served fewer ends it.
    /// </summary>
    private async Task<Handled> CountsAsync(ApplyAppleCounts c)
    {
        if (PageCursor.ParseQueue(context.StartCursor) is not null)
        {
            return await ServeQueuePageAsync([c.Pool], c).ConfigureAwait(false); // the counts committed with the first page
        }

        if (await TokenBlockAsync(c.Pool).ConfigureAwait(false) is { } blocked)
        {
            return blocked;
        }

        var workspace = await context.PoolAsync(c.Pool, cancellationToken).ConfigureAwait(false);
        var decision = await workspace.DecideAsync(c, cancellationToken, context.PageSize).ConfigureAwait(false);
        if (!decision.IsRejected && Promoted(decision) >= context.PageSize)
        {
            context.ResumeCursor = PageCursor.Queue(Streams.Pool(c.Pool));
        }

        return decision.Rejection;
    }

    /// <summary>
    /// Serves the queues of <paramref name="pools"/> (in order, from the pool a previous page stopped in), at most
    /// <see cref="WriteContext.PageSize"/> promotions in all; sets a queue cursor when a pool may have more.
    /// </summary>
    private async Task<Handled> ServeQueuePageAsync(IReadOnlyList<PoolId> pools, ILedgerCommand c)
    {
        var start = PageCursor.ParseQueue(context.StartCursor);
        var budget = context.PageSize;
        foreach (var pool in pools)
        {
            var poolKey = Streams.Pool(pool);
            if (start is not null && string.CompareOrdinal(poolKey, start) < 0)
            {
                continue; // served by an earlier page
            }

            var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
            var served = await workspace.DecideAsync(new ServeQueue(pool, c.Id, c.Actor), cancellationToken, budget).ConfigureAwait(false);
            if (served.IsRejected)
            {
                return served.Rejection;
            }

            budget -= Promoted(served);
            if (budget == 0)
            {
                context.ResumeCursor = PageCursor.Queue(poolKey);
                return Handled.Done;
            }
        }

        return Handled.Done;
    }

    private static int Promoted(Decision<IPoolEvent> decision) =>
        decision.Events.Count(e => e is LicenseGranted { Reason: GrantReason.PromotedFromQueue });

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
        var users = (userIds.Count == 0 ? [] : await context.LoadManyAsync<UserDoc>(userIds, cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Id, d => d.State, StringComparer.Ordinal);
        var devices = (deviceIds.Count == 0 ? [] : await context.LoadManyAsync<DeviceDoc>(deviceIds, cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Id, d => d.State, StringComparer.Ordinal);
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
                var app = await context.PoolAsync(PoolOf("pool:" + c.Target), cancellationToken).ConfigureAwait(false);
                if (!app.State.Orphaned && app.State.RefuseRevokeAll() is { } notRevocable)
                {
                    return notRevocable; // before any page commits, so the refusal writes nothing
                }

                return (await SweepAsync([app.Pool], c).ConfigureAwait(false)).Rejection;
            case RevocationScope.Token:
                return (await SweepAsync(await PoolsOfTokenAsync(new TokenId(c.Target)).ConfigureAwait(false), c).ConfigureAwait(false)).Rejection;
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

    /// <summary>The pools of a token, in id order (a covered read: a pool added meanwhile makes the command decide again).</summary>
    private async Task<IReadOnlyList<PoolId>> PoolsOfTokenAsync(TokenId token)
    {
        var pools = await context.ReadPoolsOfTokenAsync(token, cancellationToken).ConfigureAwait(false);
        return [.. pools.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => p.State.Pool)];
    }

    /// <summary>
    /// Revokes every granted and queued holder of the pools (in id order, R1), in pages of <see cref="WriteContext.PageSize"/>
    /// holders: from the pool the previous page stopped in (<see cref="WriteContext.StartCursor"/>), the first holders
    /// still releasable in each pool (revoked seats leave the rows, so no position inside a pool is needed). When a page is
    /// full and more remain, it sets <see cref="WriteContext.ResumeCursor"/> and stops; <c>Finished</c> says the sweep
    /// reached the last pool in this transaction, and <c>FromFirstPool</c> that it also started at the first one.
    /// </summary>
    private async Task<(Rejection? Rejection, bool Finished, bool FromFirstPool)> SweepAsync(IReadOnlyList<PoolId> pools, ILedgerCommand c)
    {
        var start = PageCursor.ParseSeats(context.StartCursor);
        var budget = context.PageSize;
        foreach (var pool in pools)
        {
            var poolKey = Streams.Pool(pool);
            if (!string.IsNullOrEmpty(start) && string.CompareOrdinal(poolKey, start) < 0)
            {
                continue; // emptied by an earlier page: not even loaded
            }

            var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);

            var (rejection, taken, more) = await RevokePoolPageAsync(workspace, budget, c).ConfigureAwait(false);
            if (rejection is not null)
            {
                return (rejection, false, false);
            }

            if (more)
            {
                context.ResumeCursor = PageCursor.Seats(poolKey);
                return (null, false, false);
            }

            budget -= taken;
        }

        return (null, true, string.IsNullOrEmpty(start));
    }

    /// <summary>
    /// Revokes at most <paramref name="budget"/> releasable holders of one pool (R1): every seat of an app, the queued
    /// ones of a book (a granted book stays with its user, L6) or of an app Apple says is not revocable (R3, with a
    /// warning); <c>More</c> says some were left for the next page.
    /// </summary>
    private async Task<(Rejection? Rejection, int Taken, bool More)> RevokePoolPageAsync(PoolWorkspace workspace, int budget, ILedgerCommand c)
    {
        if (workspace.State.Orphaned)
        {
            // Rule R7: the decider refuses a revocation under a deleted token.
            var refused = await workspace.DecideAsync(new RevokeAllLicenses(workspace.Pool, [], c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            return (refused.Rejection, 0, false);
        }

        var poolKey = Streams.Pool(workspace.Pool);
        var query = _session.Query<SeatDoc>().Where(s => s.PoolKey == poolKey);
        var notRevocable = workspace.State.RefuseRevokeAll();
        if (workspace.State.Product == ProductKind.Book || notRevocable is not null)
        {
            query = query.Where(s => s.Status == SeatStatus.Queued);
        }

        if (notRevocable is not null)
        {
            context.Warnings.Add(notRevocable.AsWarning()); // a token's sweep goes on: this pool's granted seats stay
        }

        var take = budget >= int.MaxValue - 1 ? int.MaxValue : budget + 1;
        var seats = await query.OrderBy(s => s.Id).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
        var holders = seats.Take(budget).Select(s => Holder.FromKey(s.HolderKey)).ToList();
        if (holders.Count == 0)
        {
            return (null, 0, seats.Count > budget);
        }

        var decision = await workspace.DecideAsync(new RevokeAllLicenses(workspace.Pool, holders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return (decision.Rejection, holders.Count, seats.Count > budget);
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
