using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VppLedger.Pools;

namespace VppLedger.Apple;

/// <summary>One Apple call made for some requests of an outbox batch, and the sub-batch its answer is recorded for.</summary>
internal sealed record AppleCall(AppleRequestBatch Batch, IReadOnlyList<AppleAssetRef> Assets, IReadOnlyList<string> SerialNumbers, IReadOnlyList<string> ClientUserIds);

/// <summary>How an outbox batch becomes Apple calls (pure).</summary>
internal static class AppleCalls
{
    /// <summary>
    /// The calls of a batch, in the batch's order. Apple associates every asset of a call with every holder of it, so a
    /// call carries the assets (each with its pool's pricingParam, STDQ or PLUS) that share exactly the same holders, and devices (serial numbers) and users
    /// (clientUserIds) go in separate calls. Each call's answer is recorded for its own requests (a sub-batch of the
    /// batch, so its command id is its own). A device request without a serial number cannot be sent: its id is returned
    /// and no call is made.
    /// </summary>
    public static (IReadOnlyList<AppleCall> Calls, string? Unsendable) Of(AppleRequestBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var entries = new List<(AppleRequest Request, bool Device, string HolderId)>(batch.Requests.Count);
        foreach (var request in batch.Requests)
        {
            var device = request.Holder.Type == LicenseType.Device;
            var id = device ? request.SerialNumber?.Value : request.Holder.Key;
            if (id is null)
            {
                return ([], request.RequestId);
            }

            entries.Add((request, device, id));
        }

        var calls = entries
            .GroupBy(e => (e.Request.Pool.AdamId, Pricing: e.Request.Pool.ApplePricingParam, e.Device))
            .GroupBy(g => (g.Key.Device, Holders: string.Join("\n", g.Select(e => e.HolderId).Distinct(StringComparer.Ordinal))))
            .Select(call =>
            {
                var holders = call.First().Select(e => e.HolderId).Distinct(StringComparer.Ordinal).ToList();
                var sub = new AppleRequestBatch(batch.Token, batch.Kind, [.. call.SelectMany(g => g.Select(e => e.Request))]);
                IReadOnlyList<AppleAssetRef> assets = [.. call.Select(g => new AppleAssetRef(g.Key.AdamId.Value, g.Key.Pricing))];
                return call.Key.Device ? new AppleCall(sub, assets, holders, []) : new AppleCall(sub, assets, [], holders);
            })
            .ToList();
        return (calls, null);
    }
}

/// <summary>An <c>ASSET_MANAGEMENT</c> notification as Apple pushes it:
/// <c>{notificationId, notificationType, notification: {eventId, type, result, assignments[], error}}</c>.</summary>
internal sealed record AppleNotification(
    string NotificationId,
    string Type,
    string? EventId,
    string? Result,
    IReadOnlyList<(string? AdamId, string? SerialNumber, string? ClientUserId)> Assignments,
    int? ErrorNumber,
    string? ErrorMessage);

/// <summary>Reads notifications and turns them into ledger commands (pure).</summary>
internal static class AppleNotifications
{
    /// <summary>The notification, or null when the body is not one.</summary>
    public static AppleNotification? Parse(string body)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (root is null || Text(root["notificationId"]) is not { Length: > 0 } id || Text(root["notificationType"]) is not { Length: > 0 } type)
        {
            return null;
        }

        var n = root["notification"] as JsonObject;
        var assignments = (n?["assignments"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(a => (Text(a["adamId"]), Text(a["serialNumber"]), Text(a["clientUserId"])))
            .ToList();
        var error = n?["error"] as JsonObject;
        int? number = error?["errorNumber"] is JsonValue v && v.TryGetValue<int>(out var x) ? x : null;
        return new AppleNotification(id, type, Text(n?["eventId"]), Text(n?["result"]), assignments, number, Text(error?["errorMessage"]));
    }

    /// <summary>
    /// One <see cref="RecordAppleEventResult"/> per pool and kind of the event's requests the notification names (all of
    /// them when it names no assignment): a <c>SUCCESS</c> completes the holders, anything else fails them with Apple's
    /// error. The command id comes from the notification id, the pool and the kind: the same notification twice is a replay.
    /// </summary>
    public static IReadOnlyList<RecordAppleEventResult> Commands(AppleNotification notification, IReadOnlyList<AppleRequest> requests, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(requests);
        var success = string.Equals(notification.Result, "SUCCESS", StringComparison.OrdinalIgnoreCase);
        bool Named(AppleRequest r) => notification.Assignments.Count == 0 || notification.Assignments.Any(a =>
            (a.AdamId is null || a.AdamId == r.Pool.AdamId.Value)
            && ((a.ClientUserId is { } user && user == r.Holder.Key) || (a.SerialNumber is { } serial && serial == r.SerialNumber?.Value)));
        return [.. requests
            .Where(Named)
            .GroupBy(r => (r.Pool, r.Kind))
            .Select(g =>
            {
                var holders = g.Select(r => r.Holder).DistinctBy(h => h.Key).ToList();
                var identity = $"{notification.NotificationId}\n{g.Key.Pool.Token.Value}\n{g.Key.Pool.AdamId.Value}\n{g.Key.Kind}";
                var id = new CommandId("apple-notification-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..40]);
                return new RecordAppleEventResult(
                    g.Key.Pool,
                    notification.EventId!,
                    g.Key.Kind switch
                    {
                        AppleRequestKind.Associate => AppleEventType.Associate,
                        AppleRequestKind.Disassociate => AppleEventType.Disassociate,
                        _ => AppleEventType.Revoke,
                    },
                    success ? holders : [],
                    success ? [] : [.. holders.Select(h => new AppleHolderFailure(h, notification.ErrorNumber ?? 0, notification.ErrorMessage ?? "Apple reported a failure without a message."))],
                    id,
                    actor);
            })];
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
