using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class token_commands_need_the_managed_apps_permission
{
    public static TheoryData<string> Commands => new()
    {
        "upload", "renew", "settings", "sync-succeeded", "sync-failed", "mark-external", "take-control", "migrate", "delete",
    };

    [Theory]
    [MemberData(nameof(Commands))]
    [Trait("Rule", "X1")]
    public void a_token_command_from_an_actor_without_managed_apps_is_refused_and_writes_nothing(string command)
    {
        var state = Spec().Given(Uploaded(), new TokenAssignedToExternalMdm(Now, null)).State;
        var actor = AppsOnly;

        var decision = command switch
        {
            "upload" => TokenDecider.Decide(Upload() with { Actor = actor }, TokenState.Initial, 0, TokenLocationClaims.None, Now),
            "renew" => TokenDecider.Decide(new RenewToken(Token, TokenFile, Location, Command(), actor), state, Now),
            "settings" => TokenDecider.Decide(new ChangeTokenSettings(Token, Settings, Command(), actor), state, Now),
            "sync-succeeded" => TokenDecider.Decide(new RecordTokenSyncSucceeded(Token, SyncTrigger.Scheduled, 0, 0, [], Command(), actor), state, Now),
            "sync-failed" => TokenDecider.Decide(new RecordTokenSyncFailed(Token, SyncTrigger.Scheduled, "x", Command(), actor), state, Now),
            "mark-external" => TokenDecider.Decide(new MarkTokenAssignedToExternalMdm(Token, null, Command(), actor), state, Now),
            "take-control" => TokenDecider.Decide(new TakeTokenControl(Token, Command(), actor), state, Now),
            "migrate" => TokenDecider.Decide(new MigrateLegacyToken(Token, TokenFile, Location, Command(), actor), state, TokenLocationClaims.None, Now),
            "delete" => TokenDecider.Decide(new DeleteToken(Token, Command(), actor), state, LedgerPolicy.Article, Now),
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };

        Assert.True(decision.IsRejected);
        Assert.Equal("PermissionDenied", decision.Rejection!.Code);
        Assert.Equal("X1", decision.Rejection.Rule);
        Assert.Contains("managed apps", decision.Rejection.Message, StringComparison.Ordinal);
        Assert.Empty(decision.Events);
    }

    [Fact]
    [Trait("Rule", "X1")]
    public void an_actor_with_managed_apps_may_upload()
    {
        Spec().When(s => TokenDecider.Decide(Upload() with { Actor = new Actor("x", Permissions.All) }, s, 0, TokenLocationClaims.None, Now))
            .Then(Uploaded());
    }
}
