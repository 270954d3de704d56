using System.Reflection;
using NodaTime;
using VppLedger.Tests.Specs;
using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class the_token_secret_never_enters_events_or_state
{
    private const string FirstSecret = "FIRST-secret-4f1c2e9a";
    private const string RenewedSecret = "RENEWED-secret-77b0d3";

    [Fact]
    [Trait("Rule", "T12")]
    public void no_event_state_or_command_of_a_whole_token_life_shows_the_secret_in_json_or_text()
    {
        var first = VppTokenFile.Parse(VppTokenFile.Create("Contoso", FirstSecret, Now + Duration.FromDays(365)), Now).File!;
        var renewed = VppTokenFile.Parse(VppTokenFile.Create("Contoso", RenewedSecret, Now + Duration.FromDays(700)), Now).File!;
        var legacy = Upload() with { File = first.Facts, Programme = TokenProgramme.LegacyVpp };

        var commands = new List<Func<TokenState, Decision<ITokenEvent>>>
        {
            s => TokenDecider.Decide(legacy, s, 0, TokenLocationClaims.None, Now),
            s => TokenDecider.Decide(new MigrateLegacyToken(Token, renewed.Facts, Location, Command("m"), Admin), s, TokenLocationClaims.None, Now),
            s => TokenDecider.Decide(new RenewToken(Token, VppTokenFile.Parse(VppTokenFile.Create("Contoso", FirstSecret + "2", Now + Duration.FromDays(800)), Now).File!.Facts, Location, Command("r"), Admin), s, Now),
            s => TokenDecider.Decide(new ChangeTokenSettings(Token, Settings with { CountryCode = "DE" }, Command("c"), Admin), s, Now),
            s => TokenDecider.Decide(new RecordTokenSyncSucceeded(Token, SyncTrigger.OnDemand, 3, 30, [new AdamId("1")], Command("s1"), Admin), s, Now),
            s => TokenDecider.Decide(new RecordTokenSyncFailed(Token, SyncTrigger.Scheduled, "timeout", Command("s2"), Admin), s, Now),
            s => TokenDecider.Decide(new MarkTokenAssignedToExternalMdm(Token, "Other", Command("x"), Admin), s, Now),
            s => TokenDecider.Decide(new TakeTokenControl(Token, Command("t"), Admin), s, Now),
            s => TokenDecider.Decide(new DeleteToken(Token, Command("d"), Admin), s, LedgerPolicy.CurrentApple, Now),
        };

        var seen = new List<object> { legacy };
        var state = TokenState.Initial;
        foreach (var decide in commands)
        {
            var decision = decide(state);
            Assert.False(decision.IsRejected, decision.Rejection?.Message);
            Assert.NotEmpty(decision.Events);
            foreach (var e in decision.Events)
            {
                state = TokenDecider.Evolve(state, e);
                seen.Add(e);
            }

            seen.Add(state);
        }

        Assert.Equal(9 + 9 + 1, seen.Count);
        foreach (var item in seen)
        {
            foreach (var text in Renderings(item))
            {
                Assert.DoesNotContain(FirstSecret, text, StringComparison.Ordinal);
                Assert.DoesNotContain(RenewedSecret, text, StringComparison.Ordinal);
            }
        }

        Assert.Contains(renewed.Fingerprint.Hex, EventJson.Of(seen.OfType<TokenMigratedFromLegacyVpp>().Single()), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T12")]
    public void no_token_event_command_or_state_type_can_hold_a_secret()
    {
        var types = typeof(TokenDecider).Assembly.GetTypes()
            .Where(t => typeof(ITokenEvent).IsAssignableFrom(t) || typeof(ITokenCommand).IsAssignableFrom(t) || t == typeof(TokenState) || t == typeof(TokenFileFacts))
            .ToList();

        Assert.True(types.Count >= 20, $"found {types.Count} types");
        foreach (var type in types)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                Assert.NotEqual(typeof(TokenSecret), property.PropertyType);
                Assert.NotEqual(typeof(VppTokenFile), property.PropertyType);
            }
        }
    }

    private static IEnumerable<string> Renderings(object item)
    {
        yield return item.ToString() ?? string.Empty;
        yield return EventJson.Of(item);
        yield return System.Text.Json.JsonSerializer.Serialize(item, item.GetType());
    }
}
