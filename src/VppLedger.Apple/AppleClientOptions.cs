namespace VppLedger.Apple;

/// <summary>Settings of <see cref="AppleAppsAndBooksClient"/> (docs/apple-client.md).</summary>
public sealed class AppleClientOptions
{
    /// <summary>Apple's production base address of the Apps and Books API v2.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://vpp.itunes.apple.com/mdm/v2");

    /// <summary>The API's base address; every path (<c>/assets</c>, <c>/status</c>, ...) is appended to it.
    /// Default <see cref="DefaultBaseAddress"/>; tests point it at a fake Apple.</summary>
    public Uri BaseAddress { get; set; } = DefaultBaseAddress;

    /// <summary>Attempts of one request in all (the first and its retries) when Apple answers 9646 or HTTP 5xx.
    /// Default 4; at least 1.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The wait before the first retry when Apple sends no <c>Retry-After</c>. Default 5 seconds.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The factor each further retry's wait grows by. Default 3 (5 s, 15 s, 45 s).</summary>
    public double BackoffFactor { get; set; } = 3;

    /// <summary>The longest wait before a retry, whether computed or asked for by <c>Retry-After</c>. Default 5 minutes.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests a second per token (Apple's published limit: 15). Every attempt counts.</summary>
    public int MaxRequestsPerSecondPerToken { get; set; } = 15;

    /// <summary>How many times a paged walk is started again when Apple's <c>versionId</c> changes mid-walk,
    /// before the client gives up with <see cref="AppleErrorKind.VersionChanged"/>. Default 3.</summary>
    public int MaxWalkRestarts { get; set; } = 3;

    /// <summary>The most pages one walk reads (a guard against a server that never ends a walk). Default 10,000.</summary>
    public int MaxPagesPerWalk { get; set; } = 10_000;
}
