using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace VppLedger.Apple;

/// <summary>A client of Apple's Apps and Books for Organizations API v2 (docs/apple-client.md). The sToken is passed on
/// every call (a host reveals it through the ledger at call time); the client neither stores nor logs it. Every answer
/// is checked for an error body, even with HTTP 200, and an error becomes an <see cref="AppleApiException"/>; 9646 and
/// HTTP 5xx are retried with backoff honouring <c>Retry-After</c>; requests of one token are spaced by
/// <see cref="AppleTokenRateLimiter"/>. The batched calls (<see cref="AssociateAsync"/>, <see cref="DisassociateAsync"/>,
/// <see cref="RevokeAsync"/>) and <see cref="GetStatusAsync"/> are what a worker draining the ledger's outbox calls.</summary>
public sealed partial class AppleAppsAndBooksClient
{
    private static readonly JsonSerializerOptions Json = CreateJsonOptions();
    private readonly HttpClient _http;
    private readonly AppleClientOptions _options;
    private readonly AppleTokenRateLimiter _limiter;
    private readonly IAppleClock _clock;
    private readonly ILogger _logger;
    private readonly string _base;

    /// <summary>Creates the client (a typed client of <c>AddVppLedgerAppleClient</c>, or by hand in tests).</summary>
    /// <param name="httpClient">The HTTP client (from <c>IHttpClientFactory</c>).</param>
    /// <param name="options">Base address, retries and limits.</param>
    /// <param name="limiter">The per-token rate limiter, shared by every client of the process.</param>
    /// <param name="clock">The clock every wait goes through.</param>
    /// <param name="logger">Logs each request's method, path, status and retries; never the sToken.</param>
    public AppleAppsAndBooksClient(
        HttpClient httpClient,
        IOptions<AppleClientOptions> options,
        AppleTokenRateLimiter limiter,
        IAppleClock clock,
        ILogger<AppleAppsAndBooksClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(clock);
        _http = httpClient;
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1);
        _limiter = limiter;
        _clock = clock;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _base = _options.BaseAddress.AbsoluteUri.TrimEnd('/');
    }

    /// <summary><c>GET /service/config</c> (no authentication): limits, URLs, notification types. Apple's limits are
    /// dynamic: refresh about every 5 minutes and pass <see cref="AppleServiceConfig.Limits"/> to the batched calls.</summary>
    public async Task<AppleServiceConfig> GetServiceConfigAsync(CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<ServiceConfigBody>(HttpMethod.Get, "/service/config", null, null, cancellationToken).ConfigureAwait(false);
        var raw = body.Limits ?? [];
        var published = AppleServiceLimits.Published;
        int Limit(string key, int fallback) => raw.TryGetValue(key, out var v) && v > 0 ? v : fallback;
        var limits = new AppleServiceLimits(
            Limit("maxAssets", published.MaxAssets),
            Limit("maxSerialNumbers", Limit("maxClientUserIds", published.MaxHolders)),
            Limit("maxRevokeCount", published.MaxRevokeHolders),
            Limit("maxUsers", published.MaxUsers));
        return new AppleServiceConfig(limits, raw, body.Urls ?? [], body.NotificationTypes ?? []);
    }

    /// <summary><c>GET /client/config</c>: who manages the location (<c>mdmInfo</c>, rule T3), its uId, the token's expiry.</summary>
    public async Task<AppleClientConfig> GetClientConfigAsync(string sToken, CancellationToken cancellationToken = default)
    {
        RequireToken(sToken);
        var body = await SendAsync<ClientConfigBody>(HttpMethod.Get, "/client/config", sToken, null, cancellationToken).ConfigureAwait(false);
        return ToClientConfig(body);
    }

    /// <summary><c>POST /client/config</c>: sets this MDM's <c>mdmInfo</c> (takes control of the location, rule T3) and the
    /// notification settings; returns the config as Apple now holds it.</summary>
    public async Task<AppleClientConfig> UpdateClientConfigAsync(
        string sToken, AppleClientConfigUpdate update, CancellationToken cancellationToken = default)
    {
        RequireToken(sToken);
        ArgumentNullException.ThrowIfNull(update);
        var body = await SendAsync<ClientConfigBody>(HttpMethod.Post, "/client/config", sToken, update, cancellationToken).ConfigureAwait(false);
        return ToClientConfig(body);
    }

    /// <summary><c>GET /assets</c>, every page, under one <c>versionId</c>: a walk whose versionId changes is started
    /// again (at most <see cref="AppleClientOptions.MaxWalkRestarts"/> times).</summary>
    public async Task<AppleAssetsSnapshot> GetAssetsAsync(string sToken, CancellationToken cancellationToken = default)
    {
        RequireToken(sToken);
        var walk = await WalkAsync<AssetsPage, AssetBody>(
            "assets", page => $"/assets?pageIndex={page}", sToken,
            p => (p.Assets, p.VersionId, p.NextPageIndex), cancellationToken).ConfigureAwait(false);
        var assets = walk.Items.Select(a => new AppleAsset(
            a.AdamId, a.PricingParam, a.ProductType, a.TotalCount, a.AssignedCount, a.AvailableCount, a.RetiredCount,
            a.DeviceAssignable, a.Revocable, a.SupportedPlatforms ?? [])).ToList();
        return new AppleAssetsSnapshot(walk.VersionId, assets, walk.Pages, walk.Restarts);
    }

    /// <summary><c>GET /assignments</c>, every page, under one <c>versionId</c> (restarted like <see cref="GetAssetsAsync"/>);
    /// with <see cref="AppleAssignmentsQuery.SinceVersionId"/> only the changes since that version.</summary>
    public async Task<AppleAssignmentsSnapshot> GetAssignmentsAsync(
        string sToken, AppleAssignmentsQuery? query = null, CancellationToken cancellationToken = default)
    {
        RequireToken(sToken);
        var filters = "";
        if (query is not null)
        {
            if (query.SinceVersionId is { } v) filters += "&sinceVersionId=" + Uri.EscapeDataString(v);
            if (query.AdamId is { } a) filters += "&adamId=" + Uri.EscapeDataString(a);
            if (query.SerialNumber is { } s) filters += "&serialNumber=" + Uri.EscapeDataString(s);
            if (query.ClientUserId is { } u) filters += "&clientUserId=" + Uri.EscapeDataString(u);
        }
        var walk = await WalkAsync<AssignmentsPage, AppleAssignment>(
            "assignments", page => $"/assignments?pageIndex={page}{filters}", sToken,
            p => (p.Assignments, p.VersionId, p.NextPageIndex), cancellationToken).ConfigureAwait(false);
        return new AppleAssignmentsSnapshot(walk.VersionId, walk.Items, walk.Pages, walk.Restarts);
    }

    /// <summary><c>POST /assets/associate</c>, batched to <paramref name="limits"/> (default
    /// <see cref="AppleServiceLimits.Published"/>: 25 assets and 1,000 serial numbers or clientUserIds a call). Each accepted
    /// batch has an event id to poll with <see cref="GetStatusAsync"/>. A refusal of one batch does not stop the others,
    /// except a token-wide one (expired, revoked, retries exhausted): the remaining batches are then <see cref="AppleBatchOutcome.NotSent"/>.</summary>
    public Task<IReadOnlyList<AppleBatchResult>> AssociateAsync(
        string sToken, IReadOnlyList<AppleAssetRef> assets, IReadOnlyList<string> serialNumbers, IReadOnlyList<string> clientUserIds,
        AppleServiceLimits? limits = null, CancellationToken cancellationToken = default) =>
        AssetCallAsync("/assets/associate", sToken, assets, serialNumbers, clientUserIds, limits, cancellationToken);

    /// <summary><c>POST /assets/disassociate</c>, batched like <see cref="AssociateAsync"/>.</summary>
    public Task<IReadOnlyList<AppleBatchResult>> DisassociateAsync(
        string sToken, IReadOnlyList<AppleAssetRef> assets, IReadOnlyList<string> serialNumbers, IReadOnlyList<string> clientUserIds,
        AppleServiceLimits? limits = null, CancellationToken cancellationToken = default) =>
        AssetCallAsync("/assets/disassociate", sToken, assets, serialNumbers, clientUserIds, limits, cancellationToken);

    /// <summary><c>POST /assets/revoke</c>: every asset of the given devices and users, batched to
    /// <see cref="AppleServiceLimits.MaxRevokeHolders"/> (published: 100) holders a call.</summary>
    public async Task<IReadOnlyList<AppleBatchResult>> RevokeAsync(
        string sToken, IReadOnlyList<string> serialNumbers, IReadOnlyList<string> clientUserIds,
        AppleServiceLimits? limits = null, CancellationToken cancellationToken = default)
    {
        RequireToken(sToken);
        ArgumentNullException.ThrowIfNull(serialNumbers);
        ArgumentNullException.ThrowIfNull(clientUserIds);
        RequireHolders(serialNumbers, clientUserIds);
        var max = (limits ?? AppleServiceLimits.Published).MaxRevokeHolders;
        var batches = serialNumbers.Distinct(StringComparer.Ordinal).Chunk(max).Select(s => new AppleBatch([], s, []))
            .Concat(clientUserIds.Distinct(StringComparer.Ordinal).Chunk(max).Select(u => new AppleBatch([], [], u))).ToList();
        return await SendBatchesAsync("/assets/revoke", sToken, batches,
            b => new { serialNumbers = NullIfEmpty(b.SerialNumbers), clientUserIds = NullIfEmpty(b.ClientUserIds) },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /status?eventId=</c>: the state of an asynchronous event, with its failures per asset and holder.</summary>
    public async Task<AppleEventStatus> GetStatusAsync(string sToken, string eventId, CancellationToken cancellationToken = default)
    {
        RequireToken(sToken);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventId);
        var body = await SendAsync<StatusBody>(
            HttpMethod.Get, "/status?eventId=" + Uri.EscapeDataString(eventId), sToken, null, cancellationToken).ConfigureAwait(false);
        return new AppleEventStatus(
            eventId, body.EventStatus ?? "PENDING", body.EventType, body.NumRequested, body.NumCompleted, body.Failures ?? []);
    }

    /// <summary><c>POST /users/create</c>, batched to <see cref="AppleServiceLimits.MaxUsers"/> (published: 100) users a call.</summary>
    public Task<IReadOnlyList<AppleBatchResult>> CreateUsersAsync(
        string sToken, IReadOnlyList<AppleUser> users, AppleServiceLimits? limits = null, CancellationToken cancellationToken = default) =>
        UsersCallAsync("/users/create", sToken, users, limits, cancellationToken);

    /// <summary><c>POST /users/update</c>, batched like <see cref="CreateUsersAsync"/>.</summary>
    public Task<IReadOnlyList<AppleBatchResult>> UpdateUsersAsync(
        string sToken, IReadOnlyList<AppleUser> users, AppleServiceLimits? limits = null, CancellationToken cancellationToken = default) =>
        UsersCallAsync("/users/update", sToken, users, limits, cancellationToken);

    /// <summary><c>POST /users/retire</c>, batched like <see cref="CreateUsersAsync"/>. Retiring releases revocable licenses.</summary>
    public Task<IReadOnlyList<AppleBatchResult>> RetireUsersAsync(
        string sToken, IReadOnlyList<string> clientUserIds, AppleServiceLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientUserIds);
        return UsersCallAsync("/users/retire", sToken, clientUserIds.Select(id => new AppleUser(id)).ToList(), limits, cancellationToken);
    }

    private async Task<IReadOnlyList<AppleBatchResult>> UsersCallAsync(
        string path, string sToken, IReadOnlyList<AppleUser> users, AppleServiceLimits? limits, CancellationToken cancellationToken)
    {
        RequireToken(sToken);
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count == 0) throw new ArgumentException("Name at least one user.", nameof(users));
        var max = (limits ?? AppleServiceLimits.Published).MaxUsers;
        // One entry per clientUserId (the last given wins): Apple refuses duplicates in a call.
        var byId = new Dictionary<string, AppleUser>(StringComparer.Ordinal);
        foreach (var u in users) byId[u.ClientUserId] = u;
        var batches = byId.Values.Chunk(max).Select(c => new AppleBatch([], [], c.Select(u => u.ClientUserId).ToList())).ToList();
        return await SendBatchesAsync(path, sToken, batches,
            b => new { users = b.ClientUserIds.Select(id => byId[id]).ToList() }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<AppleBatchResult>> AssetCallAsync(
        string path, string sToken, IReadOnlyList<AppleAssetRef> assets, IReadOnlyList<string> serialNumbers,
        IReadOnlyList<string> clientUserIds, AppleServiceLimits? limits, CancellationToken cancellationToken)
    {
        RequireToken(sToken);
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(serialNumbers);
        ArgumentNullException.ThrowIfNull(clientUserIds);
        if (assets.Count == 0) throw new ArgumentException("Name at least one asset.", nameof(assets));
        RequireHolders(serialNumbers, clientUserIds);
        var l = limits ?? AppleServiceLimits.Published;
        var batches = new List<AppleBatch>();
        // Apple refuses duplicates in a call (9700-9705): each asset and holder is sent once.
        foreach (var assetChunk in assets.Distinct().Chunk(l.MaxAssets))
        {
            batches.AddRange(serialNumbers.Distinct(StringComparer.Ordinal).Chunk(l.MaxHolders).Select(s => new AppleBatch(assetChunk, s, [])));
            batches.AddRange(clientUserIds.Distinct(StringComparer.Ordinal).Chunk(l.MaxHolders).Select(u => new AppleBatch(assetChunk, [], u)));
        }
        return await SendBatchesAsync(path, sToken, batches,
            b => new
            {
                assets = b.Assets.Select(a => new { adamId = a.AdamId, pricingParam = a.PricingParam }).ToList(),
                serialNumbers = NullIfEmpty(b.SerialNumbers),
                clientUserIds = NullIfEmpty(b.ClientUserIds),
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<AppleBatchResult>> SendBatchesAsync(
        string path, string sToken, List<AppleBatch> batches, Func<AppleBatch, object> bodyOf, CancellationToken cancellationToken)
    {
        var results = new List<AppleBatchResult>(batches.Count);
        AppleApiException? tokenWide = null;
        foreach (var batch in batches)
        {
            if (tokenWide is not null)
            {
                results.Add(new AppleBatchResult(batch, AppleBatchOutcome.NotSent, null, null, null, null));
                continue;
            }
            try
            {
                var answer = await SendAsync<EventAnswer>(HttpMethod.Post, path, sToken, bodyOf(batch), cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrEmpty(answer.EventId))
                    throw new AppleApiException(null, $"Apple accepted {path} without an eventId; the batch cannot be followed.");
                results.Add(new AppleBatchResult(batch, AppleBatchOutcome.Accepted, answer.EventId, null, answer.TokenExpirationDate, answer.UId));
            }
            catch (AppleApiException e)
            {
                results.Add(new AppleBatchResult(batch, AppleBatchOutcome.Refused, null, e, null, null));
                if (e.Kind is AppleErrorKind.TokenExpired or AppleErrorKind.TokenRevoked or AppleErrorKind.Retryable)
                    tokenWide = e;
            }
        }
        return results;
    }

    private sealed record Walk<TItem>(List<TItem> Items, string? VersionId, int Pages, int Restarts);

    private async Task<Walk<TItem>> WalkAsync<TPage, TItem>(
        string what, Func<int, string> pathOfPage, string sToken, Func<TPage, (List<TItem>? Items, string? Version, int? Next)> read,
        CancellationToken cancellationToken)
    {
        var pagesRead = 0;
        for (var restarts = 0; ; restarts++)
        {
            var items = new List<TItem>();
            string? version = null;
            var page = 0;
            var consistent = true;
            for (var pages = 1; ; pages++)
            {
                if (++pagesRead > _options.MaxPagesPerWalk)
                    throw new AppleApiException(null,
                        $"The walk of {what} read more than {_options.MaxPagesPerWalk} pages (AppleClientOptions.MaxPagesPerWalk); Apple's paging does not end.");
                var body = await SendAsync<TPage>(HttpMethod.Get, pathOfPage(page), sToken, null, cancellationToken).ConfigureAwait(false);
                var (pageItems, pageVersion, next) = read(body);
                if (pages == 1) version = pageVersion;
                else if (!string.Equals(version, pageVersion, StringComparison.Ordinal))
                {
                    consistent = false;
                    Log.WalkRestarted(_logger, what, version, pageVersion, page);
                    break;
                }
                if (pageItems is not null) items.AddRange(pageItems);
                if (next is not { } n || n <= page) return new Walk<TItem>(items, version, pages, restarts);
                page = n;
            }
            if (!consistent && restarts >= _options.MaxWalkRestarts)
                throw new AppleApiException(null,
                    $"Apple's versionId of {what} changed during each of {restarts + 1} walks; try again later.",
                    kind: AppleErrorKind.VersionChanged);
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string pathAndQuery, string? sToken, object? body, CancellationToken cancellationToken)
    {
        var uri = new Uri(_base + pathAndQuery);
        var path = pathAndQuery.Split('?')[0];
        for (var attempt = 1; ; attempt++)
        {
            if (sToken is not null)
                await _limiter.WaitAsync(sToken, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, uri);
            if (sToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sToken);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            Log.Answered(_logger, method.Method, path, (int)response.StatusCode, attempt);
            var error = ErrorOf(text, response.StatusCode);
            if (error is null)
            {
                try
                {
                    var value = JsonSerializer.Deserialize<T>(text, Json);
                    if (value is not null) return value;
                }
                catch (JsonException e)
                {
                    throw new AppleApiException($"Apple's answer to {method.Method} {path} is not the expected JSON: {e.Message}", e);
                }
                throw new AppleApiException(null, $"Apple answered {method.Method} {path} with an empty body.", response.StatusCode);
            }
            if (error.Kind != AppleErrorKind.Retryable || attempt >= _options.MaxAttempts)
                throw error;
            var wait = RetryDelay(response, attempt);
            Log.Retrying(_logger, method.Method, path, error.ErrorNumber, (int)response.StatusCode, wait, attempt);
            await _clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        TimeSpan wait;
        if (response.Headers.RetryAfter is { } retryAfter)
            wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - _clock.UtcNow : TimeSpan.Zero);
        else
            wait = TimeSpan.FromTicks(checked((long)(_options.InitialBackoff.Ticks * Math.Pow(_options.BackoffFactor, attempt - 1))));
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        return wait > _options.MaxBackoff ? _options.MaxBackoff : wait;
    }

    /// <summary>The error an answer carries: an error body (whatever the status), or an HTTP error status.</summary>
    internal static AppleApiException? ErrorOf(string text, HttpStatusCode status)
    {
        ErrorBody? body = null;
        if (!string.IsNullOrWhiteSpace(text) && text.TrimStart().StartsWith('{'))
        {
            try { body = JsonSerializer.Deserialize<ErrorBody>(text, Json); }
            catch (JsonException) { body = null; }
        }
        var first = body?.ErrorNumber is not null ? body : body?.Errors?.FirstOrDefault(e => e.ErrorNumber is not null);
        if (first?.ErrorNumber is { } number)
            return new AppleApiException(number, first.ErrorMessage ?? "(no message)", status);
        if ((int)status >= 400)
            return new AppleApiException(null, $"Apple answered HTTP {(int)status} ({status}) without an error body.", status);
        return null;
    }

    private static AppleClientConfig ToClientConfig(ClientConfigBody b) => new(
        b.MdmInfo, b.UId, b.LocationName, b.CountryIso2ACode, b.TokenExpirationDate, b.NotificationUrl, b.NotificationTypes ?? []);

    private static IReadOnlyList<string>? NullIfEmpty(IReadOnlyList<string> values) => values.Count == 0 ? null : values;

    private static void RequireToken(string sToken)
    {
        if (string.IsNullOrWhiteSpace(sToken))
            throw new ArgumentException("Pass the sToken (reveal it through the ledger at call time).", nameof(sToken));
    }

    private static void RequireHolders(IReadOnlyList<string> serialNumbers, IReadOnlyList<string> clientUserIds)
    {
        if (serialNumbers.Count == 0 && clientUserIds.Count == 0)
            throw new ArgumentException("Name at least one serial number or clientUserId.", nameof(serialNumbers));
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new LenientDateConverter());
        return options;
    }

    /// <summary>Apple writes dates as <c>2026-11-27T11:00:00+0000</c> (no colon in the offset), which System.Text.Json
    /// does not read; an unreadable date is null rather than a failed answer.</summary>
    private sealed class LenientDateConverter : JsonConverter<DateTimeOffset?>
    {
        private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:sszz00"];

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) return null;
            var s = reader.GetString();
            if (s is null) return null;
            if (DateTimeOffset.TryParseExact(s, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var exact)) return exact;
            // +0000 style offsets: insert the colon .NET expects.
            if (s.Length > 5 && (s[^5] == '+' || s[^5] == '-') && DateTimeOffset.TryParse(s[..^2] + ":" + s[^2..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var fixedUp))
                return fixedUp;
            return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var any) ? any : null;
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } v) writer.WriteStringValue(v.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
            else writer.WriteNullValue();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Apple answered {Method} {Path} with HTTP {Status} (attempt {Attempt})")]
        public static partial void Answered(ILogger logger, string method, string path, int status, int attempt);

        [LoggerMessage(2, LogLevel.Warning, "Apple refused {Method} {Path} for now (error {ErrorNumber}, HTTP {Status}); retrying in {Wait} (attempt {Attempt})")]
        public static partial void Retrying(ILogger logger, string method, string path, int? errorNumber, int status, TimeSpan wait, int attempt);

        [LoggerMessage(3, LogLevel.Information, "Apple's versionId of {What} changed from {Before} to {After} at page {Page}; the walk starts again")]
        public static partial void WalkRestarted(ILogger logger, string what, string? before, string? after, int page);
    }
}
