using System.Globalization;

namespace VppLedger;

/// <summary>Checks identifier text once, at the edge, with an error that says what to do.</summary>
internal static class IdentifierText
{
    /// <summary>Longest identifier accepted; stream ids are built from these, so they stay short.</summary>
    public const int MaxLength = 128;

    private const string Form = "an identifier is 1 to 128 characters, without ':', white space or control characters";

    /// <summary>Returns the text, or throws <see cref="ArgumentException"/> naming <paramref name="what"/>, what is wrong and the limit.</summary>
    public static string Check(string? value, string what, bool digitsOnly = false) =>
        Problem(value, digitsOnly) is { } problem
            ? throw new ArgumentException($"{what} {problem}.", nameof(value))
            : value!;

    /// <summary>The error for the <c>Value</c> of a <c>default</c> identifier: it was never created with its constructor.</summary>
    public static InvalidOperationException Unset(string type) =>
        new($"This {type} is default and has no value: create it with new {type}(\"...\") (or read it from the ledger) before using it.");

    /// <summary>What is wrong with identifier text, or null. Never repeats the text: a serial number is personal data.</summary>
    public static string? Problem(string? value, bool digitsOnly = false)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"is empty; pass the identifier your MDM uses for it ({Form})";
        }

        if (value.Length > MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is {value.Length} characters long; {Form}");
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var at = i + 1;

            // ':' separates the parts of a stream id (pool:{token}:{adamId}), so no identifier may hold one.
            string? problem = c switch
            {
                ':' => "contains ':'",
                '\0' => "contains a NUL character",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"contains the control character U+{(int)c:X4}"),
                _ when char.IsWhiteSpace(c) => "contains white space",
                _ when char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    => string.Create(CultureInfo.InvariantCulture, $"contains a lone UTF-16 surrogate U+{(int)c:X4}, which is not Unicode text"),
                _ => null,
            };
            if (problem is not null)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{problem} (at character {at}); {Form}");
            }

            if (digitsOnly && !char.IsAsciiDigit(c))
            {
                return string.Create(CultureInfo.InvariantCulture, $"is not a number (character {at} is not a digit); Apple's adamId (the app's store id) is made of digits only");
            }

            if (char.IsHighSurrogate(c))
            {
                i++; // the low half of a valid pair was checked with it
            }
        }

        return null;
    }
}

/// <summary>The host's identifier of a location (VPP) token.</summary>
public readonly record struct TokenId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public TokenId(string value) => _value = IdentifierText.Check(value, "Token id");

    private readonly string? _value;

    /// <summary>The identifier text; a <c>default</c> TokenId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("TokenId");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Apple's store identifier of an app or a book (its "adamId"): digits only.</summary>
public readonly record struct AdamId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> unless the text is digits only.</summary>
    public AdamId(string value) => _value = IdentifierText.Check(value, "AdamId", digitsOnly: true);

    private readonly string? _value;

    /// <summary>The identifier text; a <c>default</c> AdamId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("AdamId");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The host's identifier of a user of the directory.</summary>
public readonly record struct UserId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public UserId(string value) => _value = IdentifierText.Check(value, "User id");

    private readonly string? _value;

    /// <summary>The identifier text; a <c>default</c> UserId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("UserId");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The host's identifier of a managed device (not its serial number, which is personal data).</summary>
public readonly record struct DeviceId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public DeviceId(string value) => _value = IdentifierText.Check(value, "Device id");

    private readonly string? _value;

    /// <summary>The identifier text; a <c>default</c> DeviceId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("DeviceId");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The host's identifier of a user group or a device group.</summary>
public readonly record struct GroupId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public GroupId(string value) => _value = IdentifierText.Check(value, "Group id");

    private readonly string? _value;

    /// <summary>The identifier text; a <c>default</c> GroupId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("GroupId");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>A device's hardware serial number. Personal data: it never appears in a stream id or a log line.</summary>
public readonly record struct SerialNumber
{
    /// <summary>Creates the serial number; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public SerialNumber(string value) => _value = IdentifierText.Check(value, "Serial number");

    private readonly string? _value;

    /// <summary>The serial number text; a <c>default</c> SerialNumber has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("SerialNumber");

    /// <inheritdoc />
    public override string ToString() => "SerialNumber(***)";
}

/// <summary>Whether an Apple ID is the person's own or one issued by the organization (rule L4, L5).</summary>
public enum AppleIdKind
{
    /// <summary>A personal Apple ID, created by the end user.</summary>
    Personal = 0,

    /// <summary>A managed Apple ID, issued through Apple Business Manager or Apple School Manager.</summary>
    Managed = 1,
}

/// <summary>An Apple ID with its kind. Personal data: it never appears in a stream id or a log line.</summary>
public readonly record struct AppleId
{
    /// <summary>Creates the Apple ID; throws <see cref="ArgumentException"/> unless the text looks like an e-mail address.</summary>
    public AppleId(string value, AppleIdKind kind)
    {
        if (string.IsNullOrWhiteSpace(value) || value.IndexOf('@', StringComparison.Ordinal) <= 0 || value.Length > MaxLength)
        {
            throw new ArgumentException($"An Apple ID is an e-mail address (name@domain), at most {MaxLength} characters.", nameof(value));
        }

        if (InputRules.OneLineProblem(value, MaxLength) is { } problem)
        {
            throw new ArgumentException($"Apple ID {problem}; an Apple ID is an e-mail address (name@domain), at most {MaxLength} characters.", nameof(value));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"Apple ID kind {(int)kind} is not an AppleIdKind; use Personal or Managed.", nameof(kind));
        }

        _value = value;
        Kind = kind;
    }

    /// <summary>Longest Apple ID accepted: the longest e-mail address (RFC 5321 path limit, less its angle brackets).</summary>
    public const int MaxLength = 320;

    private readonly string? _value;

    /// <summary>The Apple ID text (an e-mail address); a <c>default</c> AppleId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("AppleId");

    /// <summary>Personal or managed.</summary>
    public AppleIdKind Kind { get; }

    /// <inheritdoc />
    public override string ToString() => $"AppleId({Kind}, ***)";
}

/// <summary>Apple's <c>pricingParam</c> of an asset: standard or high quality (docs/apple.md, "Pools and pricingParam").</summary>
public enum PricingParam
{
    /// <summary><c>STDQ</c>, standard quality: every pool that names no pricing (the default, and every pool recorded before pricing was known).</summary>
    Stdq = 0,

    /// <summary><c>PLUS</c>, high quality: a pool of its own beside the app's standard pool.</summary>
    Plus = 1,
}

/// <summary>
/// One license pool: the licenses of one app, at one <c>pricingParam</c>, bought under one token (rule L10: never
/// merged across tokens). A pool that names no pricing is the standard (<see cref="PricingParam.Stdq"/>) one, so pools
/// recorded before pricing was known keep their identity.
/// </summary>
public readonly record struct PoolId(TokenId Token, AdamId AdamId)
{
    /// <summary>The pool of an app at one pricing.</summary>
    /// <param name="token">The token.</param>
    /// <param name="adamId">The app.</param>
    /// <param name="pricing">Apple's pricingParam.</param>
    public PoolId(TokenId token, AdamId adamId, PricingParam pricing)
        : this(token, adamId) => Pricing = pricing;

    /// <summary>Apple's pricingParam; <see cref="PricingParam.Stdq"/> unless named.</summary>
    public PricingParam Pricing { get; init; }

    /// <summary>Apple's spelling of <see cref="Pricing"/>: <c>STDQ</c> or <c>PLUS</c>.</summary>
    public string ApplePricingParam => Pricing == PricingParam.Plus ? "PLUS" : "STDQ";

    /// <summary>Parses Apple's <c>pricingParam</c> (<c>STDQ</c>, <c>PLUS</c>, any case; empty = STDQ); null for anything else.</summary>
    /// <param name="text">Apple's text.</param>
    public static PricingParam? ParsePricing(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        null or "" or "STDQ" => PricingParam.Stdq,
        "PLUS" => PricingParam.Plus,
        _ => null,
    };

    /// <summary>The app part of the pool's keys: the adamId, followed by <c>:PLUS</c> for a high-quality pool.</summary>
    internal string AppKey => Pricing == PricingParam.Plus ? AdamId.Value + ":PLUS" : AdamId.Value;

    /// <summary>The pool of a token and an app key as <see cref="AppKey"/> writes it.</summary>
    internal static PoolId FromAppKey(string token, string appKey)
    {
        var colon = appKey.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? new PoolId(new TokenId(token), new AdamId(appKey))
            : new PoolId(new TokenId(token), new AdamId(appKey[..colon]), ParsePricing(appKey[(colon + 1)..]) ?? throw new ArgumentException($"'{appKey}' names no pricingParam.", nameof(appKey)));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Token.Value}:{AppKey}";
}

/// <summary>The caller's identifier of one command; a retry with the same id has no further effect (rule I4).</summary>
public readonly record struct CommandId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public CommandId(string value) => _value = IdentifierText.Check(value, "Command id");

    private readonly string? _value;

    /// <summary>The identifier text; a <c>default</c> CommandId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("CommandId");

    /// <summary>A new random command id, for callers that have none of their own.</summary>
    public static CommandId New() => new(Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>
/// One tenant of the ledger: one MDM customer, whose book nothing else reads or changes (rule X2). 1 to 64 ASCII
/// letters, digits, '.', '_' or '-', for example the MDM's customer id.
/// </summary>
public readonly record struct TenantId
{
    /// <summary>Longest tenant id accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>Creates the tenant id; throws <see cref="ArgumentException"/> for empty, over-long or other text.</summary>
    /// <param name="value">1 to 64 ASCII letters, digits, '.', '_' or '-'.</param>
    public TenantId(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength
            || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            var shown = value is null ? "null" : value.Length > MaxLength ? string.Create(CultureInfo.InvariantCulture, $"of {value.Length} characters") : $"'{value}'";
            throw new ArgumentException(
                $"Tenant id {shown} is not valid: use 1 to {MaxLength} ASCII letters, digits, '.', '_' or '-' (for example the MDM customer's id).",
                nameof(value));
        }

        _value = value;
    }

    private readonly string? _value;

    /// <summary>The tenant id text; a <c>default</c> TenantId has none and throws <see cref="InvalidOperationException"/>.</summary>
    public string Value => _value ?? throw IdentifierText.Unset("TenantId");

    /// <inheritdoc />
    public override string ToString() => Value;
}
