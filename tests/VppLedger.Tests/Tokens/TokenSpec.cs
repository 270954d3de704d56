using NodaTime;
using VppLedger.Tests.Specs;
using VppLedger.Tokens;

namespace VppLedger.Tests.Tokens;

/// <summary>A token, its file, its settings and its events, as most token specs need them.</summary>
internal static class TokenSpec
{
    public static readonly Instant Now = Instant.FromUtc(2025, 6, 1, 12, 0);
    public static readonly Actor Admin = new("admin", Permissions.ManagedApps);
    public static readonly Actor AppsOnly = new("apps-admin", Permissions.MobileApps | Permissions.Directory);
    public static readonly TokenId Token = new("tok-1");
    public static readonly TokenId OtherToken = new("tok-2");
    public static readonly LocationKey Location = LocationKey.FromAppleLocationId("loc-1");
    public static readonly LocationKey OtherLocation = LocationKey.FromAppleLocationId("loc-2");
    public static readonly AppleId ManagedAppleId = new("vpp@contoso.example", AppleIdKind.Managed);
    public static readonly TokenSettings Settings = new("Contoso iPads", "FR", TokenAccountType.Business, AutomaticAppUpdates: true);
    public static readonly TokenFileFacts TokenFile = FileOf("secret-one", Now + Duration.FromDays(365));

    public static TokenFileFacts FileOf(string secret, Instant expiresAt) => new("Contoso", expiresAt, TokenFingerprint.Of(secret));

    public static CommandId Command(string id = "cmd-1") => new(id);

    public static UploadToken Upload() => new(
        Token, TokenFile, Location, ManagedAppleId, Settings, ConsentToSendDataToApple: true, TakeControlFromOtherMdm: false, Command(), Admin);

    public static TokenUploaded Uploaded(Instant? at = null) => new(
        at ?? Now, Token, Location, TokenFile, ManagedAppleId, Settings, TokenProgramme.AppsAndBooks, TookControlFromOtherMdm: false, DuplicateOf: null);

    public static EventSpec<TokenState, ITokenEvent> Spec() => new(TokenState.Initial, TokenDecider.Evolve);
}
