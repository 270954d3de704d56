namespace VppLedger;

/// <summary>Checks identifier text once, at the edge, with an error that says what to do.</summary>
internal static class IdentifierText
{
    /// <summary>Longest identifier accepted; stream ids are built from these, so they stay short.</summary>
    public const int MaxLength = 128;

    public static string Check(string? value, string what, bool digitsOnly = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{what} is empty. Pass the identifier your MDM uses for it.", nameof(value));
        }

        if (value.Length > MaxLength)
        {
            throw new ArgumentException($"{what} '{value[..16]}...' is {value.Length} characters long; at most {MaxLength} are accepted.", nameof(value));
        }

        foreach (var c in value)
        {
            // ':' separates the parts of a stream id (pool:{token}:{adamId}), so no identifier may hold one.
            if (c == ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new ArgumentException($"{what} '{value}' contains '{c}' ; identifiers may not contain ':', spaces or control characters.", nameof(value));
            }

            if (digitsOnly && !char.IsAsciiDigit(c))
            {
                throw new ArgumentException($"{what} '{value}' is not a number; Apple's adamId (the app's store id) is made of digits only.", nameof(value));
            }
        }

        return value;
    }
}

/// <summary>The host's identifier of a location (VPP) token.</summary>
public readonly record struct TokenId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public TokenId(string value) => Value = IdentifierText.Check(value, "Token id");

    /// <summary>The identifier text.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Apple's store identifier of an app or a book (its "adamId"): digits only.</summary>
public readonly record struct AdamId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> unless the text is digits only.</summary>
    public AdamId(string value) => Value = IdentifierText.Check(value, "AdamId", digitsOnly: true);

    /// <summary>The identifier text.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The host's identifier of a user of the directory.</summary>
public readonly record struct UserId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public UserId(string value) => Value = IdentifierText.Check(value, "User id");

    /// <summary>The identifier text.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The host's identifier of a managed device (not its serial number, which is personal data).</summary>
public readonly record struct DeviceId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public DeviceId(string value) => Value = IdentifierText.Check(value, "Device id");

    /// <summary>The identifier text.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The host's identifier of a user group or a device group.</summary>
public readonly record struct GroupId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public GroupId(string value) => Value = IdentifierText.Check(value, "Group id");

    /// <summary>The identifier text.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>A device's hardware serial number. Personal data: it never appears in a stream id or a log line.</summary>
public readonly record struct SerialNumber
{
    /// <summary>Creates the serial number; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public SerialNumber(string value) => Value = IdentifierText.Check(value, "Serial number");

    /// <summary>The serial number text.</summary>
    public string Value { get; }

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
        if (string.IsNullOrWhiteSpace(value) || value.IndexOf('@', StringComparison.Ordinal) <= 0 || value.Length > 320)
        {
            throw new ArgumentException("An Apple ID is an e-mail address (name@domain), at most 320 characters.", nameof(value));
        }

        Value = value;
        Kind = kind;
    }

    /// <summary>The Apple ID text (an e-mail address).</summary>
    public string Value { get; }

    /// <summary>Personal or managed.</summary>
    public AppleIdKind Kind { get; }

    /// <inheritdoc />
    public override string ToString() => $"AppleId({Kind}, ***)";
}

/// <summary>One license pool: the licenses of one app bought under one token (rule L10: never merged across tokens).</summary>
public readonly record struct PoolId(TokenId Token, AdamId AdamId)
{
    /// <inheritdoc />
    public override string ToString() => $"{Token.Value}:{AdamId.Value}";
}

/// <summary>The caller's identifier of one command; a retry with the same id has no further effect (rule I4).</summary>
public readonly record struct CommandId
{
    /// <summary>Creates the identifier; throws <see cref="ArgumentException"/> for empty, over-long or ':'-bearing text.</summary>
    public CommandId(string value) => Value = IdentifierText.Check(value, "Command id");

    /// <summary>The identifier text.</summary>
    public string Value { get; }

    /// <summary>A new random command id, for callers that have none of their own.</summary>
    public static CommandId New() => new(Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    public override string ToString() => Value;
}
