using CsCheck;
using NodaTime;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Tests.Audit;

/// <summary>
/// The pure checker of imported history (issue 10, item 16): given the tenant's facts and the file's lines, the first
/// line that no live command could have produced is refused with its rule; whatever it accepts keeps the invariants.
/// </summary>
public sealed class imported_history_is_checked_by_the_rules_of_live_history
{
    private static readonly Instant T0 = Instant.FromUtc(2025, 3, 1, 9, 0);
    private static readonly TokenId Token = new("tok-1");
    private static readonly PoolId Pool = new(Token, new AdamId("361309726"));
    private static readonly Actor Admin = new("admin", Permissions.All);

    /// <summary>The directory of every test: these users recorded, each with a managed Apple ID (rule A1).</summary>
    private static readonly HistoryFacts Known = new()
    {
        Users = new[] { "ann", "bob", "cat", "dan" }.Concat(Enumerable.Range(0, 20).Select(i => $"u{i}"))
            .ToDictionary(n => new UserId(n), n => UserDecider.Evolve(UserState.Initial, new UserRecorded(T0, new UserId(n), null, new AppleId($"{n}@contoso.example", AppleIdKind.Managed)))),
    };

    private static Holder User(string id) => Holder.ForUser(new UserId(id), AppleIdKind.Managed);

    private static TokenUploaded Uploaded(TokenId token, string location, Instant? at = null, TokenId? duplicateOf = null) => new(
        at ?? T0,
        token,
        LocationKey.FromAppleLocationId(location),
        new TokenFileFacts("Contoso Ltd", T0 + Duration.FromDays(365), new TokenFingerprint(new string('a', TokenFingerprint.HexLength))),
        new AppleId("vpp@contoso.example", AppleIdKind.Managed),
        new TokenSettings("Main", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
        TokenProgramme.AppsAndBooks,
        TookControlFromOtherMdm: false,
        duplicateOf);

    private static AppleCountsApplied Counts(int purchased, int retired = 0, int? assigned = null) => new(Pool, ProductKind.App, purchased, retired, assigned, T0);

    private static LicenseGranted Granted(Holder holder, GrantReason reason = GrantReason.Targeted, Instant? at = null) => new(Pool, holder, reason, "A6", at ?? T0);

    private static HolderQueued Queued(Holder holder, long position) => new(Pool, holder, position, "A6", T0);

    private static LicenseReclaimed Reclaimed(Holder holder) => new(Pool, holder, ReclaimReason.Revoked, "R3", T0);

    private static string StreamOf(ILedgerEvent e) => e switch
    {
        TokenUploaded u => "token:" + u.Token.Value,
        ITokenEvent => "token:" + Token.Value,
        IPoolEvent p => $"pool:{p.Pool.Token.Value}:{p.Pool.AdamId.Value}",
        _ => "other",
    };

    private static HistoryVerdict Check(HistoryFacts facts, params ILedgerEvent[] events) =>
        HistoryRules.Check(facts, events.Select((e, i) => new HistoryLine(i + 1, StreamOf(e), e)));

    private static HistoryVerdict Check(params ILedgerEvent[] events) => Check(Known, events);

    private static void Refused(HistoryVerdict verdict, int line, string rule, string code)
    {
        Assert.False(verdict.Accepted, "expected a refusal");
        Assert.Equal((line, rule, code), (verdict.Rejection!.Line, verdict.Rejection.Rejection.Rule, verdict.Rejection.Rejection.Code));
        Assert.Contains($"line {line} breaks rule {rule}", verdict.Rejection.Message, StringComparison.Ordinal);
        Assert.Empty(verdict.Claims);
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void an_imported_line_carrying_apples_answer_is_refused()
    {
        var verdict = Check(Uploaded(Token, "loc-1"), Counts(1), Granted(User("ann")), new AppleAssociationConfirmed(Pool, User("ann"), "evt-1", T0));
        Refused(verdict, 4, "S2", "ImportAppleAnswerNotSupported");
    }

    [Fact]
    [Trait("Rule", "S2")]
    public void an_imported_line_of_apples_side_or_a_reconciliation_is_refused()
    {
        Refused(Check(Uploaded(Token, "loc-1"), new global::VppLedger.AppleSide.AppleClientConfigRecorded(Token, "mdm", null, null, true, T0)), 2, "S2", "ImportAppleAnswerNotSupported");
        Refused(Check(Uploaded(Token, "loc-1"), Counts(1), new AppleReleaseRequested(Pool, User("ann"), T0)), 3, "S2", "ImportAppleAnswerNotSupported");
    }

    [Fact]
    [Trait("Rule", "X2")]
    public void a_grant_in_a_pool_whose_token_is_not_in_the_tenant_is_refused() =>
        Refused(Check(Counts(2), Granted(User("ann"))), 1, "X2", "ImportTokenNotInTenant");

    [Fact]
    [Trait("Rule", "T2")]
    public void a_grant_at_or_after_the_tokens_expiry_in_business_time_is_refused()
    {
        var expiry = T0 + Duration.FromDays(365);

        Assert.True(Check(Uploaded(Token, "loc"), Counts(2), Granted(User("ann"), at: expiry - Duration.FromTicks(1))).Accepted);
        Refused(Check(Uploaded(Token, "loc"), Counts(2), Granted(User("ann"), at: expiry)), 3, "T2", "TokenExpired");
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void a_grant_after_the_token_was_deleted_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(2), new TokenDeleted(T0, false), Granted(User("ann"))), 4, "T10", "PoolOrphanedTokenDeleted");

    [Fact]
    [Trait("Rule", "T10")]
    public void a_grant_under_a_token_deleted_before_the_import_is_refused()
    {
        var deleted = TokenDecider.Fold([Uploaded(Token, "loc"), new TokenDeleted(T0, false)]);
        var facts = Known with { Tokens = new Dictionary<TokenId, TokenState> { [Token] = deleted } };

        Refused(Check(facts, Granted(User("ann"))), 1, "T10", "PoolOrphanedTokenDeleted");
    }

    [Fact]
    [Trait("Rule", "S4")]
    public void a_grant_when_every_license_is_in_use_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(1), Granted(User("ann")), Granted(User("bob"))), 4, "S4", "ImportGrantOverTotal");

    [Fact]
    [Trait("Rule", "S4")]
    public void a_grant_on_top_of_seats_held_before_the_import_is_refused()
    {
        var pool = new[] { Counts(1), (IPoolEvent)Granted(User("ann")) }.Aggregate(PoolState.Initial(Pool), PoolDecider.Evolve);
        var facts = Known with
        {
            Tokens = new Dictionary<TokenId, TokenState> { [Token] = TokenDecider.Fold([Uploaded(Token, "loc")]) },
            Pools = new Dictionary<PoolId, PoolState> { [Pool] = pool },
            Seats = new Dictionary<(PoolId, string), SeatStatus> { [(Pool, User("ann").Key)] = SeatStatus.Granted },
        };

        Refused(Check(facts, Granted(User("bob"))), 1, "S4", "ImportGrantOverTotal");
        Refused(Check(facts, Granted(User("ann"))), 1, "A6", "ImportHolderAlreadySeated");
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void granting_a_holder_who_already_holds_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(5), Granted(User("ann")), Granted(User("ann"))), 4, "A6", "ImportHolderAlreadySeated");

    [Fact]
    [Trait("Rule", "A6")]
    public void granting_a_holder_who_waits_as_newly_targeted_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(1), Granted(User("ann")), Queued(User("bob"), 1), Reclaimed(User("ann")), Granted(User("bob"))), 6, "A6", "ImportHolderAlreadySeated");

    [Fact]
    [Trait("Rule", "A6")]
    public void promoting_a_holder_who_does_not_wait_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(1), Granted(User("ann"), GrantReason.PromotedFromQueue)), 3, "A6", "ImportHolderNotQueued");

    [Fact]
    [Trait("Rule", "A6")]
    public void promoting_a_holder_who_is_not_first_in_line_is_refused() =>
        Refused(
            Check(Uploaded(Token, "loc"), Counts(1), Granted(User("ann")), Queued(User("bob"), 1), Queued(User("cat"), 2), Reclaimed(User("ann")), Granted(User("cat"), GrantReason.PromotedFromQueue)),
            7,
            "A6",
            "ImportPromotionOutOfOrder");

    [Fact]
    [Trait("Rule", "A6")]
    public void the_queue_head_before_the_import_is_served_first()
    {
        var pool = new IPoolEvent[] { Counts(1), Granted(User("ann")), Queued(User("bob"), 1), Queued(User("cat"), 2) }.Aggregate(PoolState.Initial(Pool), PoolDecider.Evolve);
        var facts = Known with
        {
            Tokens = new Dictionary<TokenId, TokenState> { [Token] = TokenDecider.Fold([Uploaded(Token, "loc")]) },
            Pools = new Dictionary<PoolId, PoolState> { [Pool] = pool },
            Seats = new Dictionary<(PoolId, string), SeatStatus>
            {
                [(Pool, User("ann").Key)] = SeatStatus.Granted,
                [(Pool, User("bob").Key)] = SeatStatus.Queued,
                [(Pool, User("cat").Key)] = SeatStatus.Queued,
            },
            QueueHeads = new Dictionary<PoolId, IReadOnlyList<QueuedHolder>> { [Pool] = [new(User("bob"), 1)] },
        };

        Refused(Check(facts, Reclaimed(User("ann")), Granted(User("cat"), GrantReason.PromotedFromQueue)), 2, "A6", "ImportPromotionOutOfOrder");
        Assert.True(Check(facts, Reclaimed(User("ann")), Granted(User("bob"), GrantReason.PromotedFromQueue)).Accepted);
    }

    [Fact]
    [Trait("Rule", "A6")]
    public void queuing_a_holder_who_holds_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(1), Granted(User("ann")), Queued(User("ann"), 1)), 4, "A6", "ImportHolderAlreadySeated");

    [Fact]
    [Trait("Rule", "A6")]
    public void queuing_while_a_license_is_free_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(2), Granted(User("ann")), Queued(User("bob"), 1)), 4, "A6", "ImportQueuedWhileLicenseFree");

    [Theory]
    [Trait("Rule", "A6")]
    [InlineData(0L)]
    [InlineData(2L)]
    [InlineData(long.MaxValue)]
    public void a_queue_position_other_than_the_next_is_refused_so_later_positions_never_overflow(long position) =>
        Refused(Check(Uploaded(Token, "loc"), Counts(1), Granted(User("ann")), Queued(User("bob"), position)), 4, "A6", "ImportQueuePositionNotNext");

    [Fact]
    [Trait("Rule", "A1")]
    public void a_grant_to_a_holder_the_directory_never_recorded_is_refused()
    {
        Refused(Check(Uploaded(Token, "loc"), Counts(2), Granted(User("ghost"))), 3, "A1", "ImportHolderNotRecorded");
        Refused(Check(Uploaded(Token, "loc"), Counts(2), Granted(Holder.ForUser(new UserId("ann"), AppleIdKind.Personal))), 3, "A1", "ImportHolderNotRecorded");
        Refused(Check(Uploaded(Token, "loc"), Counts(2), Granted(Holder.ForDevice(new DeviceId("ipad")))), 3, "A1", "ImportHolderNotRecorded");
    }

    [Fact]
    [Trait("Rule", "A1")]
    public void a_holder_recorded_earlier_in_the_file_may_be_granted() =>
        Assert.True(Check(Uploaded(Token, "loc"), new UserRecorded(T0, new UserId("eve"), null, new AppleId("eve@contoso.example", AppleIdKind.Managed)), Counts(2), Granted(User("eve"))).Accepted);

    [Fact]
    [Trait("Rule", "R4")]
    public void a_grant_or_queue_entry_for_a_user_who_left_is_refused()
    {
        var left = new HistoryLine(3, "user:ann", new UserLeftOrganization(T0));
        HistoryVerdict Run(params ILedgerEvent[] after) => HistoryRules.Check(
            Known,
            [new HistoryLine(1, "token:tok-1", Uploaded(Token, "loc")), new HistoryLine(2, "pool:tok-1:361309726", Counts(1)), left, .. after.Select((e, i) => new HistoryLine(4 + i, StreamOf(e), e))]);

        Refused(Run(Granted(User("ann"))), 4, "R4", "ImportHolderLeftOrganization");
        Refused(Run(Granted(User("bob")), Queued(User("ann"), 1)), 5, "R4", "ImportHolderLeftOrganization");
    }

    [Fact]
    [Trait("Rule", "L5")]
    public void a_device_license_to_a_user_enrollment_device_is_refused()
    {
        var byod = new DeviceRecorded(T0, new DeviceId("byod"), new SerialNumber("SNBYOD"), new DeviceProfile(Platform.iOS, Ownership.Personal, EnrollmentKind.UserEnrollment, Supervised: false, Kiosk: false, AppStoreBlocked: false), null, null);
        var verdict = HistoryRules.Check(Known, [
            new HistoryLine(1, "token:tok-1", Uploaded(Token, "loc")),
            new HistoryLine(2, "device:byod", byod),
            new HistoryLine(3, "pool:tok-1:361309726", Counts(2)),
            new HistoryLine(4, "pool:tok-1:361309726", Granted(Holder.ForDevice(new DeviceId("byod")))),
        ]);

        Refused(verdict, 4, "L5", "DeviceLicensingNotOnUserEnrollment");
    }

    [Fact]
    [Trait("Rule", "S1")]
    public void reclaiming_a_license_that_is_not_held_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(2), Granted(User("ann")), Reclaimed(User("bob"))), 4, "S1", "ImportSeatNotHeld");

    [Fact]
    [Trait("Rule", "A6")]
    public void leaving_a_queue_one_does_not_wait_in_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(2), new HolderLeftQueue(Pool, User("ann"), ReclaimReason.NoLongerTargeted, "R4", T0)), 3, "A6", "ImportHolderNotQueued");

    [Theory]
    [Trait("Rule", "S2")]
    [InlineData(-1, 0, null)]
    [InlineData(5, -1, null)]
    [InlineData(5, 6, null)]
    [InlineData(5, 0, -3)]
    public void negative_or_inconsistent_counts_are_refused(int purchased, int retired, int? assigned) =>
        Refused(Check(Uploaded(Token, "loc"), Counts(purchased, retired, assigned)), 2, "S2", "InvalidAppleCounts");

    [Fact]
    [Trait("Rule", "S2")]
    public void a_drift_that_misstates_the_used_count_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(2), Granted(User("ann")), new AssignedCountDriftRecorded(Pool, 2, 0, T0)), 4, "S2", "ImportDriftNotConsistent");

    [Fact]
    [Trait("Rule", "S2")]
    public void a_grant_in_a_pool_apple_never_counted_is_refused() =>
        Refused(Check(Uploaded(Token, "loc"), Granted(User("ann"))), 2, "S2", "PoolNotSynced");

    [Fact]
    [Trait("Rule", "T4")]
    public void a_token_whose_location_another_tenant_claims_is_refused()
    {
        var facts = Known with { LocationsClaimedElsewhere = new HashSet<LocationKey> { LocationKey.FromAppleLocationId("taken") } };

        Refused(Check(facts, Uploaded(Token, "taken")), 1, "T4", "DuplicateLocationInAnotherTenant");
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void an_accepted_token_claims_its_location_like_a_live_upload_and_a_deletion_releases_it()
    {
        var uploaded = Check(Uploaded(Token, "loc-a"));
        var deleted = Check(Uploaded(Token, "loc-a"), new TokenDeleted(T0, false));
        var held = Known with { Tokens = new Dictionary<TokenId, TokenState> { [Token] = TokenDecider.Fold([Uploaded(Token, "loc-a")]) } };

        Assert.Equal([new LocationClaimChange(LocationKey.FromAppleLocationId("loc-a"), Token, true)], uploaded.Claims);
        Assert.Empty(deleted.Claims);
        Assert.Equal([new LocationClaimChange(LocationKey.FromAppleLocationId("loc-a"), Token, false)], Check(held, new TokenDeleted(T0, false)).Claims);
    }

    [Fact]
    [Trait("Rule", "T1")]
    public void each_accepted_upload_migration_or_deletion_counts_the_live_tokens_like_a_live_command()
    {
        var verdict = Check(Uploaded(Token, "loc-a"), Uploaded(new TokenId("tok-2"), "loc-b"), new TokenDeleted(T0, false));

        Assert.Equal(
            [(1, new TenantTokensChanged(T0, Token, 1)), (2, new TenantTokensChanged(T0, new TokenId("tok-2"), 2)), (3, new TenantTokensChanged(T0, Token, 1))],
            verdict.TokenCounts);
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_second_token_of_a_location_must_be_marked_a_duplicate_of_the_first()
    {
        var second = new TokenId("tok-2");

        Refused(Check(Uploaded(Token, "loc"), Uploaded(second, "loc")), 2, "T4", "ImportDuplicateMarkNotConsistent");
        Assert.True(Check(Uploaded(Token, "loc"), Uploaded(second, "loc", duplicateOf: Token)).Accepted);
    }

    [Fact]
    [Trait("Rule", "T1")]
    public void the_3001st_token_of_a_tenant_is_refused()
    {
        var tokens = Enumerable.Range(1, TokenDecider.MaxTokensPerTenant - 1)
            .Select(i => new TokenId($"live-{i}"))
            .ToDictionary(t => t, t => TokenDecider.Fold([Uploaded(t, "loc-" + t.Value)]));
        var facts = Known with { Tokens = tokens };

        Refused(Check(facts, Uploaded(new TokenId("n-1"), "n-1"), Uploaded(new TokenId("n-2"), "n-2")), 2, "T1", "TooManyTokens");
    }

    [Fact]
    [Trait("Rule", "T10")]
    public void only_a_deleted_tokens_pools_are_orphaned() =>
        Refused(Check(Uploaded(Token, "loc"), Counts(1), new PoolOrphaned(Pool, T0)), 3, "T10", "ImportOrphanedWithoutDeletion");

    [Fact]
    [Trait("Rule", "A6")]
    [Trait("Rule", "S4")]
    public void history_decided_by_the_live_pool_decider_is_always_accepted()
    {
        var holders = Enumerable.Range(0, 20).Select(i => User($"u{i}")).ToArray();
        var op = Gen.Frequency(
            (2, Gen.Select(Gen.Int[0, 12], Gen.Int[0, 4], (p, r) => (Func<CommandId, IPoolCommand>)(id => new ApplyAppleCounts(Pool, ProductKind.App, p, Math.Min(p, r), null, id, Admin)))),
            (4, Gen.Int[0, holders.Length - 1].Array[1, 6].Select(h => (Func<CommandId, IPoolCommand>)(id => new GrantLicenses(Pool, [.. h.Distinct().Select(i => holders[i])], id, Admin)))),
            (3, Gen.Int[0, holders.Length - 1].Array[1, 4].Select(h => (Func<CommandId, IPoolCommand>)(id => new ReclaimLicenses(Pool, [.. h.Distinct().Select(i => holders[i])], ReclaimReason.NoLongerTargeted, id, Admin)))));
        op.Array[1, 30].Sample(commands =>
        {
            var book = new PoolBook(Pool);
            var events = new List<ILedgerEvent> { Uploaded(Token, "loc") };
            for (var i = 0; i < commands.Length; i++)
            {
                var command = commands[i](new CommandId($"c{i}"));
                foreach (var e in PoolDecider.Decide(command, book.State, book.LookupFor(command), T0).Events)
                {
                    book.Apply(e);
                    events.Add(e);
                }
            }

            var verdict = Check([.. events]);
            Assert.True(verdict.Accepted, verdict.Rejection?.Message);
        }, iter: 300);
    }

    [Fact]
    [Trait("Rule", "S1")]
    [Trait("Rule", "S4")]
    [Trait("Rule", "A6")]
    public void whatever_the_file_the_accepted_lines_keep_the_invariants()
    {
        var holders = Enumerable.Range(0, 8).Select(i => User($"u{i}")).ToArray();
        var line = Gen.Frequency(
            (1, Gen.Select(Gen.Int[-1, 6], Gen.Int[-1, 3], (p, r) => (IPoolEvent)Counts(p, r))),
            (4, Gen.Select(Gen.Int[0, 7], Gen.Bool, (h, promoted) => (IPoolEvent)Granted(holders[h], promoted ? GrantReason.PromotedFromQueue : GrantReason.Targeted))),
            (3, Gen.Select(Gen.Int[0, 7], Gen.Long[-1, 6], (h, p) => (IPoolEvent)Queued(holders[h], p))),
            (2, Gen.Int[0, 7].Select(h => (IPoolEvent)Reclaimed(holders[h]))),
            (1, Gen.Int[0, 7].Select(h => (IPoolEvent)new HolderLeftQueue(Pool, holders[h], ReclaimReason.Revoked, "R1", T0))));
        line.Array[1, 40].Sample(lines =>
        {
            ILedgerEvent[] events = [Uploaded(Token, "loc"), .. lines];
            var verdict = Check(events);
            var accepted = verdict.Accepted ? events.Length : verdict.Rejection!.Line - 1;
            var book = new PoolBook(Pool);
            var lastPosition = 0L;
            var totalLowered = false;
            foreach (var e in events.Take(accepted).OfType<IPoolEvent>())
            {
                var before = book.State;
                book.Apply(e);
                var state = book.State;
                totalLowered |= e is AppleCountsApplied && state.TotalCount < before.TotalCount;
                Assert.Equal(state.UsedCount, book.Holders.Count);                                    // S1: used = seats held
                Assert.Equal(state.QueuedCount, book.Queue.Count);
                Assert.True(state.UsedCount <= state.TotalCount || totalLowered, "S4: used over total without Apple lowering it");
                Assert.Empty(book.Holders.Select(h => h.Key).Intersect(book.Queue.Select(q => q.Holder.Key))); // A6: nobody holds and waits
                if (e is HolderQueued q)
                {
                    Assert.Equal(lastPosition + 1, q.Position);                                       // A6: positions follow one another
                    lastPosition = q.Position;
                }
            }
        }, iter: 1000);
    }
}
