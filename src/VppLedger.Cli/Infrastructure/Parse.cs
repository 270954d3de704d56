using NodaTime;
using NodaTime.Text;

namespace VppLedger.Cli.Infrastructure;

/// <summary>Parses the identifiers and instants people type, once, at the edge, with an error that says what to write.</summary>
internal static class Parse
{
    /// <summary>An ISO 8601 instant in UTC (<c>2026-11-17T06:00:00Z</c>, seconds optional) or a date (<c>2026-11-17</c>: its start, UTC).</summary>
    public static Instant Instant(string text, string option)
    {
        var trimmed = text.Trim();
        var full = InstantPattern.ExtendedIso.Parse(trimmed);
        if (full.Success)
        {
            return full.Value;
        }

        var minutes = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm'Z'").Parse(trimmed);
        if (minutes.Success)
        {
            return minutes.Value;
        }

        var date = LocalDatePattern.Iso.Parse(trimmed);
        if (date.Success)
        {
            return date.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        }

        throw new CliException(ExitCodes.Usage, $"{option} '{text}' is not an instant: write it in UTC as 2026-11-17T06:00:00Z, or a date such as 2026-11-17 (its start, UTC).");
    }

    public static Instant? OptionalInstant(string? text, string option) => string.IsNullOrWhiteSpace(text) ? null : Instant(text, option);

    /// <summary>A holder key: <c>u.{userId}.personal</c>, <c>u.{userId}.managed</c> or <c>d.{deviceId}</c>.</summary>
    public static Holder Holder(string text)
    {
        try
        {
            return VppLedger.Holder.FromKey(text.Trim());
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new CliException(ExitCodes.Usage, $"--holder '{text}' is not a holder: write u.USERID.personal, u.USERID.managed or d.DEVICEID (the host's ids, never an Apple ID or a serial number).", e);
        }
    }

    /// <summary>A pool: <c>{tokenId}:{adamId}</c>.</summary>
    public static PoolId Pool(string text)
    {
        var colon = text.LastIndexOf(':');
        try
        {
            if (colon > 0)
            {
                return new PoolId(new TokenId(text[..colon].Trim()), new AdamId(text[(colon + 1)..].Trim()));
            }
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--pool '{text}' is not a pool ({e.Message}): write TOKEN:ADAMID, for example tok-main:361309726.", e);
        }

        throw new CliException(ExitCodes.Usage, $"--pool '{text}' is not a pool: write TOKEN:ADAMID, for example tok-main:361309726.");
    }

    public static AdamId App(string text)
    {
        try
        {
            return new AdamId(text.Trim());
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--app '{text}' is not an app: write its adamId (digits only), for example 361309726.", e);
        }
    }

    public static TokenId Token(string text)
    {
        try
        {
            return new TokenId(text.Trim());
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--token '{text}' is not a token id: {e.Message}", e);
        }
    }
}
