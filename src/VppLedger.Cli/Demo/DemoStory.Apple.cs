using Spectre.Console;
using VppLedger.Apple;
using VppLedger.Apple.Fake;
using VppLedger.Cli.Commands;
using VppLedger.Cli.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.Cli.Demo;

/// <summary><c>vppledger demo --with-apple</c>: Apple's side of the book (issue 13), after the article's situations.</summary>
internal sealed partial class DemoStory
{
    private const int MaxApplePasses = 20;
    private static readonly UserId RefusedUser = new("u0042");

    /// <summary>
    /// The worker of VppLedger.Apple drains the main token's outbox against the fake Apple: every seat the story decided
    /// is requested until Apple confirms it; Apple refuses one Pages association (9709), so that seat is freed and the
    /// queue served (A6); Apple's notifications come twice and out of order and change each seat once (I4).
    /// </summary>
    public async Task PlayAppleAsync(FakeApple apple, AppleOutboxWorker worker)
    {
        ArgumentNullException.ThrowIfNull(apple);
        ArgumentNullException.ThrowIfNull(worker);
        var refused = Holder.ForUser(RefusedUser, AppleIdKind.Managed);
        Step(
            "Apple's side: the worker tells Apple, Apple answers (issue 13)",
            $"A fake Apple (the Apps and Books API v2, in memory) listens on {apple.BaseAddress}. The worker of VppLedger.Apple drains the outbox of {_mainToken.Value}, revealing the token's secret only for the calls: each seat the story granted is requested until Apple confirms it. Apple refuses {RefusedUser.Value}'s Pages association (error 9709): the seat is freed and the queue is served (A6). Apple's notifications arrive twice and out of order: each seat changes once (I4).");
        foreach (var (pool, total) in new[] { (Pages, 150L), (Keynote, 20L), (FieldService, 10L) })
        {
            apple.Assets.Add(new FakeAsset { AdamId = pool.AdamId.Value, TotalCount = total });
        }

        apple.FailingHolders[refused.Key] = AppleErrorNumbers.NotEnoughLicenses;
        apple.DuplicateNotifications = true;
        apple.NotificationsOutOfOrder = true;
        await OutboxAsync("before").ConfigureAwait(false);

        var (recorded, repeated, changes) = (0, 0, 0);
        for (var n = 1; n <= MaxApplePasses; n++)
        {
            var pass = await worker.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            var t = pass.Tokens.Single();
            _console.MarkupLine(Markup.Escape($"Pass {n}: {t.CallsAccepted} call(s) accepted by Apple, {t.CallsRefused} refused, {t.ResultsRecorded} event result(s) recorded from /status, {t.EventsPending} event(s) still pending at Apple{(t.Stopped is { } why ? $"; stopped: {why}" : "")}."));

            // Apple finishes its work between two passes and pushes its notifications: the host hands them to the worker.
            apple.CompleteAll();
            var changed = 0;
            foreach (var body in apple.TakeNotifications())
            {
                var outcome = await worker.AcceptNotificationAsync(ledger.Tenant, body, cancellationToken).ConfigureAwait(false);
                recorded += outcome.Result == AppleNotificationResult.Recorded ? 1 : 0;
                repeated += outcome.Result == AppleNotificationResult.AlreadyRecorded ? 1 : 0;
                changed += outcome.ChangeCount;
            }

            changes += changed;
            EventCount += changed;
            if (pass.IsIdle && changed == 0)
            {
                break;
            }
        }

        _console.MarkupLine($"ASSET_MANAGEMENT notifications: {Format.Count(recorded)} recorded ({Format.Count(changes)} ledger events), {Format.Count(repeated)} repeats that changed nothing.");
        await AppleSeatsAsync(apple).ConfigureAwait(false);
        var explanation = await ledger.Audit.ExplainAsync(refused, Pages, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        AsOfRender.Explanation(_console, explanation, Name);
        await OutboxAsync("after").ConfigureAwait(false);
        var token = apple.Requests.Select(r => r.Token).FirstOrDefault(t => t is not null);
        _console.MarkupLine($"Apple received {Format.Count(apple.Requests.Count)} requests, at most {(token is null ? 0 : apple.MaxRequestsInAnySecond(token))} in any second for the token (its limit: 15), {apple.RateLimitRefusals} refused as too many.");
        await ReconcileAsync(apple, worker, refused).ConfigureAwait(false);
    }

    /// <summary>
    /// Someone changes seats in Apple Business Manager behind the MDM's back: Pages given by hand to the holder Apple had
    /// refused, and a confirmed Keynote seat removed. The worker walks Apple's assignments; the ledger reconciles the walk
    /// holder by holder and records each difference as a finding with a plan of host commands (S2), shown as a dry run.
    /// </summary>
    private async Task ReconcileAsync(FakeApple apple, AppleOutboxWorker worker, Holder refused)
    {
        Step(
            "Apple's side: reconciliation per holder (issue 13)",
            $"Someone works in Apple Business Manager behind the MDM's back: Pages is assigned by hand to {RefusedUser.Value}, whose association Apple had refused, and one confirmed Keynote seat is removed. The worker walks Apple's assignments (GET /assignments, every page under one versionId) and records the walk; the ledger compares it with its seats holder by holder and records each difference as a finding, with the host command that would clear it (S2). Nothing is applied here: vppledger reconcile --apply runs the plan.");
        apple.Assignments.Add(new FakeAssignment(Pages.AdamId.Value, "STDQ", null, refused.Key, ++apple.Version));
        if (apple.Assignments.FirstOrDefault(a => a.AdamId == Keynote.AdamId.Value) is { } keynote)
        {
            apple.Assignments.Remove(keynote);
            apple.Version++;
        }

        var walk = await worker.WalkAssignmentsAsync(ledger.Tenant, _mainToken, cancellationToken: cancellationToken).ConfigureAwait(false);
        EventCount += walk.LastPage.Changes.Count;
        _console.MarkupLine(Markup.Escape($"Walk of Apple's assignments: {Format.Count(walk.AssignmentCount)} seats in {walk.ApplePageCount} page(s) of versionId {walk.VersionId}, {walk.Restarts} restart(s); recorded: {walk.LastPage.Status}."));
        var plan = await ledger.AppleSide.PlanAsync(new Actor("reconcile", Permissions.ManagedApps | Permissions.MobileApps), _mainToken, cancellationToken).ConfigureAwait(false);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Reconciliation findings (dry run)[/]")
            .AddColumn("App").AddColumn("Class").AddColumn("Holder").AddColumn("Rule").AddColumn("Plan");
        foreach (var step in plan)
        {
            var f = step.Finding;
            table.AddRow(Markup.Escape(Name(f.Pool)), f.Class.ToString(), Markup.Escape(f.Holder?.Key ?? f.HolderRef), f.Rule, Markup.Escape(step.Command?.GetType().Name ?? step.Action));
        }

        _console.Write(table);
    }

    private async Task OutboxAsync(string when)
    {
        var counts = await ledger.AppleOutbox.CountAsync(cancellationToken).ConfigureAwait(false);
        var others = (await ledger.AppleOutbox.TokensWithPendingRequestsAsync(cancellationToken).ConfigureAwait(false)).Where(t => t != _mainToken).ToList();
        var note = others.Count == 0 ? "" : $" (pending under {string.Join(", ", others.Select(t => t.Value))} too, a token the worker does not serve)";
        _console.MarkupLine(Markup.Escape($"Apple outbox {when}: {string.Join(", ", counts.Select(c => $"{Format.Count(c.Value)} {c.Key.ToString().ToLowerInvariant()}"))}{note}."));
    }

    private async Task AppleSeatsAsync(FakeApple apple)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Seats at Apple[/]").AddColumn("App");
        foreach (var column in new[] { "Used", "Requested", "Confirmed", "Failed", "Release pending", "Apple holds" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var pool in new[] { Pages, Keynote, FieldService })
        {
            var p = await ledger.GetPoolAsync(pool, cancellationToken).ConfigureAwait(false);
            if (p is null)
            {
                continue;
            }

            var held = apple.Assignments.Count(a => a.AdamId == pool.AdamId.Value);
            table.AddRow(Markup.Escape(Name(pool)), Format.Count(p.UsedCount), Format.Count(p.RequestedCount), Format.Count(p.ConfirmedCount),
                p.FailedCount > 0 ? $"[red]{Format.Count(p.FailedCount)}[/]" : "0", Format.Count(p.ReleasePendingCount), Format.Count(held));
        }

        _console.Write(table);
    }
}
