using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace VppLedger.Tokens;

/// <summary>
/// The secret of a location token: the text Apple's API wants with every call. Rule T12: it never enters
/// an event, a state, a projection or a log line. <see cref="ToString"/> never shows it; only
/// <see cref="Reveal"/> does, for the storage layer that keeps it in its own erasable store.
/// Immutable and safe to share between threads.
/// </summary>
public sealed class TokenSecret : IEquatable<TokenSecret>
{
    private readonly string _value;

    /// <summary>Wraps secret text; throws <see cref="ArgumentException"/> when it is empty.</summary>
    /// <param name="value">The secret text, as found in the <c>token</c> field of the token file.</param>
    public TokenSecret(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
        Fingerprint = TokenFingerprint.Of(value);
    }

    /// <summary>The SHA-256 fingerprint of the secret: what events carry instead of it (rule T12).</summary>
    public TokenFingerprint Fingerprint { get; }

    /// <summary>
    /// The secret text. Call it only to hand the secret to the secret store or to Apple; never log it,
    /// never put it in an event, a command or a read model (rule T12).
    /// </summary>
    public string Reveal() => _value;

    /// <inheritdoc />
    public bool Equals(TokenSecret? other) => other is not null && Fingerprint == other.Fingerprint;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TokenSecret);

    /// <inheritdoc />
    public override int GetHashCode() => Fingerprint.GetHashCode();

    /// <summary>Shows the fingerprint only, never the secret (rule T12).</summary>
    public override string ToString() => $"TokenSecret(***, {Fingerprint})";
}

/// <summary>The SHA-256 of a token secret, as 64 lower-case hexadecimal characters (rule T12).</summary>
public readonly record struct TokenFingerprint
{
    /// <summary>Length of the hexadecimal text of a SHA-256 digest.</summary>
    public const int HexLength = 64;

    /// <summary>Wraps a fingerprint; throws <see cref="ArgumentException"/> unless it is 64 hexadecimal characters.</summary>
    /// <param name="hex">The fingerprint as hexadecimal text (any case; stored lower case).</param>
    public TokenFingerprint(string hex)
    {
        if (hex is null || hex.Length != HexLength || !hex.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("A token fingerprint is the SHA-256 of the token secret as 64 hexadecimal characters.", nameof(hex));
        }

        Hex = hex.ToLowerInvariant();
    }

    /// <summary>The fingerprint as 64 lower-case hexadecimal characters.</summary>
    public string Hex { get; }

    /// <summary>The fingerprint of secret text.</summary>
    /// <param name="secret">The secret text.</param>
    public static TokenFingerprint Of(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return new TokenFingerprint(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))));
    }

    /// <summary>The first 12 characters, enough to tell tokens apart in a message.</summary>
    public string Short => Hex is null ? string.Empty : Hex[..12];

    /// <inheritdoc />
    public override string ToString() => Hex ?? string.Empty;
}

/// <summary>
/// Which Apple location a token belongs to. Rules T4 (one tenant per location, duplicates within a tenant)
/// and T8 (a renewal is a new file for the same location) compare these keys.
/// </summary>
/// <remarks>
/// Why two sources: Apple identifies a location by its own id, which the host reads from Apple's Apps and
/// Books API with the token (the client configuration of the location) after the upload. That id is the
/// right key and <see cref="FromAppleLocationId"/> builds it. The token file itself holds only the
/// organization name, which is shared by every location of an organization; <see cref="FromOrganizationName"/>
/// (case- and space-insensitive) is the fallback for hosts that do not call Apple before recording the
/// upload, and is exact only for organizations with one location. A tenant should use one source for all of
/// its tokens, since keys of different sources never match.
/// </remarks>
public readonly record struct LocationKey
{
    /// <summary>Longest key accepted; the storage layer indexes it.</summary>
    public const int MaxLength = 300;

    /// <summary>Wraps key text as built by the factories (and read back from events); throws <see cref="ArgumentException"/> when empty, longer than <see cref="MaxLength"/>, or holding a NUL character or a lone UTF-16 surrogate.</summary>
    /// <param name="value">The key text.</param>
    public LocationKey(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength)
        {
            throw new ArgumentException($"A location key is 1 to {MaxLength} characters; build it with FromAppleLocationId or FromOrganizationName.", nameof(value));
        }

        if (InputRules.TextProblem(value, MaxLength) is { } problem)
        {
            throw new ArgumentException($"Location key {problem}.", nameof(value));
        }

        Value = value;
    }

    /// <summary>The key text: <c>apple:{id}</c> or <c>org:{normalised name}</c>.</summary>
    public string Value { get; }

    /// <summary>The key of the location id Apple reports for the token.</summary>
    /// <param name="appleLocationId">Apple's identifier of the location.</param>
    public static LocationKey FromAppleLocationId(string appleLocationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appleLocationId);
        return Checked("apple:" + appleLocationId.Trim());
    }

    /// <summary>The key derived from the organization name of the token file: trimmed, inner spaces collapsed, upper-cased (invariant).</summary>
    /// <param name="organizationName">The <c>orgName</c> of the token file.</param>
    public static LocationKey FromOrganizationName(string organizationName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(organizationName);
        var words = organizationName.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return Checked("org:" + string.Join(' ', words).ToUpperInvariant());
    }

    private static LocationKey Checked(string value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}

/// <summary>
/// What the ledger records of a token file: everything but the secret (rule T12). Commands carry these facts;
/// the secret goes to the secret store beside the command.
/// </summary>
/// <param name="OrganizationName">The organization named in the file.</param>
/// <param name="ExpiresAt">When the token expires (rule T2).</param>
/// <param name="Fingerprint">The SHA-256 of the secret (rule T12).</param>
public sealed record TokenFileFacts(string OrganizationName, Instant ExpiresAt, TokenFingerprint Fingerprint);

/// <summary>The account type of the Apple Business Manager or Apple School Manager account (rule T5).</summary>
public enum TokenAccountType
{
    /// <summary>Apple Business Manager.</summary>
    Business = 0,

    /// <summary>Apple School Manager.</summary>
    Education = 1,
}

/// <summary>Which Apple programme issued the token (rule T9).</summary>
public enum TokenProgramme
{
    /// <summary>A location token of Apps and Books, in Apple Business Manager or Apple School Manager.</summary>
    AppsAndBooks = 0,

    /// <summary>A token of the legacy Volume Purchase Program, to be migrated in place (rule T9).</summary>
    LegacyVpp = 1,
}

/// <summary>What started a sync (rule T6: twice a day by default, and on demand).</summary>
public enum SyncTrigger
{
    /// <summary>The host's schedule (twice a day by default).</summary>
    Scheduled = 0,

    /// <summary>An administrator asked for it.</summary>
    OnDemand = 1,
}

/// <summary>The settings an administrator chooses for a token (rules T5, T7, T11).</summary>
/// <param name="Name">The token's display name in the MDM.</param>
/// <param name="CountryCode">The country or region whose store provides app metadata: two upper-case ISO 3166 letters, for example <c>FR</c>.</param>
/// <param name="AccountType">Business or Education.</param>
/// <param name="AutomaticAppUpdates">Whether apps are updated automatically (rule T11).</param>
public sealed record TokenSettings(string Name, string CountryCode, TokenAccountType AccountType, bool AutomaticAppUpdates)
{
    /// <summary>Longest token name accepted.</summary>
    public const int MaxNameLength = 200;
}

/// <summary>What a token is now (rule T2, T3, T4, T10), from <see cref="TokenRules.StatusOf"/>.</summary>
public enum TokenStatus
{
    /// <summary>No token was uploaded under this id.</summary>
    NotUploaded = 0,

    /// <summary>Usable and not close to expiry.</summary>
    Valid = 1,

    /// <summary>Usable, but expires within the policy's window (rule T2, ledger policy: 30 days).</summary>
    ExpiringSoon = 2,

    /// <summary>Past its expiry: cannot sync or grant until renewed (rule T2).</summary>
    Expired = 3,

    /// <summary>Apple reports it bound to another MDM: cannot sync or grant until control is taken (rule T3).</summary>
    AssignedToExternalMdm = 4,

    /// <summary>Another token of the tenant holds the same location; this copy may be deleted (rule T4).</summary>
    Duplicate = 5,

    /// <summary>Deleted (rule T10).</summary>
    Deleted = 6,
}
