using NodaTime;
using VppLedger.Tokens;
using static VppLedger.Tests.Tokens.TokenSpec;

namespace VppLedger.Tests.Tokens;

public sealed class syncing_a_token
{
    private static readonly AdamId Pages = new("361309726");
    private static readonly AdamId Keynote = new("361285480");

    private static RecordTokenSyncSucceeded Succeeded(string id = "sync-1", params AdamId[] missing) =>
        new(Token, SyncTrigger.Scheduled, AppCount: 12, LicenseCount: 500, missing, Command(id), Admin);

    [Fact]
    [Trait("Rule", "T6")]
    public void a_successful_sync_is_recorded_with_its_counts()
    {
        var state = Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Succeeded(), s, Now))
            .Then(new TokenSyncSucceeded(Now, Command("sync-1"), SyncTrigger.Scheduled, "FR", 12, 500, []));

        Assert.Equal(1, state.SyncCount);
        Assert.Equal(true, state.LastSyncSucceeded);
        Assert.Equal(Now, state.LastSyncAt);
    }

    [Fact]
    [Trait("Rule", "T6")]
    public void a_failed_on_demand_sync_is_recorded_with_its_reason()
    {
        var command = new RecordTokenSyncFailed(Token, SyncTrigger.OnDemand, " Apple returned 9625 ", Command("sync-2"), Admin);

        var state = Spec().Given(Uploaded()).When(s => TokenDecider.Decide(command, s, Now))
            .Then(new TokenSyncFailed(Now, Command("sync-2"), SyncTrigger.OnDemand, "Apple returned 9625"));

        Assert.Equal(false, state.LastSyncSucceeded);
    }

    [Fact]
    [Trait("Rule", "T6")]
    public void a_failed_sync_needs_a_reason()
    {
        var command = new RecordTokenSyncFailed(Token, SyncTrigger.OnDemand, " ", Command("sync-2"), Admin);

        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(command, s, Now)).ThenRejected("SyncFailureReasonMissing", "T6");
    }

    [Fact]
    [Trait("Rule", "T6")]
    [Trait("Rule", "I4")]
    public void recording_the_same_sync_twice_decides_nothing()
    {
        Spec().Given(Uploaded(), new TokenSyncSucceeded(Now, Command("sync-1"), SyncTrigger.Scheduled, "FR", 12, 500, []))
            .When(s => TokenDecider.Decide(Succeeded(), s, Now))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "T6")]
    public void negative_counts_are_rejected()
    {
        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Succeeded() with { AppCount = -1 }, s, Now))
            .ThenRejected("InvalidSyncCounts", "T6");
    }

    [Fact]
    [Trait("Rule", "T2")]
    [Trait("Rule", "T6")]
    public void an_expired_token_cannot_record_a_successful_sync_but_can_record_the_failure()
    {
        var later = TokenFile.ExpiresAt + Duration.FromHours(1);
        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(Succeeded(), s, later)).ThenRejected("TokenExpired", "T2");

        var failed = new RecordTokenSyncFailed(Token, SyncTrigger.Scheduled, "token expired", Command("sync-9"), Admin);
        Spec().Given(Uploaded()).When(s => TokenDecider.Decide(failed, s, later))
            .Then(new TokenSyncFailed(later, Command("sync-9"), SyncTrigger.Scheduled, "token expired"));
    }

    [Fact]
    [Trait("Rule", "T7")]
    public void changing_the_country_updates_metadata_at_the_next_sync_and_flags_apps_the_new_store_lacks()
    {
        var german = Settings with { CountryCode = "DE" };
        var changed = Spec().Given(Uploaded())
            .When(s => TokenDecider.Decide(new ChangeTokenSettings(Token, german, Command("settings-1"), Admin), s, Now))
            .Then(new TokenSettingsChanged(Now, german));
        Assert.True(changed.CountryChangePending);

        var synced = Spec().Given(Uploaded(), new TokenSettingsChanged(Now, german))
            .When(s => TokenDecider.Decide(Succeeded("sync-1", Pages, Pages), s, Now))
            .Then(new TokenSyncSucceeded(Now, Command("sync-1"), SyncTrigger.Scheduled, "DE", 12, 500, [Pages]));

        Assert.False(synced.CountryChangePending);
        Assert.Equal("DE", synced.MetadataCountryCode);
        Assert.Contains(Pages, synced.AppsMissingFromStore);
        Assert.DoesNotContain(Keynote, synced.AppsMissingFromStore);
    }

    [Fact]
    [Trait("Rule", "T7")]
    [Trait("Rule", "T11")]
    public void changing_settings_to_what_they_are_decides_nothing()
    {
        Spec().Given(Uploaded())
            .When(s => TokenDecider.Decide(new ChangeTokenSettings(Token, Settings, Command("settings-1"), Admin), s, Now))
            .ThenNothing();
    }

    [Fact]
    [Trait("Rule", "T11")]
    public void turning_automatic_updates_off_is_recorded()
    {
        var off = Settings with { AutomaticAppUpdates = false };

        var state = Spec().Given(Uploaded())
            .When(s => TokenDecider.Decide(new ChangeTokenSettings(Token, off, Command("settings-1"), Admin), s, Now))
            .Then(new TokenSettingsChanged(Now, off));

        Assert.False(state.Settings!.AutomaticAppUpdates);
    }
}
