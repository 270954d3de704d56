using NodaTime;
using Spectre.Console;
using VppLedger.Assignments;
using VppLedger.Cli.Commands;
using VppLedger.Cli.Infrastructure;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Cli.Demo;

/// <summary>
/// The article's situations, one step at a time, through the package's public API only. After each step it prints
/// what the command changed (events by kind, with the first holders) and the counts that matter.
/// </summary>
internal sealed partial class DemoStory(CliHost host, ITenantLedger ledger, StoryClock clock, CancellationToken cancellationToken)
{
    private const int SalesCount = 500;
    private const int UserRecordingParallelism = 4;

    private static readonly Actor Admin = new("admin@contoso.example", Permissions.All);

    private readonly IAnsiConsole _console = host.Console;
    private readonly TokenId _mainToken = MainToken;
    private readonly TokenId _retailToken = new("tok-retail");
    private readonly Dictionary<PoolId, string> _names = [];
    private Instant _afterOversubscription;
    private int _commands;
    private int _step;

    /// <summary>The demo's main token (Contoso HQ), the one the Apple worker serves.</summary>
    public static TokenId MainToken { get; } = new("tok-contoso");

    public TenantId Tenant => ledger.Tenant;

    public int CommandCount => _commands;

    public int EventCount { get; private set; }

    private PoolId Pages => new(_mainToken, new AdamId("361309726"));

    private PoolId Keynote => new(_mainToken, new AdamId("361285480"));

    private PoolId FieldService => new(_mainToken, new AdamId("1600000001"));

    private PoolId Numbers => new(_retailToken, new AdamId("361304891"));

    public async Task PlayAsync()
    {
        _names[Pages] = "Pages";
        _names[Keynote] = "Keynote";
        _names[FieldService] = "Field Service (custom app)";
        _names[Numbers] = "Numbers";

        await UploadTokenAsync().ConfigureAwait(false);
        await SyncCountsAsync().ConfigureAwait(false);
        var sales = await RecordDirectoryAsync().ConfigureAwait(false);
        await OversubscribeAsync(sales).ConfigureAwait(false);
        await BuyMoreAsync().ConfigureAwait(false);
        await MemberLeavesAsync(sales).ConfigureAwait(false);
        await UserAndDeviceLicensesAsync().ConfigureAwait(false);
        await MigrateToDeviceLicensesAsync().ConfigureAwait(false);
        await RetireDeviceAsync().ConfigureAwait(false);
        await RevokeOnIosAndMacAsync().ConfigureAwait(false);
        await DeleteTokenWithLicensesOutAsync(sales).ConfigureAwait(false);
        await FinalReportAsync().ConfigureAwait(false);
        await ReplayAsync().ConfigureAwait(false);
        await BeforeYouActAsync().ConfigureAwait(false);
    }

    // ---- The steps ---------------------------------------------------------------------------------------------

    private async Task UploadTokenAsync()
    {
        Step("Upload a location token (T5, T12)", "An admin downloads a .vpptoken file from Apple Business Manager and uploads it with consent to send data to Apple.");
        var path = Path.Combine(Path.GetTempPath(), $"contoso-{Guid.NewGuid():N}.vpptoken");
        try
        {
            var secret = "demo-" + Guid.NewGuid().ToString("N");
            await File.WriteAllTextAsync(path, VppTokenFile.Create("Contoso Ltd", secret, clock.GetCurrentInstant() + Duration.FromDays(365)), cancellationToken).ConfigureAwait(false);
            var content = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            var parsed = VppTokenFile.Parse(content, clock.GetCurrentInstant());
            if (!parsed.IsValid)
            {
                throw new InvalidOperationException($"The demo's own token file was refused: {parsed.Rejection.Message}");
            }

            _console.MarkupLine($"Wrote [bold]{Markup.Escape(Path.GetFileName(path))}[/]: organization [bold]{Markup.Escape(parsed.File.OrganizationName)}[/], expires {Format.When(parsed.File.ExpiresAt)}, secret fingerprint {parsed.File.Fingerprint.Short}… (the secret is kept apart, never in an event: T12).");
            await RunAsync("Upload", new UploadTokenFile(
                _mainToken,
                content,
                Location("hq"),
                new AppleId("vpp-admin@contoso.example", AppleIdKind.Managed),
                new TokenSettings("Contoso HQ", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
                ConsentToSendDataToApple: true,
                TakeControlFromOtherMdm: false,
                NextId(),
                Admin)).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(path);
        }

        _console.Write(Tables.Tokens(await ledger.ListTokensAsync(cancellationToken).ConfigureAwait(false)));
    }

    private async Task SyncCountsAsync()
    {
        Step("Sync with Apple: license counts (S1, S2)", "Apple reports 100 licenses of Pages, 20 of Keynote and 10 of a custom app.");
        await RunAsync("Counts for Pages", Counts(Pages, 100)).ConfigureAwait(false);
        await RunAsync("Counts for Keynote", Counts(Keynote, 20)).ConfigureAwait(false);
        await RunAsync("Counts for Field Service", Counts(FieldService, 10)).ConfigureAwait(false);
        await RunAsync("Sync recorded", new RecordTokenSyncSucceeded(_mainToken, SyncTrigger.OnDemand, 3, 130, [], NextId(), Admin)).ConfigureAwait(false);
        await PoolsAsync().ConfigureAwait(false);
    }

    private async Task<GroupId> RecordDirectoryAsync()
    {
        Step("Record the directory: users, devices, groups", $"{SalesCount} sales users; Alice with a personal and a managed Apple ID (L4) and six devices on her personal Apple ID (L3); BYOD, corporate supervised, User Enrollment, kiosk and macOS devices.");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var users = Enumerable.Range(1, SalesCount).Select(i => new UserId($"u{i:D4}")).ToList();
        await Parallel.ForEachAsync(
            users,
            new ParallelOptions { MaxDegreeOfParallelism = UserRecordingParallelism, CancellationToken = cancellationToken },
            async (user, _) => await ExecuteQuietAsync(new RecordUser(user, null, new AppleId($"{user.Value}@contoso.example", AppleIdKind.Managed), NextId(), Admin)).ConfigureAwait(false))
            .ConfigureAwait(false);
        _console.MarkupLine($"Recorded {SalesCount} users [grey]({System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)[/].");

        var alice = new UserId("alice");
        var bob = new UserId("bob");
        await RunAsync("Alice", new RecordUser(alice, new AppleId("alice@me.example", AppleIdKind.Personal), new AppleId("alice@contoso.example", AppleIdKind.Managed), NextId(), Admin), quiet: true).ConfigureAwait(false);
        await RunAsync("Bob", new RecordUser(bob, null, new AppleId("bob@contoso.example", AppleIdKind.Managed), NextId(), Admin), quiet: true).ConfigureAwait(false);

        var devices = new (string Id, DeviceProfile Profile, UserId? User, AppleIdKind? SignedIn, string What)[]
        {
            ("alice-iphone", Profile(Platform.iOS, Ownership.Personal), alice, AppleIdKind.Personal, "BYOD iPhone"),
            ("alice-ipad", Profile(Platform.iPadOS, Ownership.Personal), alice, AppleIdKind.Personal, "BYOD iPad"),
            ("alice-mac", Profile(Platform.macOS, Ownership.Personal), alice, AppleIdKind.Personal, "BYOD Mac"),
            ("alice-tv", Profile(Platform.tvOS, Ownership.Personal), alice, AppleIdKind.Personal, "BYOD Apple TV"),
            ("alice-ipad-mini", Profile(Platform.iPadOS, Ownership.Personal), alice, AppleIdKind.Personal, "BYOD iPad mini"),
            ("alice-iphone-old", Profile(Platform.iOS, Ownership.Personal), alice, AppleIdKind.Personal, "BYOD old iPhone (6th device)"),
            ("corp-ipad", Profile(Platform.iPadOS, Ownership.Corporate, supervised: true), bob, AppleIdKind.Managed, "corporate, supervised"),
            ("ue-iphone", new DeviceProfile(Platform.iOS, Ownership.Personal, EnrollmentKind.UserEnrollment, false, false, false), bob, AppleIdKind.Managed, "User Enrollment"),
            ("kiosk-ipad", Profile(Platform.iPadOS, Ownership.Corporate, supervised: true, kiosk: true), null, null, "kiosk (supervised)"),
            ("mac-1", Profile(Platform.macOS, Ownership.Corporate, supervised: true), bob, AppleIdKind.Managed, "corporate Mac"),
        };
        foreach (var d in devices)
        {
            clock.Advance(Duration.FromMinutes(1)); // signed in one after the other: the 6th is the one L3 leaves out
            await RunAsync(d.Id, new RecordDevice(new DeviceId(d.Id), new SerialNumber("SN" + d.Id.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant()), d.Profile, d.User, d.SignedIn, NextId(), Admin), quiet: true).ConfigureAwait(false);
        }

        var sales = new GroupId("sales");
        await RunAsync("Group sales", new CreateGroup(sales, GroupKind.User, NextId(), Admin), quiet: true).ConfigureAwait(false);
        foreach (var chunk in users.Chunk(LedgerLimits.MaxGroupMembersPerCommand))
        {
            await RunAsync("Sales members", new AddGroupMembers(sales, [.. chunk.Select(GroupMember.ForUser)], NextId(), Admin), quiet: true).ConfigureAwait(false);
        }

        await RunAsync("Group execs", new CreateGroup(new GroupId("execs"), GroupKind.User, NextId(), Admin), quiet: true).ConfigureAwait(false);
        await RunAsync("Execs members", new AddGroupMembers(new GroupId("execs"), [GroupMember.ForUser(alice), GroupMember.ForUser(bob)], NextId(), Admin), quiet: true).ConfigureAwait(false);
        await RunAsync("Group fleet", new CreateGroup(new GroupId("fleet"), GroupKind.Device, NextId(), Admin), quiet: true).ConfigureAwait(false);
        await RunAsync("Fleet members", new AddGroupMembers(new GroupId("fleet"), [.. new[] { "corp-ipad", "kiosk-ipad", "ue-iphone", "mac-1" }.Select(d => GroupMember.ForDevice(new DeviceId(d)))], NextId(), Admin), quiet: true).ConfigureAwait(false);

        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Devices and the prompts their end user sees (P1-P8)[/]")
            .AddColumn("Device").AddColumn("Kind").AddColumn("Owner").AddColumn("User license").AddColumn("Device license");
        foreach (var d in devices.Where(d => !d.Id.StartsWith("alice-", StringComparison.Ordinal) || d.Id == "alice-iphone"))
        {
            var user = await ledger.GetPromptsAsync(new DeviceId(d.Id), LicenseType.User, cancellationToken).ConfigureAwait(false);
            var device = await ledger.GetPromptsAsync(new DeviceId(d.Id), LicenseType.Device, cancellationToken).ConfigureAwait(false);
            table.AddRow(d.Id, Markup.Escape(d.What), d.User?.Value ?? "-", Prompts(user), Prompts(device));
        }

        _console.Write(table);
        _console.MarkupLine($"Groups: [bold]sales[/] ({SalesCount} users), [bold]execs[/] (alice, bob), [bold]fleet[/] (4 devices).");
        return sales;
    }

    private async Task OversubscribeAsync(GroupId sales)
    {
        Step("100 licenses, a group of 500 (A6)", "Pages is assigned Required, with user licenses, to the 500 sales users: the first 100 in targeting order get a license, the other 400 wait in the pool's queue.");
        await RunAsync("Assign Pages to sales", new CreateAssignment(Pages, sales, AssignmentIntent.Required, LicenseType.User, NextId(), Admin)).ConfigureAwait(false);
        _afterOversubscription = clock.GetCurrentInstant();
        await PoolsAsync(Pages).ConfigureAwait(false);
        await QueueAsync(Pages).ConfigureAwait(false);
    }

    private async Task BuyMoreAsync()
    {
        Step("50 more licenses bought: the queue is served (A6, S2)", "The next sync reports 150 licenses: the 50 at the head of the queue get them, first in first out.");
        await RunAsync("Counts for Pages", Counts(Pages, 150)).ConfigureAwait(false);
        await PoolsAsync(Pages).ConfigureAwait(false);
        await QueueAsync(Pages).ConfigureAwait(false);
    }

    private async Task MemberLeavesAsync(GroupId sales)
    {
        Step("A member leaves the group (R4, A6)", "u0001 leaves sales: the license is reclaimed and goes to the head of the queue in the same decision.");
        await RunAsync("u0001 leaves sales", new RemoveGroupMembers(sales, [GroupMember.ForUser(new UserId("u0001"))], NextId(), Admin)).ConfigureAwait(false);
        await PoolsAsync(Pages).ConfigureAwait(false);
        await QueueAsync(Pages).ConfigureAwait(false);
    }

    private async Task UserAndDeviceLicensesAsync()
    {
        Step("User licenses vs device licenses (L1-L5)", "Keynote goes to execs with user licenses: Alice has two Apple IDs, so two licenses (L4); her personal license covers 5 of her 6 devices (L3). The custom app goes to the fleet device group with device licenses: the User Enrollment iPhone cannot take one (L5).");
        await RunAsync("Assign Keynote to execs (user licenses)", new CreateAssignment(Keynote, new GroupId("execs"), AssignmentIntent.Available, LicenseType.User, NextId(), Admin)).ConfigureAwait(false);
        await AliceAsync().ConfigureAwait(false);
        await RunAsync("Assign Field Service to fleet (device licenses)", new CreateAssignment(FieldService, new GroupId("fleet"), AssignmentIntent.Required, LicenseType.Device, NextId(), Admin)).ConfigureAwait(false);
        await PoolsAsync(Keynote, FieldService).ConfigureAwait(false);
    }

    private async Task MigrateToDeviceLicensesAsync()
    {
        Step("Migrate from user to device licenses (L8)", "The Keynote assignment of execs changes to device licenses: the user licenses are reclaimed and the users' devices take device licenses, silently. Device to user is not possible.");
        await RunAsync("Change Keynote/execs to device licenses", new ChangeAssignment(Keynote, new GroupId("execs"), AssignmentIntent.Available, LicenseType.Device, NextId(), Admin)).ConfigureAwait(false);
        await PoolsAsync(Keynote).ConfigureAwait(false);
        var back = await Execute(new ChangeAssignment(Keynote, new GroupId("execs"), AssignmentIntent.Available, LicenseType.User, NextId(), Admin)).ConfigureAwait(false);
        Show("Try device back to user", back);
    }

    private async Task RetireDeviceAsync()
    {
        Step("A retired device keeps its licenses (R5)", "corp-ipad is removed from management: nothing is reclaimed.");
        await RunAsync("corp-ipad removed from management", new RecordDeviceRemovedFromManagement(new DeviceId("corp-ipad"), NextId(), Admin)).ConfigureAwait(false);
        var held = await ledger.GetDeviceLicensesAsync(new DeviceId("corp-ipad"), cancellationToken).ConfigureAwait(false);
        _console.MarkupLine($"corp-ipad still holds: {string.Join(", ", held.Licenses.Select(l => $"{Name(l.Pool)} ({l.Status})"))}.");
    }

    private async Task RevokeOnIosAndMacAsync()
    {
        Step("Revocation on iOS and on macOS (R1, R3)", "The admin revokes the licenses of kiosk-ipad (iPadOS) and mac-1 (macOS). The freed licenses go to nobody: no one waits for this app.");
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]What the device does after the revocation (R3)[/]")
            .AddColumn("Device").AddColumn("Platform").AddColumn("Reclaimed").AddColumn("App").AddColumn("Updates").AddColumn("Removed by Apple");
        foreach (var (device, platform) in new[] { ("kiosk-ipad", Platform.iPadOS), ("mac-1", Platform.macOS) })
        {
            await RunAsync($"Revoke {device}", RevokeLicenses.ForDevice(new DeviceId(device), NextId(), Admin)).ConfigureAwait(false);
            var effect = RevocationEffects.For(platform, LicenseLossTrigger.LicenseRevoked, clock.GetCurrentInstant());
            table.AddRow(
                device,
                platform.ToString(),
                effect.LicenseReclaimed ? "yes" : "no",
                effect.AppUninstalled ? "uninstalled" : effect.AppStillUsable ? "stays usable" : "unusable",
                effect.UpdatesBlocked ? "[yellow]blocked[/]" : "as before",
                effect.RemovalDueAt is { } due ? $"[yellow]{Format.When(due)}[/] (30-day grace period)" : "no (set the assignment to Uninstall, A4)");
        }

        _console.Write(table);
        await PoolsAsync(FieldService).ConfigureAwait(false);
    }

    private async Task DeleteTokenWithLicensesOutAsync(GroupId sales)
    {
        _ = sales;
        Step("A token deleted with licenses still out (T10, R7)", "A second token (Contoso Retail) has 10 Numbers licenses, 3 of them assigned. Deleting the token revokes nothing: the 3 licenses are orphaned and can no longer be revoked.");
        var content = VppTokenFile.Create("Contoso Retail", "demo-" + Guid.NewGuid().ToString("N"), clock.GetCurrentInstant() + Duration.FromDays(200));
        await RunAsync("Upload the retail token", new UploadTokenFile(
            _retailToken, content, Location("retail"), new AppleId("vpp-admin@contoso.example", AppleIdKind.Managed),
            new TokenSettings("Retail", "FR", TokenAccountType.Business, AutomaticAppUpdates: false), true, false, NextId(), Admin), quiet: true).ConfigureAwait(false);
        await RunAsync("Counts for Numbers", Counts(Numbers, 10), quiet: true).ConfigureAwait(false);
        var retail = new GroupId("retail");
        await RunAsync("Group retail", new CreateGroup(retail, GroupKind.User, NextId(), Admin), quiet: true).ConfigureAwait(false);
        await RunAsync("Retail members", new AddGroupMembers(retail, [.. new[] { "u0002", "u0003", "u0004" }.Select(u => GroupMember.ForUser(new UserId(u)))], NextId(), Admin), quiet: true).ConfigureAwait(false);
        await RunAsync("Assign Numbers to retail", new CreateAssignment(Numbers, retail, AssignmentIntent.Required, LicenseType.User, NextId(), Admin), quiet: true).ConfigureAwait(false);
        await PoolsAsync(Numbers).ConfigureAwait(false);

        await RunAsync("Delete the retail token", new DeleteToken(_retailToken, NextId(), Admin)).ConfigureAwait(false);
        var revoke = await Execute(RevokeLicenses.ForApp(Numbers, NextId(), Admin)).ConfigureAwait(false);
        Show("Try to revoke the orphaned Numbers licenses", revoke);
        await PoolsAsync(Numbers).ConfigureAwait(false);
    }

    private async Task FinalReportAsync()
    {
        Step("Where things stand (vppledger report)", "The same tables as 'vppledger report --tenant " + ledger.Tenant.Value + "'.");
        await PoolsAsync().ConfigureAwait(false);
        _console.Write(Tables.Tokens(await ledger.ListTokensAsync(cancellationToken).ConfigureAwait(false)));
        var report = await ledger.GetOversubscriptionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var p in report.Oversubscribed)
        {
            _console.MarkupLine($"[yellow]Oversubscribed[/]: {Markup.Escape(Name(p.Pool))} has {Format.Count(p.QueuedCount)} holders waiting for {Format.Count(p.TotalCount)} licenses (A6).");
        }
    }

    private async Task ReplayAsync()
    {
        Step("Back in time, and why (I5, I1)", $"The log replayed as of {Format.When(_afterOversubscription)}, right after step 4: 100 of 100 used, 400 waiting, before any license was bought or freed (vppledger audit as-of). Then why u0151 holds a Pages license now (vppledger audit explain), and the audit trail's hash chain checked (vppledger audit verify).");
        var then = await ledger.Audit.TenantAsOfAsync(_afterOversubscription, cancellationToken).ConfigureAwait(false);
        AsOfRender.Tenant(_console, ledger.Tenant.Value, then with { Pools = [.. then.Pools.Where(p => p.Pool.Token == _mainToken)] }, Name);

        var holder = Holder.ForUser(new UserId("u0151"), AppleIdKind.Managed);
        var explanation = await ledger.Audit.ExplainAsync(holder, Pages, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        AsOfRender.Explanation(_console, explanation, Name);

        var chain = await ledger.Audit.VerifyChainAsync(cancellationToken).ConfigureAwait(false);
        _console.MarkupLine(chain.IsIntact
            ? $"[green]Hash chain intact[/]: {Format.Count(chain.RowCount)} audit rows, head {Markup.Escape(chain.HeadHash?[..16] ?? "-")}…"
            : $"[red]Hash chain broken[/] at row {chain.FirstMismatch!.ChainPosition}: {Markup.Escape(chain.FirstMismatch.Reason)}");
    }

    private async Task BeforeYouActAsync()
    {
        Step("Before you act: what-if, waste, forecast, chart", "What deleting the main token would do, written nowhere (vppledger what-if); the idle and wasted licenses (vppledger waste); when each pool runs out (vppledger forecast); Pages over time (vppledger report --chart).");
        var delete = new DeleteToken(_mainToken, new CommandId($"demo-what-if-{Guid.NewGuid():N}"), Admin);
        WhatIfCommand.Print(host, delete, await ledger.PreviewAsync(delete, 10, cancellationToken).ConfigureAwait(false));

        WasteCommand.Print(_console, ledger.Tenant.Value, await ledger.GetWasteReportAsync(cancellationToken: cancellationToken).ConfigureAwait(false));
        _console.Write(ForecastCommand.Table(await ledger.ForecastAsync(cancellationToken: cancellationToken).ConfigureAwait(false), "Run-out forecast over 30 days"));

        var now = clock.GetCurrentInstant();
        var points = await ReportCommand.ChartPointsAsync(ledger.Audit, _mainToken, Pages, now, 200, cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(Path.GetTempPath(), $"vppledger-demo-{ledger.Tenant.Value}-pages.svg");
        await File.WriteAllTextAsync(path, SvgChart.Render($"Pages ({Pages.Token.Value}:{Pages.AdamId.Value}) of {ledger.Tenant.Value}", points), cancellationToken).ConfigureAwait(false);
        _console.MarkupLine($"Chart of Pages (used, total and queued over time, {Format.Count(points.Count)} points) written to:");
        _console.MarkupLine(Markup.Escape(path));
    }

    // ---- Printing ----------------------------------------------------------------------------------------------

    private void Step(string title, string what)
    {
        clock.Advance(Duration.FromHours(6));
        _step++;
        _console.WriteLine();
        _console.Write(new Rule($"[bold]{_step}. {Markup.Escape(title)}[/] [grey]{Format.When(clock.GetCurrentInstant())}[/]").LeftJustified());
        _console.MarkupLine(Markup.Escape(what));
    }

    private async Task PoolsAsync(params PoolId[] only)
    {
        var pools = await ledger.ListPoolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _console.Write(Tables.Pools([.. pools.Where(p => only.Length == 0 || only.Contains(p.Pool))], Name));
    }

    private async Task QueueAsync(PoolId pool)
    {
        var summary = await ledger.GetPoolAsync(pool, cancellationToken).ConfigureAwait(false);
        var queue = await ledger.GetQueueAsync(pool, 3, cancellationToken).ConfigureAwait(false);
        _console.Write(Tables.Queue(queue, summary?.QueuedCount ?? 0));
    }

    private async Task AliceAsync()
    {
        var alice = await ledger.GetUserLicensesAsync(new UserId("alice"), cancellationToken).ConfigureAwait(false);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Alice's licenses (L3, L4)[/]").AddColumn("App").AddColumn("Holder").AddColumn("Status").AddColumn("Devices covered");
        foreach (var l in alice.Licenses)
        {
            var devices = l.Devices.Count == 0
                ? "-"
                : string.Join(", ", l.Devices.Select(d => d.Covered ? d.Device.Value : $"[red]{d.Device.Value} (not covered: 6th device, L3)[/]"));
            table.AddRow(Markup.Escape(Name(l.Pool)), l.Holder.Key, l.Status.ToString(), devices);
        }

        _console.Write(table);
    }

    private void Show(string what, CommandOutcome outcome)
    {
        EventCount += outcome.Changes.Count;
        if (outcome.Status == CommandStatus.Rejected)
        {
            var r = outcome.Rejection!;
            _console.MarkupLine($"[red]✗ {Markup.Escape(what)}: rejected[/] [bold]{Markup.Escape(r.Code)}[/] (rule {Markup.Escape(r.Rule)}): {Markup.Escape(r.Message)}");
            return;
        }

        _console.MarkupLine($"[green]✓[/] {Markup.Escape(what)}: {(outcome.Status == CommandStatus.Unchanged ? "nothing to change" : $"{outcome.Changes.Count} event(s)")}");
        if (outcome.Changes.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumn("Event").AddColumn(new TableColumn("Count").RightAligned()).AddColumn("Holders / detail");
            foreach (var group in outcome.Changes.GroupBy(c => c.EventName))
            {
                var holders = group.Select(c => Detail(c.Event)).Where(h => h.Length > 0).ToList();
                var detail = holders.Count <= 4 ? string.Join(", ", holders) : $"{string.Join(", ", holders.Take(3))} … {holders[^1]}";
                table.AddRow(Markup.Escape(group.Key), Format.Count(group.Count()), Markup.Escape(detail));
            }

            _console.Write(table);
        }

        foreach (var warning in outcome.Warnings)
        {
            _console.MarkupLine($"  [yellow]! {Markup.Escape(warning.Code)} (rule {Markup.Escape(warning.Rule)})[/]: {Markup.Escape(warning.Message)}");
        }
    }

    private string Detail(ILedgerEvent e) => e switch
    {
        LicenseGranted g => g.Holder.Key,
        HolderQueued q => $"{q.Holder.Key} #{q.Position}",
        LicenseReclaimed r => $"{r.Holder.Key} of {Name(r.Pool)} ({r.Reason})",
        HolderLeftQueue l => $"{l.Holder.Key} ({l.Reason})",
        AppleCountsApplied c => $"purchased {c.PurchasedCount}, retired {c.RetiredCount}",
        PoolOrphaned o => o.Pool.ToString(),
        _ => "",
    };

    private static string Prompts(EndUserPrompts? p) => p is null
        ? "-"
        : p.Advice switch
        {
            PromptAdvice.Supported => $"{p.Rule}: invite {YesNo(p.VppInvite)}, install {YesNo(p.InstallPrompt)}, Apple ID {YesNo(p.AppleIdPrompt)}",
            PromptAdvice.NotRecommended => $"[yellow]{p.Rule}: not recommended[/]",
            PromptAdvice.NotSupported => $"[red]{p.Rule}: not supported[/]",
            _ => $"{p.Rule}: managed Apple ID only",
        };

    private static string YesNo(PromptShown shown) => shown switch
    {
        PromptShown.Yes => "yes",
        PromptShown.No => "no",
        _ => "-",
    };

    private string Name(PoolId pool) => _names.TryGetValue(pool, out var name) ? name : pool.ToString();

    // ---- Commands ----------------------------------------------------------------------------------------------

    private static DeviceProfile Profile(Platform platform, Ownership ownership, bool supervised = false, bool kiosk = false) =>
        new(platform, ownership, EnrollmentKind.Device, supervised, kiosk, AppStoreBlocked: false);

    private ApplyAppleCounts Counts(PoolId pool, int purchased) => new(pool, ProductKind.App, purchased, 0, null, NextId(), Admin);

    // Apple's location id (rule T4: one tenant per location), made per tenant so that the demo can run again on the same server.
    private LocationKey Location(string site) => LocationKey.FromAppleLocationId($"demo-{ledger.Tenant.Value}-{site}");

    private CommandId NextId() => new($"demo-{Interlocked.Increment(ref _commands):D5}-{Guid.NewGuid():N}");

    private async Task RunAsync(string what, ILedgerCommand command, bool quiet = false)
    {
        var outcome = await Execute(command).ConfigureAwait(false);
        if (outcome.Status == CommandStatus.Rejected)
        {
            throw new InvalidOperationException($"The demo's step '{what}' was rejected: {outcome.Rejection!.Code} ({outcome.Rejection.Rule}): {outcome.Rejection.Message}");
        }

        if (quiet)
        {
            EventCount += outcome.Changes.Count;
        }
        else
        {
            Show(what, outcome);
        }
    }

    private async Task ExecuteQuietAsync(ILedgerCommand command)
    {
        var outcome = await Execute(command).ConfigureAwait(false);
        if (outcome.Status == CommandStatus.Rejected)
        {
            throw new InvalidOperationException($"The demo's command {command.GetType().Name} was rejected: {outcome.Rejection!.Message}");
        }

        lock (_names)
        {
            EventCount += outcome.Changes.Count;
        }
    }

    private Task<CommandOutcome> Execute(ILedgerCommand command) => ledger.ExecuteAsync(command, cancellationToken);
}
