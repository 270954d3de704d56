using System.Net;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NodaTime.Text;

namespace VppLedger.Feed;

/// <summary>One feed event as one line of JSON (NDJSON): what the NDJSON and webhook sinks write.</summary>
public static class FeedJson
{
    private static readonly JsonSerializerSettings Settings = Storage.NewtonsoftSerializer.CreateSettings();

    /// <summary>
    /// <c>{"position", "tenant", "stream", "version", "event", "occurredAt", "actor", "correlationId", "data"}</c> on one
    /// line; <c>data</c> is the event as the log stores it. A receiver deduplicates by tenant and position.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="e">The event.</param>
    public static string Line(TenantId tenant, FeedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var line = new JObject
        {
            ["position"] = e.Position,
            ["tenant"] = tenant.Value,
            ["stream"] = e.Stream,
            ["version"] = e.Version,
            ["event"] = e.EventName,
            ["occurredAt"] = InstantPattern.ExtendedIso.Format(e.OccurredAt),
            ["actor"] = e.Actor,
            ["correlationId"] = e.CorrelationId,
            ["data"] = JObject.FromObject(e.Event, JsonSerializer.Create(Settings)),
        };
        return line.ToString(Formatting.None);
    }
}

/// <summary>Writes each event as one line of JSON to a writer, and flushes after each batch. Not thread-safe.</summary>
/// <param name="writer">Where the lines go (a file, standard output).</param>
public sealed class NdjsonChangeSink(TextWriter writer) : IChangeSink
{
    /// <inheritdoc/>
    public async Task DeliverAsync(TenantId tenant, IReadOnlyList<FeedEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch)
        {
            await writer.WriteLineAsync(FeedJson.Line(tenant, e).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>How the webhook sink retries.</summary>
public sealed record WebhookOptions
{
    /// <summary>Attempts per batch before the run stops (the checkpoint stays before the batch). Default 8.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>The pause after the first failure; doubled after each next one, with jitter. Default 200 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest pause. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>A webhook delivery that failed for good: every attempt failed, or the receiver refused the request (4xx).</summary>
public sealed class WebhookDeliveryException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="inner">The last failure, if any.</param>
    public WebhookDeliveryException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// POSTs each batch as NDJSON (<c>application/x-ndjson</c>) to one URL, signed: the header
/// <c>X-VppLedger-Signature: sha256=HEX</c> is the HMAC-SHA256 of the body under the shared secret
/// (<see cref="WebhookSignature.IsValid"/> checks it); <c>X-VppLedger-Delivery</c> names the tenant and the positions.
/// A network error, a timeout, 408, 429 or 5xx is retried with exponential backoff and jitter; another status is a
/// refusal. At least once: a receiver that applied a batch and then failed to answer gets it again, and deduplicates
/// by tenant and position.
/// </summary>
public sealed class WebhookChangeSink : IChangeSink
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-VppLedger-Signature";

    /// <summary>The delivery header: <c>TENANT:FIRST-LAST</c>.</summary>
    public const string DeliveryHeader = "X-VppLedger-Delivery";

    private readonly HttpClient _client;
    private readonly Uri _endpoint;
    private readonly byte[] _secret;
    private readonly WebhookOptions _options;

    /// <summary>A sink posting to <paramref name="endpoint"/>.</summary>
    /// <param name="client">The host's client (its handler, timeouts and proxies).</param>
    /// <param name="endpoint">The receiver's URL.</param>
    /// <param name="secret">The shared secret of the signature, 16 bytes or more.</param>
    /// <param name="options">Retries; defaults when null.</param>
    public WebhookChangeSink(HttpClient client, Uri endpoint, byte[] secret, WebhookOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < 16)
        {
            throw new ArgumentException($"The webhook secret has {secret.Length} bytes; use 16 or more random bytes.", nameof(secret));
        }

        _client = client;
        _endpoint = endpoint;
        _secret = [.. secret];
        _options = options ?? new WebhookOptions();
    }

    /// <inheritdoc/>
    public async Task DeliverAsync(TenantId tenant, IReadOnlyList<FeedEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var body = Encoding.UTF8.GetBytes(string.Concat(batch.Select(e => FeedJson.Line(tenant, e) + "\n")));
        var signature = WebhookSignature.Sign(_secret, body);
        var delivery = $"{tenant.Value}:{batch[0].Position}-{batch[^1].Position}";
        var backoff = _options.InitialBackoff;
        Exception? last = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
            request.Headers.Add(SignatureHeader, signature);
            request.Headers.Add(DeliveryHeader, delivery);
            try
            {
                using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (!IsTransient(response.StatusCode))
                {
                    throw new WebhookDeliveryException($"The webhook {_endpoint} refused delivery {delivery} with {(int)response.StatusCode} {response.ReasonPhrase}; fix the receiver, then run the feed again (it resumes at this batch).");
                }

                last = new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                last = e;
            }

            if (attempt < _options.MaxAttempts)
            {
                var jittered = TimeSpan.FromTicks((long)(backoff.Ticks * (0.5 + (Random.Shared.NextDouble() / 2))));
                await Task.Delay(jittered, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }

        throw new WebhookDeliveryException($"The webhook {_endpoint} failed delivery {delivery} {_options.MaxAttempts} times ({last?.Message}); the feed stops before this batch and delivers it again at the next run.", last);
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}

/// <summary>The webhook signature: HMAC-SHA256 of the body under the shared secret, as <c>sha256=HEX</c>.</summary>
public static class WebhookSignature
{
    /// <summary>The header value for a body.</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="body">The request body, as sent.</param>
    public static string Sign(byte[] secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    /// <summary>True when <paramref name="header"/> signs <paramref name="body"/> under <paramref name="secret"/> (constant-time comparison).</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="body">The request body, as received.</param>
    /// <param name="header">The <c>X-VppLedger-Signature</c> value.</param>
    public static bool IsValid(byte[] secret, byte[] body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));
}
