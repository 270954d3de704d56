using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace VppLedger.Tokens;

/// <summary>
/// Every refusal of the token slice: the token file parser and the token commands. Codes are stable
/// (never renamed) and listed in docs/errors.md with their rule ids.
/// </summary>
internal static class TokenRejections
{
    private const string Download =
        "Download the token again from Apple Business Manager (or Apple School Manager) > Preferences > Payments and Billing, and upload that file unchanged.";

    /// <summary>The file is larger than <see cref="VppTokenFile.MaxFileBytes"/> (rule T5).</summary>
    /// <param name="size">The size received, in bytes.</param>
    public static Rejection TokenFileTooLarge(int size) => new(
        RejectionCodes.TokenFileTooLarge,
        "T5",
        string.Create(CultureInfo.InvariantCulture, $"Token file is {size} bytes; a token file is at most {VppTokenFile.MaxFileBytes} bytes, so this is not one. {Download}"));

    /// <summary>The file holds nothing but white space (rule T5).</summary>
    public static Rejection TokenFileEmpty() => new(
        RejectionCodes.TokenFileEmpty,
        "T5",
        $"Token file is empty. {Download}");

    /// <summary>The file is not base64 text (rule T5).</summary>
    /// <param name="position">The 1-based position of the first character that is not base64.</param>
    public static Rejection TokenFileNotBase64(int position) => new(
        "TokenFileNotBase64",
        "T5",
        string.Create(CultureInfo.InvariantCulture, $"Token file is not base64 (at character {position}). {Download}"));

    /// <summary>The decoded file is not a JSON object (rule T5).</summary>
    public static Rejection TokenFileNotJson() => new(
        RejectionCodes.TokenFileNotJson,
        "T5",
        $"Token file decodes from base64 but is not the JSON object Apple writes (orgName, token, expDate). {Download}");

    /// <summary>A field of the file is absent (rule T5).</summary>
    /// <param name="field">The JSON field name.</param>
    public static Rejection TokenFileFieldMissing(string field) => new(
        RejectionCodes.TokenFileFieldMissing,
        "T5",
        $"Token file has no '{field}' field. {Download}");

    /// <summary>A field of the file is not a text value (rule T5).</summary>
    /// <param name="field">The JSON field name.</param>
    /// <param name="kind">The JSON kind found instead.</param>
    public static Rejection TokenFileFieldNotText(string field, string kind) => new(
        RejectionCodes.TokenFileFieldNotText,
        "T5",
        $"Token file field '{field}' is a {kind}, not text. {Download}");

    /// <summary>A field of the file is empty (rule T5).</summary>
    /// <param name="field">The JSON field name.</param>
    public static Rejection TokenFileFieldEmpty(string field) => new(
        RejectionCodes.TokenFileFieldEmpty,
        "T5",
        $"Token file field '{field}' is empty. {Download}");

    /// <summary>A field of the file holds text no token file holds: too long, a NUL character or a lone UTF-16 surrogate (rule T5).</summary>
    /// <param name="field">The field's name.</param>
    /// <param name="problem">What is wrong, with the limit.</param>
    public static Rejection TokenFileFieldInvalid(string field, string problem) => new(
        RejectionCodes.TokenFileFieldInvalid,
        "T5",
        $"Token file field '{field}' {problem}. {Download}");

    /// <summary>The expiry date of the file cannot be read (rule T2: the expiry comes from the file).</summary>
    /// <param name="text">The date text found.</param>
    public static Rejection TokenFileBadDate(string text) => new(
        RejectionCodes.TokenFileBadDate,
        "T2",
        $"Token file expiry date '{Truncate(text)}' is not a date like 2030-11-08T22:33:22+0000. {Download}");

    /// <summary>The token file has expired already (rule T2).</summary>
    /// <param name="expiredAt">Its expiry.</param>
    public static Rejection TokenFileExpired(Instant expiredAt) => new(
        RejectionCodes.TokenFileExpired,
        "T2",
        $"Token file expired on {Format(expiredAt)}. Download a new token from Apple Business Manager (or Apple School Manager) > Preferences > Payments and Billing; tokens are valid for one year.");

    /// <summary>The tenant holds the most tokens allowed (rule T1).</summary>
    /// <param name="count">How many tokens the tenant holds.</param>
    public static Rejection TooManyTokens(int count) => new(
        RejectionCodes.TooManyTokens,
        "T1",
        string.Create(CultureInfo.InvariantCulture, $"This tenant already holds {count} tokens; at most {TokenDecider.MaxTokensPerTenant} are allowed. Delete a token you no longer use (duplicates first), then upload again."));

    /// <summary>The administrator did not consent to send user and device data to Apple (rule T5).</summary>
    public static Rejection ConsentRequired() => new(
        RejectionCodes.ConsentRequired,
        "T5",
        "The upload lacks consent to send user and device data to Apple; without it Apple cannot assign licenses. Tick the consent box and upload again.");

    /// <summary>The Apple ID given for the account is not a managed Apple ID (rule T5).</summary>
    public static Rejection ManagedAppleIdRequired() => new(
        RejectionCodes.ManagedAppleIdRequired,
        "T5",
        "The Apple ID of the token's account must be the managed Apple ID of the Apple Business Manager (or Apple School Manager) account, not a personal Apple ID. Enter the managed Apple ID and upload again.");

    /// <summary>The token name is empty or too long (rule T5).</summary>
    /// <param name="length">The length of the name given.</param>
    public static Rejection InvalidTokenName(int length) => new(
        RejectionCodes.InvalidTokenName,
        "T5",
        string.Create(CultureInfo.InvariantCulture, $"The token name has {length} characters; give a name of 1 to {TokenSettings.MaxNameLength} characters."));

    /// <summary>The country or region is not two ISO 3166 letters (rule T7).</summary>
    /// <param name="code">The code given.</param>
    public static Rejection InvalidCountryCode(string code) => new(
        RejectionCodes.InvalidCountryCode,
        "T7",
        $"Country or region '{Truncate(code)}' is not a two-letter ISO 3166 code; give the store's country, for example FR or US.");

    /// <summary>The location is active in another tenant (rule T4).</summary>
    public static Rejection DuplicateLocationInAnotherTenant() => new(
        RejectionCodes.DuplicateLocationInAnotherTenant,
        "T4",
        "This token's location is already in use by another tenant; a location is used by one tenant at a time. Delete it from the other tenant first, or download the token of another location.");

    /// <summary>A different token file was already uploaded under this token id (rule T8: renew instead).</summary>
    /// <param name="token">The token.</param>
    public static Rejection TokenAlreadyUploaded(TokenId token) => new(
        RejectionCodes.TokenAlreadyUploaded,
        "T8",
        $"Token '{token}' was already uploaded with another file. To replace its file, renew the token; to add another location, upload under a new token id.");

    /// <summary>No token was uploaded under this id.</summary>
    /// <param name="token">The token, when known.</param>
    public static Rejection TokenNotFound(TokenId? token) => new(
        RejectionCodes.TokenNotFound,
        "T5",
        $"No token {(token is { } id ? $"'{id}' " : string.Empty)}was uploaded in this tenant. Upload it first, or check the token id.");

    /// <summary>A token's facts were sent without its file, so the ledger could not keep the secret apart (rule T12).</summary>
    public static Rejection UseTokenFileCommand() => new(
        RejectionCodes.UseTokenFileCommand,
        "T12",
        "Send UploadTokenFile, RenewTokenFile or MigrateLegacyTokenFile with the file itself, so the ledger can keep its secret apart (rule T12).");

    /// <summary>The token was deleted (rules T10, R7).</summary>
    /// <param name="token">The token.</param>
    public static Rejection TokenDeleted(TokenId token) => new(
        RejectionCodes.TokenDeleted,
        "T10",
        $"Token '{token}' was deleted: it cannot sync, grant or revoke licenses any more (rule R7). Upload the location's token again under a new token id.");

    /// <summary>The token has expired: no sync, no grant (rule T2).</summary>
    /// <param name="token">The token.</param>
    /// <param name="expiredAt">Its expiry.</param>
    public static Rejection TokenExpired(TokenId token, Instant expiredAt) => new(
        RejectionCodes.TokenExpired,
        "T2",
        $"Token '{token}' expired on {Format(expiredAt)}; it cannot sync or grant licenses. Its licenses stay recorded. Renew it with a new file from Apple Business Manager (or Apple School Manager).");

    /// <summary>Apple reports the token bound to another MDM (rule T3).</summary>
    /// <param name="token">The token.</param>
    public static Rejection TokenAssignedToExternalMdm(TokenId token) => new(
        RejectionCodes.TokenAssignedToExternalMdm,
        "T3",
        $"Token '{token}' is assigned to another MDM; it cannot sync or grant licenses here. Remove it from the other MDM, or take control of it from this one.");

    /// <summary>A renewal file belongs to another location (rule T8).</summary>
    /// <param name="token">The token renewed.</param>
    public static Rejection RenewalForAnotherLocation(TokenId token) => new(
        RejectionCodes.RenewalForAnotherLocation,
        "T8",
        $"The file is for another location than token '{token}'. Renew with the new token of the same location, or upload this one as a new token.");

    /// <summary>A renewal file expires before the current one (rule T8).</summary>
    /// <param name="current">The current expiry.</param>
    /// <param name="renewal">The expiry of the file given.</param>
    public static Rejection RenewalOlderThanCurrent(Instant current, Instant renewal) => new(
        RejectionCodes.RenewalOlderThanCurrent,
        "T8",
        $"The file expires on {Format(renewal)}, before the current token ({Format(current)}); it is an older download. Download the newest token and renew with it.");

    /// <summary>Only a legacy VPP token can be migrated (rule T9).</summary>
    /// <param name="token">The token.</param>
    public static Rejection NotALegacyToken(TokenId token) => new(
        RejectionCodes.NotALegacyToken,
        "T9",
        $"Token '{token}' is already an Apps and Books location token; only a legacy VPP token is migrated. To give it a new file, renew it.");

    /// <summary>
    /// A legacy token would migrate to a location that another live token of the tenant already holds (rules T9, T4):
    /// the location's licenses would be counted twice.
    /// </summary>
    /// <param name="token">The legacy token.</param>
    /// <param name="heldBy">The token of the tenant that holds the location.</param>
    public static Rejection LocationAlreadyHeldInTenant(TokenId token, TokenId heldBy) => new(
        RejectionCodes.LocationAlreadyHeldInTenant,
        "T9",
        $"Legacy token '{token}' cannot migrate to this location: token '{heldBy}' of this tenant already holds it, and two tokens of one location would count its licenses twice. Assign the apps under token '{heldBy}', then delete legacy token '{token}'.");

    /// <summary>A sync result carries a negative count (rule T6).</summary>
    /// <param name="appCount">The app count given.</param>
    /// <param name="licenseCount">The license count given.</param>
    public static Rejection InvalidSyncCounts(int appCount, long licenseCount) => new(
        RejectionCodes.InvalidSyncCounts,
        "T6",
        string.Create(CultureInfo.InvariantCulture, $"A sync reported {appCount} apps and {licenseCount} licenses; counts are zero or more. Record the counts Apple returned."));

    /// <summary>A failed sync carries no reason (rule T6).</summary>
    public static Rejection SyncFailureReasonMissing() => new(
        RejectionCodes.SyncFailureReasonMissing,
        "T6",
        "A failed sync is recorded with its reason (Apple's error or the network failure); give one.");

    private static string Format(Instant instant) => InstantPattern.General.Format(instant);

    private static string Truncate(string? text) => text is null ? string.Empty : text.Length <= 40 ? text : text[..40] + "...";
}
