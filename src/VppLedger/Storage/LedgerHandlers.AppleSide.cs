using Marten;
using VppLedger.AppleSide;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>
/// Apple's side of a token (docs/apple.md): notifications, user states, client config, assets and assignments
/// snapshots, and the reconciliation a completed assignments snapshot runs. The deciders decide; this file loads.
/// </summary>
internal sealed partial class LedgerHandlers
{
    private Task<WriteStream<AppleSideState>> AppleSideStreamAsync(TokenId token) =>
        context.FetchAsync<AppleSideDoc, AppleSideState>(
            Streams.Apple(token),
            d => d.State,
            AppleSideState.Initial,
            (s, e) => AppleSideDecider.Evolve(s, (IAppleSideEvent)e),
            cancellationToken);

    private async Task<Rejection?> AppleTokenAsync(TokenId token)
    {
        var stream = await TokenStreamAsync(token).ConfigureAwait(false);
        return AppleSideDecider.CheckToken(token, stream.State);
    }

    private async Task<Handled> AppleNotificationAsync(RecordAppleNotification c)
    {
        if (AppleSideDecider.CheckNotification(c) is { } incomplete)
        {
            return incomplete;
        }

        if (await AppleTokenAsync(c.Token).ConfigureAwait(false) is { } missing)
        {
            return missing;
        }

        // The stored set: the stream's version is the lock, so the same notification recorded twice at once commits once.
        var side = await AppleSideStreamAsync(c.Token).ConfigureAwait(false);
        var n = c.Notification;
        if (await _session.LoadAsync<AppleNotificationDoc>(AppleSideRowsProjection.NotificationId(c.Token, n.NotificationId), cancellationToken).ConfigureAwait(false) is not null)
        {
            return Handled.Done; // rule I4: this notification was recorded before
        }

        switch (n.Type)
        {
            case AppleNotificationType.AssetManagement:
                var answered = await AppleEventStatusAsync(new RecordAppleEventStatus(n.AssetManagement!, c.Id, c.Actor)).ConfigureAwait(false);
                if (answered.Rejection is not null)
                {
                    return answered;
                }

                break;
            case AppleNotificationType.UserManagement or AppleNotificationType.UserAssociated:
                await AppendUserStatesAsync(side, c.Token, n.Users!).ConfigureAwait(false);
                break;
        }

        side.Append<IAppleSideEvent>([new AppleNotificationRecorded(
            c.Token, n.NotificationId, n.Type, n.AssetManagement?.AppleEventId, n.AssetCount, n.Users?.Count ?? 0, context.Now)]);
        return Handled.Done;
    }

    private async Task<Handled> AppleUserStatesAsync(RecordAppleUserStates c)
    {
        if (AppleSideDecider.CheckUsers(c.Token, c.Users) is { } invalid)
        {
            return invalid;
        }

        if (await AppleTokenAsync(c.Token).ConfigureAwait(false) is { } missing)
        {
            return missing;
        }

        var side = await AppleSideStreamAsync(c.Token).ConfigureAwait(false);
        await AppendUserStatesAsync(side, c.Token, c.Users).ConfigureAwait(false);
        return Handled.Done;
    }

    private async Task AppendUserStatesAsync(WriteStream<AppleSideState> side, TokenId token, IReadOnlyList<AppleUserStateReport> users)
    {
        var ids = users.Select(u => token.Value + "|" + u.ClientUserId).Distinct(StringComparer.Ordinal).ToList();
        var known = await _session.LoadByKeysAsync<AppleUserDoc>(ids, cancellationToken).ConfigureAwait(false);
        var forward = AppleSideDecider.Forward(users, known.ToDictionary(u => u.ClientUserId, u => u.State, StringComparer.Ordinal));
        if (forward.Count > 0)
        {
            side.Append<IAppleSideEvent>([new AppleUserStatesRecorded(token, forward, context.Now)]);
        }
    }

    private async Task<Handled> AppleClientConfigAsync(RecordAppleClientConfig c)
    {
        if (await AppleTokenAsync(c.Token).ConfigureAwait(false) is { } missing)
        {
            return missing;
        }

        var side = await AppleSideStreamAsync(c.Token).ConfigureAwait(false);
        var (decision, otherMdm) = AppleSideDecider.DecideClientConfig(c, side.State, context.Now);
        if (side.AppendDecided(decision) is { } refused)
        {
            return refused;
        }

        // Rule T3: another MDM took control; the token neither syncs nor grants until control is taken back.
        return otherMdm
            ? await TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(new MarkTokenAssignedToExternalMdm(c.Token, c.MdmName ?? c.MdmId, c.Id, c.Actor), s, context.Now))).ConfigureAwait(false)
            : Handled.Done;
    }

    private async Task<Handled> AppleAssetsAsync(ApplyAppleAssetsSnapshot c)
    {
        if (AppleSideDecider.CheckAssets(c) is { } invalid)
        {
            return invalid;
        }

        foreach (var asset in c.Assets.OrderBy(a => a.AdamId.Value, StringComparer.Ordinal).ThenBy(a => a.Pricing))
        {
            var pool = new PoolId(c.Token, asset.AdamId, asset.Pricing);
            if (await TokenBlockAsync(pool).ConfigureAwait(false) is { } blocked)
            {
                return blocked; // rules T2, T3: a token that may not sync records no counts
            }

            var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
            var counts = await workspace.DecideAsync(
                new ApplyAppleCounts(pool, asset.Product, asset.TotalCount, asset.RetiredCount, asset.AssignedCount, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (counts.IsRejected)
            {
                return counts.Rejection;
            }

            var facts = new AppleAssetFacts(asset.DeviceAssignable, asset.Revocable, [.. (asset.SupportedPlatforms ?? []).Order(StringComparer.Ordinal)]);
            var recorded = await workspace.DecideAsync(new RecordAppleAssetFacts(pool, facts, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (recorded.IsRejected)
            {
                return recorded.Rejection;
            }
        }

        return Handled.Done;
    }

    private async Task<Handled> AppleAssignmentsPageAsync(RecordAppleAssignmentsPage c)
    {
        if (await AppleTokenAsync(c.Token).ConfigureAwait(false) is { } missing)
        {
            return missing;
        }

        var side = await AppleSideStreamAsync(c.Token).ConfigureAwait(false);
        var before = side.State;
        var decision = AppleSideDecider.DecidePage(c, before, context.Now);
        if (side.AppendDecided(decision) is { } refused)
        {
            return refused;
        }

        if (!c.IsLastPage)
        {
            return Handled.Done;
        }

        var tokenState = (await TokenStreamAsync(c.Token).ConfigureAwait(false)).State;
        var facts = await ReconciliationFactsAsync(c, tokenState.AssignedToExternalMdm).ConfigureAwait(false);
        var findings = Reconciliation.Compare(facts, context.Policy.ApplePendingTooLong, context.Now);
        side.Append(findings);
        return Handled.Done;
    }

    /// <summary>
    /// What reconciliation compares: Apple's seats after this walk, the token's granted seats, its pending releases, its
    /// open findings, and whether the token is assigned to another MDM now (rule T3: set by another MDM's client config,
    /// cleared by taking control).
    /// </summary>
    private async Task<ReconciliationFacts> ReconciliationFactsAsync(RecordAppleAssignmentsPage c, bool managedElsewhere)
    {
        var token = c.Token.Value;
        var walk = c.WalkId;

        // Apple's seats: the rows of this walk's earlier pages (and, for a delta, of the snapshot it builds on), plus this page.
        var rows = c.SinceVersionId is null
            ? await _session.Query<AppleSeatDoc>().Where(r => r.TokenKey == token && r.WalkId == walk).ToListAsync(cancellationToken).ConfigureAwait(false)
            : await _session.Query<AppleSeatDoc>().Where(r => r.TokenKey == token).ToListAsync(cancellationToken).ConfigureAwait(false);
        var apple = rows.Select(r => (r.PoolKey, r.HolderRef))
            .Concat(c.Assignments.Select(a => (Streams.Pool(new PoolId(c.Token, a.AdamId, a.Pricing)), a.HolderRef)))
            .Distinct()
            .ToList();

        // The ledger's granted seats of the token, and how Apple names each holder.
        var seats = await _session.Query<SeatDoc>().Where(s => s.TokenKey == token && s.Status == SeatStatus.Granted).ToListAsync(cancellationToken).ConfigureAwait(false);
        var deviceIds = seats.Where(s => s.Type == LicenseType.Device).Select(s => Streams.Device(new DeviceId(s.OwnerId))).Distinct(StringComparer.Ordinal).ToList();
        var devices = deviceIds.Count == 0 ? [] : await _session.LoadByKeysAsync<DeviceDoc>(deviceIds, cancellationToken).ConfigureAwait(false);
        var serialOfDevice = devices.Where(d => d.SerialKey is not null).ToDictionary(d => d.Id, d => d.SerialKey!, StringComparer.Ordinal);
        string? RefOf(SeatDoc s) => s.Type == LicenseType.User
            ? "user:" + s.HolderKey
            : serialOfDevice.TryGetValue(Streams.Device(new DeviceId(s.OwnerId)), out var serial) ? "serial:" + serial : null;

        // Apple's serial numbers the ledger knows as devices; a clientUserId is a user holder's key.
        var appleSerials = apple.Select(a => a.HolderRef).Where(r => r.StartsWith("serial:", StringComparison.Ordinal)).Select(r => r[7..]).Distinct(StringComparer.Ordinal).ToList();
        var knownSerials = appleSerials.Count == 0 ? [] : await _session.Query<DeviceDoc>().Where(d => appleSerials.Contains(d.SerialKey!)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var deviceOfSerial = knownSerials.Where(d => d.State.Id is not null).GroupBy(d => d.SerialKey!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Holder.ForDevice(g.First().State.Id!.Value), StringComparer.Ordinal);
        // A clientUserId is a user holder's key when it parses as one and names a user the ledger recorded.
        static Holder? UserOf(string holderRef)
        {
            try
            {
                return holderRef.StartsWith("user:", StringComparison.Ordinal) ? Holder.FromKey(holderRef[5..]) : null;
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                return null; // a clientUserId another system chose: not a holder of this ledger
            }
        }

        var userIds = apple.Select(a => UserOf(a.HolderRef)).OfType<Holder>().Select(h => Streams.User(h.User!.Value)).Distinct(StringComparer.Ordinal).ToList();
        var knownUsers = userIds.Count == 0 ? [] : (await _session.LoadByKeysAsync<UserDoc>(userIds, cancellationToken).ConfigureAwait(false)).Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        Holder? HolderOf(string holderRef) =>
            holderRef.StartsWith("serial:", StringComparison.Ordinal)
                ? deviceOfSerial.GetValueOrDefault(holderRef[7..])
                : UserOf(holderRef) is { } user && knownUsers.Contains(Streams.User(user.User!.Value)) ? user : null;

        var prefix = "pool:" + token + ":";
        var releases = await _session.Query<ReleaseDoc>().Where(r => r.PoolKey.StartsWith(prefix)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var open = await _session.Query<FindingDoc>().Where(f => f.TokenKey == token).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ReconciliationFacts(
            c.Token,
            managedElsewhere,
            [.. apple.Select(a => new AppleSeatFact(PoolOf(a.Item1), a.Item2, HolderOf(a.Item2)))],
            [.. seats.Select(s => new LedgerSeatFact(PoolOf(s.PoolKey), Holder.FromKey(s.HolderKey), RefOf(s), s.Apple, s.RequestedAt ?? s.Since))],
            releases.Select(r => PoolOf(r.PoolKey) + "|" + r.HolderKey).ToHashSet(StringComparer.Ordinal),
            [.. open.Select(f => f.Finding)]);
    }
}
