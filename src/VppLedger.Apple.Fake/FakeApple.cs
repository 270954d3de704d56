using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VppLedger.Apple.Fake;

/// <summary>A fault the fake answers instead of the real endpoint (once per queued fault).</summary>
public sealed record FakeFault(HttpStatusCode Status, int? ErrorNumber, string Message, int? RetryAfterSeconds = null)
{
    public static FakeFault RateLimited(int? retryAfterSeconds = null) =>
        new(HttpStatusCode.TooManyRequests, 9646, "Too many requests.", retryAfterSeconds);
    public static FakeFault ServerError(int? retryAfterSeconds = null) =>
        new(HttpStatusCode.ServiceUnavailable, null, "", retryAfterSeconds);
    public static FakeFault ErrorBodyWith200(int errorNumber, string message) => new(HttpStatusCode.OK, errorNumber, message);
}

/// <summary>An asset the fake sells: a pool is adamId + pricingParam under the token.</summary>
public sealed class FakeAsset
{
    public required string AdamId { get; init; }
    public string PricingParam { get; init; } = "STDQ";
    public string ProductType { get; init; } = "App";
    public long TotalCount { get; set; }
    public bool DeviceAssignable { get; init; } = true;
    public bool Revocable { get; init; } = true;
}

/// <summary>A seat the fake holds, with the version it was made at.</summary>
public sealed record FakeAssignment(string AdamId, string PricingParam, string? SerialNumber, string? ClientUserId, int Version);

/// <summary>An asynchronous event (associate, disassociate, revoke, users) and its result once complete.</summary>
internal sealed class FakeEvent
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public List<(string AdamId, string PricingParam)> Assets { get; init; } = [];
    public List<string> Serials { get; init; } = [];
    public List<string> Users { get; init; } = [];
    public int Polls { get; set; }
    public JsonObject? Result { get; set; }
}

/// <summary>One request the fake received: when (by the fake's clock), what, and under which token.</summary>
/// <param name="At">When the fake received it.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path under the base path, without the query.</param>
/// <param name="Token">The bearer sToken, or null (service config).</param>
public sealed record FakeRequest(DateTimeOffset At, string Method, string Path, string? Token);

/// <summary>Apple's Apps and Books API v2 as an ASP.NET Core minimal app on loopback (Kestrel, 127.0.0.1, a port the OS
/// chooses), with in-memory state and injected faults (docs/apple-client.md, "The fake Apple"): queued faults per path
/// (9646 with Retry-After, 5xx, 200 with an error body), partial failures per holder (<see cref="FailingHolders"/>), a
/// versionId change mid-walk, another MDM's mdmInfo, and ASSET_MANAGEMENT notifications that can come twice and out of
/// order (<see cref="TakeNotifications"/>). It timestamps every request with the caller's clock (<see cref="Requests"/>)
/// and measures requests per second per token; over 15 it answers 9646, as Apple does. Events complete in the order
/// Apple accepted them: on a later <c>/status</c> poll (<see cref="CompleteOnPoll"/>) or when <see cref="CompleteAll"/>
/// says Apple finished its work. Associating a holder that holds the seat, or disassociating one that does not, changes
/// nothing and is no failure. Thread-safe.</summary>
public sealed class FakeApple : IAsyncDisposable
{
    public const string BasePath = "/mdm/v2";
    public const int PublishedRequestsPerSecond = 15;
    private readonly WebApplication _app;
    private readonly Func<DateTimeOffset> _now;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<FakeFault>> _faults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DateTimeOffset>> _requestsByToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeEvent> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Path, int Page), Action?> _versionChanges = [];
    private readonly List<FakeEvent> _eventsInOrder = [];
    private readonly List<FakeRequest> _requests = [];
    private readonly List<JsonObject> _notifications = [];
    private int _nextEvent;
    private int _nextNotification;

    private FakeApple(WebApplication app, Func<DateTimeOffset> now)
    {
        _app = app;
        _now = now;
    }

    public Uri BaseAddress { get; private set; } = null!;
    public List<FakeAsset> Assets { get; } = [];
    public List<FakeAssignment> Assignments { get; } = [];
    public Dictionary<string, JsonObject> Users { get; } = new(StringComparer.Ordinal);
    public int Version { get; set; } = 1;
    public int PageSize { get; set; } = 2;
    public int CompleteOnPoll { get; set; } = 2;
    public JsonObject Limits { get; set; } = new() { ["maxAssets"] = 25, ["maxSerialNumbers"] = 1000, ["maxClientUserIds"] = 1000, ["maxRevokeCount"] = 100, ["maxUsers"] = 100 };
    public (string? Id, string? Name) MdmInfo { get; set; } = ("our-mdm", "Our MDM");
    public Dictionary<string, int> FailingHolders { get; } = new(StringComparer.Ordinal);
    public List<(string Path, int Assets, int Serials, int Users)> BatchesSeen { get; } = [];
    public List<string> AuthorizationHeadersSeen { get; } = [];
    public int RateLimitRefusals { get; private set; }
    public bool ChangeVersionOnEveryPage { get; set; }

    /// <summary>Events Apple is slow on: they stay PENDING, whatever the polls, until removed from the set.</summary>
    public HashSet<string> SlowEvents { get; } = new(StringComparer.Ordinal);

    /// <summary>Each notification is delivered twice (Apple's notifications can repeat).</summary>
    public bool DuplicateNotifications { get; set; }

    /// <summary>Notifications are delivered newest first (Apple's notifications can come out of order).</summary>
    public bool NotificationsOutOfOrder { get; set; }

    /// <summary>Every request received, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    /// <summary>Starts the fake on a loopback port the OS chooses, timestamping requests with the system clock.</summary>
    public static Task<FakeApple> StartAsync() => StartAsync(() => DateTimeOffset.UtcNow);

    /// <summary>Starts the fake on a loopback port the OS chooses, timestamping requests with <paramref name="now"/>.</summary>
    public static async Task<FakeApple> StartAsync(Func<DateTimeOffset> now)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeApple(app, now);
        fake.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseAddress = new Uri(address + BasePath);
        return fake;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    public void Fail(string path, params FakeFault[] faults)
    {
        lock (_gate)
        {
            if (!_faults.TryGetValue(path, out var q)) _faults[path] = q = new Queue<FakeFault>();
            foreach (var f in faults) q.Enqueue(f);
        }
    }

    /// <summary>Before serving page <paramref name="page"/> of <paramref name="path"/> (once), the data changes: the
    /// versionId moves on and <paramref name="change"/> runs.</summary>
    public void ChangeVersionBeforePage(string path, int page, Action? change = null)
    {
        lock (_gate) _versionChanges[(path, page)] = change;
    }

    /// <summary>The most requests of <paramref name="token"/> within any second (half-open), by the test's clock.</summary>
    public int MaxRequestsInAnySecond(string token)
    {
        lock (_gate)
        {
            if (!_requestsByToken.TryGetValue(token, out var times)) return 0;
            var sorted = times.Order().ToList();
            var max = 0;
            for (int i = 0, j = 0; i < sorted.Count; i++)
            {
                while (sorted[i] - sorted[j] >= TimeSpan.FromSeconds(1)) j++;
                max = Math.Max(max, i - j + 1);
            }
            return max;
        }
    }

    public int RequestCount(string token)
    {
        lock (_gate) return _requestsByToken.TryGetValue(token, out var t) ? t.Count : 0;
    }

    /// <summary>Apple finishes its work: every event not complete yet completes, in the order Apple accepted them.</summary>
    public void CompleteAll()
    {
        lock (_gate)
            foreach (var e in _eventsInOrder.Where(e => e.Result is null && !SlowEvents.Contains(e.Id)).ToList())
                e.Result = Complete(e);
    }

    /// <summary>The ASSET_MANAGEMENT notifications Apple pushed since the last call, as their JSON bodies, in delivery
    /// order (duplicated and reversed when <see cref="DuplicateNotifications"/> and <see cref="NotificationsOutOfOrder"/> say so).</summary>
    public IReadOnlyList<string> TakeNotifications()
    {
        lock (_gate)
        {
            IEnumerable<JsonObject> delivered = _notifications.ToList();
            _notifications.Clear();
            if (NotificationsOutOfOrder) delivered = delivered.Reverse();
            if (DuplicateNotifications) delivered = delivered.SelectMany(n => new[] { n, n });
            return [.. delivered.Select(n => n.ToJsonString())];
        }
    }

    private void Map()
    {
        _app.Use(async (ctx, next) =>
        {
            var path = ctx.Request.Path.Value!.StartsWith(BasePath, StringComparison.Ordinal) ? ctx.Request.Path.Value[BasePath.Length..] : ctx.Request.Path.Value;
            FakeFault? fault = null;
            lock (_gate)
            {
                var bearer = ctx.Request.Headers.Authorization.ToString();
                _requests.Add(new FakeRequest(_now(), ctx.Request.Method, path, bearer.StartsWith("Bearer ", StringComparison.Ordinal) ? bearer["Bearer ".Length..] : null));
                if (path != "/service/config")
                {
                    var auth = ctx.Request.Headers.Authorization.ToString();
                    AuthorizationHeadersSeen.Add(auth);
                    if (!auth.StartsWith("Bearer ", StringComparison.Ordinal))
                        fault = new FakeFault(HttpStatusCode.Unauthorized, 9601, "Login required.");
                    else
                    {
                        var token = auth["Bearer ".Length..];
                        if (!_requestsByToken.TryGetValue(token, out var times)) _requestsByToken[token] = times = [];
                        var now = _now();
                        times.Add(now);
                        if (times.Count(t => now - t < TimeSpan.FromSeconds(1) && t <= now) > PublishedRequestsPerSecond)
                        {
                            RateLimitRefusals++;
                            fault = FakeFault.RateLimited(1);
                        }
                    }
                }
                if (fault is null && _faults.TryGetValue(path, out var q) && q.Count > 0) fault = q.Dequeue();
            }
            if (fault is not null)
            {
                ctx.Response.StatusCode = (int)fault.Status;
                if (fault.RetryAfterSeconds is { } s) ctx.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (fault.ErrorNumber is { } n)
                    await ctx.Response.WriteAsJsonAsync(new JsonObject { ["errorNumber"] = n, ["errorMessage"] = fault.Message });
                return;
            }
            await next(ctx);
        });

        var api = _app.MapGroup(BasePath);
        api.MapGet("/service/config", () => Json(new JsonObject
        {
            ["limits"] = Limits.DeepClone(),
            ["urls"] = new JsonObject { ["getAssets"] = BaseAddress + "/assets" },
            ["notificationTypes"] = new JsonArray("ASSET_MANAGEMENT", "ASSET_COUNT", "USER_MANAGEMENT", "USER_ASSOCIATED"),
        }));
        api.MapGet("/client/config", () => Json(ClientConfig()));
        api.MapPost("/client/config", async (HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            lock (_gate)
                if (body["mdmInfo"] is JsonObject m) MdmInfo = ((string?)m["id"], (string?)m["name"]);
            return Json(ClientConfig());
        });
        api.MapGet("/assets", (int? pageIndex) => Page("/assets", pageIndex ?? 0, "assets", () => Assets.Select(AssetJson).ToList()));
        api.MapGet("/assignments", (int? pageIndex, string? sinceVersionId, string? adamId, string? serialNumber, string? clientUserId) =>
            Page("/assignments", pageIndex ?? 0, "assignments", () => Assignments
                .Where(a => sinceVersionId is null || a.Version > int.Parse(sinceVersionId.TrimStart('v'), System.Globalization.CultureInfo.InvariantCulture))
                .Where(a => adamId is null || a.AdamId == adamId)
                .Where(a => serialNumber is null || a.SerialNumber == serialNumber)
                .Where(a => clientUserId is null || a.ClientUserId == clientUserId)
                .Select(a => (JsonNode)new JsonObject { ["adamId"] = a.AdamId, ["pricingParam"] = a.PricingParam, ["serialNumber"] = a.SerialNumber, ["clientUserId"] = a.ClientUserId })
                .ToList()));
        api.MapPost("/assets/associate", (HttpRequest r) => AssetEventAsync(r, "/assets/associate", "ASSOCIATE"));
        api.MapPost("/assets/disassociate", (HttpRequest r) => AssetEventAsync(r, "/assets/disassociate", "DISASSOCIATE"));
        api.MapPost("/assets/revoke", (HttpRequest r) => AssetEventAsync(r, "/assets/revoke", "REVOKE"));
        api.MapPost("/users/create", (HttpRequest r) => UserEventAsync(r, "/users/create", "USER_CREATE"));
        api.MapPost("/users/update", (HttpRequest r) => UserEventAsync(r, "/users/update", "USER_UPDATE"));
        api.MapPost("/users/retire", (HttpRequest r) => UserEventAsync(r, "/users/retire", "USER_RETIRE"));
        api.MapGet("/status", (string? eventId) =>
        {
            lock (_gate)
            {
                if (eventId is null || !_events.TryGetValue(eventId, out var e))
                    return Json(new JsonObject { ["errorNumber"] = 9708, ["errorMessage"] = $"Unknown eventId {eventId}." });
                e.Polls++;
                if (e.Result is null && (e.Polls < CompleteOnPoll || SlowEvents.Contains(e.Id)))
                    return Json(new JsonObject { ["eventStatus"] = "PENDING", ["eventType"] = e.Type, ["numRequested"] = Requested(e), ["numCompleted"] = 0 });
                // Apple works through events in the order it accepted them: every earlier event completes first.
                foreach (var earlier in _eventsInOrder.TakeWhile(x => x != e).Where(x => x.Result is null && !SlowEvents.Contains(x.Id)).ToList())
                    earlier.Result = Complete(earlier);
                e.Result ??= Complete(e);
                return Json((JsonObject)e.Result.DeepClone());
            }
        });
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json");

    private static async Task<JsonObject> ReadAsync(HttpRequest request) =>
        (await JsonNode.ParseAsync(request.Body))?.AsObject() ?? [];

    private JsonObject ClientConfig() => new()
    {
        ["mdmInfo"] = new JsonObject { ["id"] = MdmInfo.Id, ["name"] = MdmInfo.Name },
        ["uId"] = "location-1",
        ["locationName"] = "Contoso HQ",
        ["countryISO2ACode"] = "US",
        ["tokenExpirationDate"] = "2027-11-27T11:00:00+0000",
        ["notificationTypes"] = new JsonArray(),
    };

    private JsonObject AssetJson(FakeAsset a)
    {
        var assigned = Assignments.Count(x => x.AdamId == a.AdamId && x.PricingParam == a.PricingParam);
        return new JsonObject
        {
            ["adamId"] = a.AdamId, ["pricingParam"] = a.PricingParam, ["productType"] = a.ProductType,
            ["totalCount"] = a.TotalCount, ["assignedCount"] = assigned, ["availableCount"] = a.TotalCount - assigned,
            ["retiredCount"] = 0, ["deviceAssignable"] = a.DeviceAssignable, ["revocable"] = a.Revocable,
            ["supportedPlatforms"] = new JsonArray("iOS", "macOS"),
        };
    }

    private IResult Page(string path, int pageIndex, string name, Func<List<JsonObject>> all) =>
        Page(path, pageIndex, name, () => all().Cast<JsonNode>().ToList());

    private IResult Page(string path, int pageIndex, string name, Func<List<JsonNode>> all)
    {
        lock (_gate)
        {
            if (_versionChanges.Remove((path, pageIndex), out var change))
            {
                change?.Invoke();
                Version++;
            }
            else if (ChangeVersionOnEveryPage && pageIndex > 0) Version++;
            var items = all();
            var totalPages = Math.Max(1, (items.Count + PageSize - 1) / PageSize);
            var page = new JsonObject
            {
                [name] = new JsonArray(items.Skip(pageIndex * PageSize).Take(PageSize).Select(i => i.DeepClone()).ToArray()),
                ["currentPageIndex"] = pageIndex, ["totalPages"] = totalPages, ["size"] = items.Count, ["versionId"] = $"v{Version}",
            };
            if (pageIndex + 1 < totalPages) page["nextPageIndex"] = pageIndex + 1;
            return Json(page);
        }
    }

    private static List<string> Strings(JsonObject body, string name) =>
        body[name] is JsonArray a ? a.Select(n => (string)n!).ToList() : [];

    private async Task<IResult> AssetEventAsync(HttpRequest request, string path, string type)
    {
        var body = await ReadAsync(request);
        var assets = body["assets"] is JsonArray a ? a.Select(n => ((string)n!["adamId"]!, (string)n!["pricingParam"]!)).ToList() : [];
        var serials = Strings(body, "serialNumbers");
        var users = Strings(body, "clientUserIds");
        lock (_gate)
        {
            BatchesSeen.Add((path, assets.Count, serials.Count, users.Count));
            var maxHolders = type == "REVOKE" ? (int)Limits["maxRevokeCount"]! : (int)Limits["maxSerialNumbers"]!;
            if (assets.Count > (int)Limits["maxAssets"]! || serials.Count > maxHolders || users.Count > maxHolders)
                return Results.Text(new JsonObject { ["errorNumber"] = 9700, ["errorMessage"] = "Batch over the limit." }.ToJsonString(), "application/json", statusCode: 400);
            return Json(NewEvent(new FakeEvent { Id = "", Type = type, Assets = assets, Serials = serials, Users = users }));
        }
    }

    private async Task<IResult> UserEventAsync(HttpRequest request, string path, string type)
    {
        var body = await ReadAsync(request);
        var users = body["users"] is JsonArray a ? a.Select(n => n!.AsObject()).ToList() : [];
        lock (_gate)
        {
            BatchesSeen.Add((path, 0, 0, users.Count));
            if (users.Count > (int)Limits["maxUsers"]!)
                return Results.Text(new JsonObject { ["errorNumber"] = 9700, ["errorMessage"] = "Batch over the limit." }.ToJsonString(), "application/json", statusCode: 400);
            foreach (var u in users)
                Users[(string)u["clientUserId"]!] = (JsonObject)u.DeepClone();
            return Json(NewEvent(new FakeEvent { Id = "", Type = type, Users = users.Select(u => (string)u["clientUserId"]!).ToList() }));
        }
    }

    private JsonObject NewEvent(FakeEvent template)
    {
        var id = $"event-{++_nextEvent}";
        var e = new FakeEvent { Id = id, Type = template.Type, Assets = template.Assets, Serials = template.Serials, Users = template.Users };
        _events[id] = e;
        _eventsInOrder.Add(e);
        return new JsonObject { ["eventId"] = id, ["tokenExpirationDate"] = "2027-11-27T11:00:00+0000", ["uId"] = "location-1" };
    }

    private static string MessageOf(int errorNumber) => errorNumber switch
    {
        9709 => "Not enough licenses.",
        9707 => "Asset is not device-assignable.",
        9706 => "Asset is not revocable.",
        9610 => "License not found.",
        _ => "Refused for this holder.",
    };

    private static JsonObject Assignment(string? adamId, string? pricing, string? serial, string? user)
    {
        var a = new JsonObject { ["adamId"] = adamId, ["pricingParam"] = pricing };
        if (serial is not null) a["serialNumber"] = serial;
        if (user is not null) a["clientUserId"] = user;
        return a;
    }

    // One notification per result of an event (Apple sends successes and failures apart), the way Apple pushes
    // ASSET_MANAGEMENT: { notificationId, notificationType, notification: { eventId, type, result, assignments, error } }.
    private void Notify(FakeEvent e, string result, List<JsonObject> assignments, JsonObject? error)
    {
        if (assignments.Count == 0) return;
        var body = new JsonObject
        {
            ["eventId"] = e.Id, ["type"] = e.Type, ["result"] = result,
            ["assignments"] = new JsonArray([.. assignments]),
        };
        if (error is not null) body["error"] = error;
        _notifications.Add(new JsonObject
        {
            ["notificationId"] = $"notification-{++_nextNotification}",
            ["notificationType"] = "ASSET_MANAGEMENT",
            ["notification"] = body,
            ["uId"] = "location-1",
        });
    }

    private static int Requested(FakeEvent e) =>
        e.Assets.Count == 0 ? e.Serials.Count + e.Users.Count : e.Assets.Count * (e.Serials.Count + e.Users.Count);

    private JsonObject Complete(FakeEvent e)
    {
        var failures = new JsonArray();
        var failed = new HashSet<(string?, string?, string?, string?)>();
        void Fail(string? adamId, string? pricing, string? serial, string? user, int number, string message)
        {
            failed.Add((adamId, pricing, serial, user));
            failures.Add(new JsonObject
            {
                ["adamId"] = adamId, ["pricingParam"] = pricing, ["serialNumber"] = serial, ["clientUserId"] = user,
                ["errorNumber"] = number, ["errorMessage"] = message,
            });
        }
        List<(string? Serial, string? User)> holders = e.Serials.Select(s => (Serial: (string?)s, User: (string?)null)).Concat(e.Users.Select(u => ((string?)null, (string?)u))).ToList();
        if (e.Type is "ASSOCIATE" or "DISASSOCIATE")
        {
            foreach (var (adamId, pricing) in e.Assets)
            {
                var asset = Assets.Single(a => a.AdamId == adamId && a.PricingParam == pricing);
                foreach (var (serial, user) in holders)
                {
                    if (FailingHolders.TryGetValue(serial ?? user!, out var number)) { Fail(adamId, pricing, serial, user, number, MessageOf(number)); continue; }
                    var existing = Assignments.FirstOrDefault(x => x.AdamId == adamId && x.PricingParam == pricing && x.SerialNumber == serial && x.ClientUserId == user);
                    if (e.Type == "DISASSOCIATE")
                    {
                        if (existing is not null) { Assignments.Remove(existing); Version++; }
                        continue;
                    }
                    if (existing is not null) continue;
                    if (serial is not null && !asset.DeviceAssignable) { Fail(adamId, pricing, serial, user, 9707, "Asset is not device-assignable."); continue; }
                    if (Assignments.Count(x => x.AdamId == adamId && x.PricingParam == pricing) >= asset.TotalCount) { Fail(adamId, pricing, serial, user, 9709, "Not enough licenses."); continue; }
                    Assignments.Add(new FakeAssignment(adamId, pricing, serial, user, ++Version));
                }
            }
        }
        else if (e.Type == "REVOKE")
        {
            foreach (var (serial, user) in holders)
                foreach (var x in Assignments.Where(x => x.SerialNumber == serial && x.ClientUserId == user).ToList())
                {
                    if (!Assets.Single(a => a.AdamId == x.AdamId && a.PricingParam == x.PricingParam).Revocable) { Fail(x.AdamId, x.PricingParam, serial, user, 9706, "Asset is not revocable."); continue; }
                    Assignments.Remove(x);
                    Version++;
                }
        }
        var requested = Requested(e);
        if (e.Type is "ASSOCIATE" or "DISASSOCIATE")
        {
            var succeeded = e.Assets.SelectMany(a => holders.Select(h => (a.AdamId, a.PricingParam, h.Serial, h.User)))
                .Where(x => !failed.Contains((x.AdamId, x.PricingParam, x.Serial, x.User))).ToList();
            Notify(e, "SUCCESS", [.. succeeded.Select(x => Assignment(x.AdamId, x.PricingParam, x.Serial, x.User))], null);
            foreach (var byError in failures.Select(f => f!.AsObject()).GroupBy(f => (int)f["errorNumber"]!))
                Notify(e, "FAILURE",
                    [.. byError.Select(f => Assignment((string?)f["adamId"], (string?)f["pricingParam"], (string?)f["serialNumber"], (string?)f["clientUserId"]))],
                    new JsonObject { ["errorNumber"] = byError.Key, ["errorMessage"] = (string?)byError.First()["errorMessage"] });
        }
        return new JsonObject
        {
            ["eventStatus"] = failures.Count > 0 && failures.Count >= requested ? "FAILURE" : "COMPLETE",
            ["eventType"] = e.Type, ["numRequested"] = requested, ["numCompleted"] = requested, ["failures"] = failures,
        };
    }
}
