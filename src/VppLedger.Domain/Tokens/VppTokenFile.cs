using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace VppLedger.Tokens;

/// <summary>
/// A parsed <c>.vpptoken</c> file: base64 of the JSON <c>{"orgName": ..., "token": ..., "expDate": ...}</c>
/// that Apple Business Manager and Apple School Manager let an administrator download.
/// <see cref="ToString"/> never shows the secret (rule T12). Immutable and thread-safe.
/// </summary>
public sealed class VppTokenFile
{
    /// <summary>
    /// Largest file accepted, in bytes. Apple's files are well under 2 KiB; anything bigger is not a token file,
    /// and refusing it before decoding bounds the work an upload can cause.
    /// </summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>
    /// Longest <c>orgName</c> accepted: a name (<see cref="InputRules.MaxNameLength"/>), short enough that the location
    /// key derived from it (<see cref="LocationKey.FromOrganizationName"/>) stays within <see cref="LocationKey.MaxLength"/>.
    /// </summary>
    public const int MaxOrganizationNameLength = InputRules.MaxNameLength;

    /// <summary>Longest <c>token</c> (secret) accepted: Apple's are a few hundred characters; this bounds the secret store's row.</summary>
    public const int MaxSecretLength = 4096;

    /// <summary>Longest <c>expDate</c> accepted: a date like 2030-11-08T22:33:22+0000 is 24 characters.</summary>
    public const int MaxDateLength = 64;

    // Apple writes "2030-11-08T22:33:22+0000"; the ISO forms with "Z" or "+00:00" are accepted too.
    private static readonly OffsetDateTimePattern[] DatePatterns =
    [
        OffsetDateTimePattern.Create("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HHmm>", CultureInfo.InvariantCulture, default),
        OffsetDateTimePattern.Create("uuuu'-'MM'-'dd'T'HH':'mm':'sso<G>", CultureInfo.InvariantCulture, default),
    ];

    private static readonly OffsetDateTimePattern WritePattern = DatePatterns[0];

    private VppTokenFile(string organizationName, Instant expiresAt, TokenSecret secret)
    {
        OrganizationName = organizationName;
        ExpiresAt = expiresAt;
        Secret = secret;
    }

    /// <summary>The organization named in the file (<c>orgName</c>).</summary>
    public string OrganizationName { get; }

    /// <summary>When the token expires (<c>expDate</c>, rule T2).</summary>
    public Instant ExpiresAt { get; }

    /// <summary>The secret (<c>token</c>); shown only by <see cref="TokenSecret.Reveal"/> (rule T12).</summary>
    public TokenSecret Secret { get; }

    /// <summary>The SHA-256 fingerprint of the secret, the only trace of it that events carry (rule T12).</summary>
    public TokenFingerprint Fingerprint => Secret.Fingerprint;

    /// <summary>The location key derived from the organization name; see <see cref="LocationKey"/> for when to prefer Apple's location id.</summary>
    public LocationKey LocationFromOrganization => LocationKey.FromOrganizationName(OrganizationName);

    /// <summary>What commands carry: the file without its secret.</summary>
    public TokenFileFacts Facts => new(OrganizationName, ExpiresAt, Fingerprint);

    /// <summary>Parses the bytes of a token file, as uploaded. Pure: reads no clock and no file.</summary>
    /// <param name="content">The file's bytes: base64 text.</param>
    /// <param name="now">The current time, to refuse an expired token (rule T2).</param>
    /// <returns>The file, or the rejection that says what is wrong and what to do.</returns>
    public static VppTokenFileResult Parse(ReadOnlySpan<byte> content, Instant now)
    {
        if (content.Length > MaxFileBytes)
        {
            return TokenRejections.TokenFileTooLarge(content.Length);
        }

        var text = new StringBuilder(content.Length);
        foreach (var b in content)
        {
            // Base64 is ASCII; any other byte is reported by position in Parse(string).
            text.Append(b < 0x80 ? (char)b : '\uFFFD');
        }

        return Parse(text.ToString(), now);
    }

    /// <summary>Parses the text of a token file. Pure: reads no clock and no file.</summary>
    /// <param name="content">The file's text: base64, with optional surrounding white space.</param>
    /// <param name="now">The current time, to refuse an expired token (rule T2).</param>
    /// <returns>The file, or the rejection that says what is wrong and what to do.</returns>
    public static VppTokenFileResult Parse(string content, Instant now)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length > MaxFileBytes)
        {
            return TokenRejections.TokenFileTooLarge(content.Length);
        }

        var start = content.Length - content.TrimStart().Length;
        var base64 = content.Trim();
        if (base64.Length == 0)
        {
            return TokenRejections.TokenFileEmpty();
        }

        var bad = FirstNonBase64(base64);
        if (bad >= 0)
        {
            return TokenRejections.TokenFileNotBase64(start + bad + 1);
        }

        var bytes = new byte[base64.Length * 3 / 4];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return TokenRejections.TokenFileNotBase64(start + base64.Length);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(0, written));
        }
        catch (JsonException)
        {
            return TokenRejections.TokenFileNotJson();
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return TokenRejections.TokenFileNotJson();
            }

            var root = document.RootElement;
            if (Field(root, "orgName", MaxOrganizationNameLength, out var orgName) is { } orgError)
            {
                return orgError;
            }

            if (Field(root, "token", MaxSecretLength, out var secret) is { } secretError)
            {
                return secretError;
            }

            if (Field(root, "expDate", MaxDateLength, out var expDate) is { } dateError)
            {
                return dateError;
            }

            if (!TryParseDate(expDate, out var expiresAt))
            {
                return TokenRejections.TokenFileBadDate(expDate);
            }

            if (expiresAt <= now)
            {
                return TokenRejections.TokenFileExpired(expiresAt);
            }

            return new VppTokenFile(orgName.Trim(), expiresAt, new TokenSecret(secret));
        }
    }

    /// <summary>
    /// Writes a valid token file (base64 text) for this organization, secret and expiry, as Apple does.
    /// For demos and tests; the ledger never writes a file with a real secret.
    /// </summary>
    /// <param name="organizationName">The <c>orgName</c> to write; not empty.</param>
    /// <param name="secret">The <c>token</c> to write; not empty.</param>
    /// <param name="expiresAt">The <c>expDate</c> to write, in UTC to the second.</param>
    public static string Create(string organizationName, string secret, Instant expiresAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(organizationName);
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["orgName"] = organizationName,
            ["token"] = secret,
            ["expDate"] = WritePattern.Format(expiresAt.WithOffset(Offset.Zero)),
        });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Names the organization and the expiry; never the secret (rule T12).</summary>
    public override string ToString() =>
        $"VppTokenFile({OrganizationName}, expires {InstantPattern.General.Format(ExpiresAt)}, fingerprint {Fingerprint.Short})";

    private static Rejection? Field(JsonElement root, string name, int maxLength, out string value)
    {
        value = string.Empty;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return TokenRejections.TokenFileFieldMissing(name);
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return TokenRejections.TokenFileFieldNotText(name, element.ValueKind.ToString());
        }

        try
        {
            value = element.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses an escaped lone surrogate ("\ud800") when it builds the string.
            return TokenRejections.TokenFileFieldInvalid(name, "contains a lone UTF-16 surrogate, which is not Unicode text");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return TokenRejections.TokenFileFieldEmpty(name);
        }

        return InputRules.TextProblem(value, maxLength) is { } problem ? TokenRejections.TokenFileFieldInvalid(name, problem) : null;
    }

    private static bool TryParseDate(string text, out Instant instant)
    {
        foreach (var pattern in DatePatterns)
        {
            var result = pattern.Parse(text.Trim());
            if (result.Success)
            {
                try
                {
                    instant = result.Value.ToInstant();
                }
                catch (OverflowException)
                {
                    break; // 9999-12-31T23:59:59-1400 is a valid offset date time, yet later than the last Instant
                }

                // PostgreSQL's timestamps (and DateTime) hold the years 1 to 9999 only.
                var year = instant.InUtc().Year;
                return year is >= 1 and <= 9999;
            }
        }

        instant = default;
        return false;
    }

    private static int FirstNonBase64(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var ok = char.IsAsciiLetterOrDigit(c) || c is '+' or '/' || (c == '=' && i >= text.Length - 2);
            if (!ok)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>The outcome of <see cref="VppTokenFile.Parse(string, Instant)"/>: the file, or why it was refused.</summary>
public sealed class VppTokenFileResult
{
    private VppTokenFileResult(VppTokenFile? file, Rejection? rejection)
    {
        File = file;
        Rejection = rejection;
    }

    /// <summary>The parsed file; null when refused.</summary>
    public VppTokenFile? File { get; }

    /// <summary>Why the file was refused (a stable code of <see cref="TokenRejections"/>); null when parsed.</summary>
    public Rejection? Rejection { get; }

    /// <summary>True when the file parsed; then <see cref="File"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(File))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsValid => File is not null;

    /// <summary>A parsed file.</summary>
    public static implicit operator VppTokenFileResult(VppTokenFile file) => new(file ?? throw new ArgumentNullException(nameof(file)), null);

    /// <summary>A refused file.</summary>
    public static implicit operator VppTokenFileResult(Rejection error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>Same as the implicit conversion, for languages without one.</summary>
    public static VppTokenFileResult FromFile(VppTokenFile file) => file;

    /// <summary>Same as the implicit conversion, for languages without one.</summary>
    public static VppTokenFileResult FromRejection(Rejection error) => error;

    /// <summary>Names the file or the error; never the secret (rule T12).</summary>
    public override string ToString() => IsValid ? File.ToString() : $"Refused: {Rejection.Code}";
}
