using System.Security.Cryptography;
using System.Text;
using Marten;
using VppLedger.Directory;
using VppLedger.Pools;

namespace VppLedger.Storage;

/// <summary>The Apple outbox of one tenant over its request rows (docs/apple.md).</summary>
internal sealed class AppleOutboxStore(MartenLicenseLedger ledger, ITenantLedger tenant) : IAppleOutbox
{
    public Task<IReadOnlyList<TokenId>> TokensWithPendingRequestsAsync(CancellationToken cancellationToken = default) =>
        ledger.ReadTenantAsync(tenant.Tenant.Value, "the Apple outbox was read", async () =>
        {
            await using var session = Query();
            var tokens = await session.Query<AppleRequestDoc>()
                .Where(r => r.Status == AppleRequestStatus.Pending)
                .Select(r => r.TokenKey)
                .Distinct()
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<TokenId>)[.. tokens.Order(StringComparer.Ordinal).Select(t => new TokenId(t))];
        }, cancellationToken);

    public Task<AppleRequestBatch?> TakeBatchAsync(TokenId token, AppleServiceLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return ledger.ReadTenantAsync(tenant.Tenant.Value, "the Apple outbox was read", async () =>
        {
            await using var session = Query();
            var key = token.Value;
            var take = Math.Max(1, Math.Max(limits.MaxHoldersPerCall, limits.MaxRevokeHoldersPerCall));
            var rows = await session.Query<AppleRequestDoc>()
                .Where(r => r.TokenKey == key && r.Status == AppleRequestStatus.Pending)
                .OrderBy(r => r.PoolKey)
                .ThenBy(r => r.Version)
                .Take(take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var serials = await SerialsAsync(session, rows, cancellationToken).ConfigureAwait(false);
            var batch = AppleRequests.FirstBatch([.. rows.Select(r => r.ToRequest(serials.GetValueOrDefault(r.HolderKey)))], limits);
            return batch.Count == 0 ? null : new AppleRequestBatch(token, batch[0].Kind, batch);
        }, cancellationToken);
    }

    public Task<CommandOutcome> RecordAnswerAsync(AppleRequestBatch batch, AppleCallAnswer answer, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(actor);
        var ids = batch.Requests.Select(r => r.RequestId).ToList();

        // The batch's own id: the same batch answered again is the same command (rule I4); another answer to it is refused.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(batch.Token.Value + "\n" + string.Join("\n", ids)));
        var id = new CommandId("apple-call-" + Convert.ToHexStringLower(hash)[..40]);
        return tenant.ExecuteAsync(new RecordAppleCallAnswer(batch.Token, ids, answer, id, actor), cancellationToken);
    }

    public async Task<CommandOutcome> RecordEventStatusAsync(AppleEventStatus status, string? notificationId, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(actor);

        // A notification is one command however often Apple sends it; a polled status is one command per distinct answer.
        // A notification about requests of a known token joins that token's stored set of notification ids (docs/apple.md).
        if (notificationId is not null && !string.IsNullOrEmpty(status.AppleEventId))
        {
            var token = (await RequestsOfEventAsync(status.AppleEventId, cancellationToken).ConfigureAwait(false)).Select(r => r.Pool.Token).FirstOrDefault();
            if (token != default)
            {
                var notification = new AppleSide.AppleNotification(notificationId, AppleSide.AppleNotificationType.AssetManagement, AssetManagement: status);
                return await tenant.ExecuteAsync(new AppleSide.RecordAppleNotification(token, notification, IdOf("notification\n" + notificationId), actor), cancellationToken).ConfigureAwait(false);
            }
        }

        var identity = notificationId is not null
            ? "notification\n" + notificationId
            : string.Join("\n", new[] { "status", status.AppleEventId, status.State.ToString(), status.RequestedCount.ToString(System.Globalization.CultureInfo.InvariantCulture), status.CompletedCount.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                .Concat(status.Failures.Select(f => $"{f.AdamId.Value}|{f.ClientUserId}|{f.SerialNumber?.Value}|{f.ErrorNumber}")));
        return await tenant.ExecuteAsync(new RecordAppleEventStatus(status, IdOf(identity), actor), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> EventsAwaitingResultAsync(TokenId token, int take = 100, string? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        return ledger.ReadTenantAsync(tenant.Tenant.Value, "the Apple outbox was read", async () =>
        {
            await using var session = Query();
            var key = token.Value;
            var events = await session.Query<AppleRequestDoc>()
                .Where(r => r.TokenKey == key && r.Status == AppleRequestStatus.Sent && r.AppleEventId != null)
                .Select(r => r.AppleEventId!)
                .Distinct()
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<string>)[.. events.Where(e => after is null || string.CompareOrdinal(e, after) > 0).Order(StringComparer.Ordinal).Take(take)];
        }, cancellationToken);
    }

    private static CommandId IdOf(string identity) =>
        new("apple-status-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..40]);

    public Task<IReadOnlyList<AppleRequest>> RequestsOfEventAsync(string appleEventId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(appleEventId);
        return ledger.ReadTenantAsync(tenant.Tenant.Value, "the Apple outbox was read", async () =>
        {
            await using var session = Query();
            var rows = await session.Query<AppleRequestDoc>()
                .Where(r => r.AppleEventId == appleEventId)
                .OrderBy(r => r.PoolKey)
                .ThenBy(r => r.Version)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var serials = await SerialsAsync(session, rows, cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<AppleRequest>)[.. rows.Select(r => r.ToRequest(serials.GetValueOrDefault(r.HolderKey)))];
        }, cancellationToken);
    }

    public Task<IReadOnlyDictionary<AppleRequestStatus, int>> CountAsync(CancellationToken cancellationToken = default) =>
        ledger.ReadTenantAsync(tenant.Tenant.Value, "the Apple outbox was counted", async () =>
        {
            await using var session = Query();
            var counts = new Dictionary<AppleRequestStatus, int>();
            foreach (var status in Enum.GetValues<AppleRequestStatus>())
            {
                counts[status] = await session.Query<AppleRequestDoc>().CountAsync(r => r.Status == status, cancellationToken).ConfigureAwait(false);
            }

            return (IReadOnlyDictionary<AppleRequestStatus, int>)counts;
        }, cancellationToken);

    /// <summary>The serial numbers of the device holders among the rows, as the host recorded them.</summary>
    internal static async Task<Dictionary<string, SerialNumber>> SerialsAsync(IQuerySession session, IReadOnlyList<AppleRequestDoc> rows, CancellationToken cancellationToken)
    {
        var devices = rows.Select(r => Holder.FromKey(r.HolderKey)).Where(h => h.Device is not null).DistinctBy(h => h.Key).ToList();
        var serials = new Dictionary<string, SerialNumber>(StringComparer.Ordinal);
        if (devices.Count == 0)
        {
            return serials;
        }

        var docs = await session.LoadByKeysAsync<DeviceDoc>(devices.Select(h => Streams.Device(h.Device!.Value)), cancellationToken).ConfigureAwait(false);
        var byId = docs.Where(d => d.State.SerialNumber is not null).ToDictionary(d => d.Id, d => d.State.SerialNumber!.Value, StringComparer.Ordinal);
        foreach (var holder in devices)
        {
            if (byId.TryGetValue(Streams.Device(holder.Device!.Value), out var serial))
            {
                serials[holder.Key] = serial;
            }
        }

        return serials;
    }

    private IQuerySession Query() => ledger.QuerySession(tenant.Tenant.Value);
}
