using System.Net;

namespace VppLedger.Apple;

/// <summary>What kind of failure an <see cref="AppleApiException"/> is, so a host can decide without reading numbers.</summary>
public enum AppleErrorKind
{
    /// <summary>Any other error (see <see cref="AppleApiException.ErrorNumber"/>).</summary>
    Other = 0,
    /// <summary>Too many requests (9646) or a server error (HTTP 5xx) that outlasted the client's retries: try later.</summary>
    Retryable,
    /// <summary>The sToken has expired (9621): renew the token in Apple Business Manager.</summary>
    TokenExpired,
    /// <summary>Apple revoked the sToken (9625): download a new token.</summary>
    TokenRevoked,
    /// <summary>Not enough licenses of the asset (9709).</summary>
    NotEnoughLicenses,
    /// <summary>The asset cannot be assigned to a device (9707), e.g. a book.</summary>
    NotDeviceAssignable,
    /// <summary>The asset's licenses cannot be revoked (9706), e.g. a book.</summary>
    NotRevocable,
    /// <summary>A paged walk saw Apple's <c>versionId</c> change on every attempt (no Apple error number).</summary>
    VersionChanged,
}

/// <summary>Apple answered with an error: an error body (<c>{errorNumber, errorMessage}</c>, even with HTTP 200), an HTTP
/// error status, or a failure the client's retries did not outlast. The sToken is never part of it.</summary>
public sealed class AppleApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorNumber">Apple's error number, or null when the answer had none.</param>
    /// <param name="errorMessage">Apple's error message, or the client's sentence when Apple gave none.</param>
    /// <param name="httpStatus">The HTTP status of the answer, or null when no answer applies.</param>
    /// <param name="kind">The classification; by default from the number and status.</param>
    public AppleApiException(int? errorNumber, string errorMessage, HttpStatusCode? httpStatus = null, AppleErrorKind? kind = null)
        : base(errorNumber is { } n ? $"Apple error {n}: {errorMessage}" : errorMessage)
    {
        ErrorNumber = errorNumber;
        ErrorMessage = errorMessage;
        HttpStatus = httpStatus;
        Kind = kind ?? Classify(errorNumber, httpStatus);
    }

    /// <summary>Creates the exception with only a message (no Apple error number).</summary>
    public AppleApiException() : this(null, "Apple answered with an error.") { }

    /// <summary>Creates the exception with only a message (no Apple error number).</summary>
    public AppleApiException(string message) : this(null, message) { }

    /// <summary>Creates the exception with a message and the exception it wraps.</summary>
    public AppleApiException(string message, Exception innerException) : base(message, innerException)
    {
        ErrorMessage = message;
    }

    /// <summary>Apple's error number (9621, 9709, ...), or null when the answer had none.</summary>
    public int? ErrorNumber { get; }

    /// <summary>Apple's error message, or the client's sentence when Apple gave none.</summary>
    public string ErrorMessage { get; }

    /// <summary>The HTTP status of the answer, or null.</summary>
    public HttpStatusCode? HttpStatus { get; }

    /// <summary>The classification of the error.</summary>
    public AppleErrorKind Kind { get; }

    /// <summary>The classification of an Apple error number and HTTP status (docs/apple-client.md lists them).</summary>
    public static AppleErrorKind Classify(int? errorNumber, HttpStatusCode? httpStatus = null) => errorNumber switch
    {
        AppleErrorNumbers.TooManyRequests => AppleErrorKind.Retryable,
        AppleErrorNumbers.TokenExpired => AppleErrorKind.TokenExpired,
        AppleErrorNumbers.TokenRevoked => AppleErrorKind.TokenRevoked,
        AppleErrorNumbers.NotEnoughLicenses => AppleErrorKind.NotEnoughLicenses,
        AppleErrorNumbers.NotDeviceAssignable => AppleErrorKind.NotDeviceAssignable,
        AppleErrorNumbers.NotRevocable => AppleErrorKind.NotRevocable,
        null when httpStatus is { } s && (int)s >= 500 => AppleErrorKind.Retryable,
        _ => AppleErrorKind.Other,
    };
}

/// <summary>The Apple error numbers the client classifies (Apple's full list: the service config's <c>errorCodes</c>).</summary>
public static class AppleErrorNumbers
{
    /// <summary>9646: too many requests; retried with backoff.</summary>
    public const int TooManyRequests = 9646;
    /// <summary>9621: the sToken has expired.</summary>
    public const int TokenExpired = 9621;
    /// <summary>9625: Apple revoked the sToken.</summary>
    public const int TokenRevoked = 9625;
    /// <summary>9706: the asset is not revocable.</summary>
    public const int NotRevocable = 9706;
    /// <summary>9707: the asset is not device-assignable.</summary>
    public const int NotDeviceAssignable = 9707;
    /// <summary>9709: not enough licenses.</summary>
    public const int NotEnoughLicenses = 9709;
}
