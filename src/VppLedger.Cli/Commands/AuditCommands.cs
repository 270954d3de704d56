using System.ComponentModel;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Audit;
using VppLedger.Cli.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.Cli.Commands;

/// <summary><c>vppledger audit history</c>: the audit rows of a holder, an app or a token (rule I1).</summary>
internal sealed class AuditHistoryCommand : CliCommand<AuditHistoryCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("--holder <HOLDER>")]
        [Description("A holder: u.USERID.personal, u.USERID.managed or d.DEVICEID.")]
        public string? Holder { get; init; }

        [CommandOption("--app <ADAMID>")]
        [Description("An app's adamId, under any token.")]
        public string? App { get; init; }

        [CommandOption("--token <TOKEN>")]
        [Description("A token id.")]
        public string? Token { get; init; }

        [CommandOption("--from <INSTANT>")]
        [Description("Only rows that occurred at or after this instant (UTC, 2026-11-17T06:00:00Z or 2026-11-17).")]
        public string? From { get; init; }

        [CommandOption("--to <INSTANT>")]
        [Description("Only rows that occurred before this instant.")]
        public string? To { get; init; }

        [CommandOption("--take <COUNT>")]
        [Description("At most this many rows.")]
        [DefaultValue(1000)]
        public int Take { get; init; } = 1000;

        public override ValidationResult Validate()
        {
            if (Holder is null && App is null && Token is null)
            {
                return ValidationResult.Error("Give --holder, --app or --token: the history of whom or what?");
            }

            return Take < 1 ? ValidationResult.Error("--take must be at least 1.") : base.Validate();
        }
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var query = new AuditQuery
        {
            Holder = settings.Holder is null ? null : Parse.Holder(settings.Holder),
            App = settings.App is null ? null : Parse.App(settings.App),
            Token = settings.Token is null ? null : Parse.Token(settings.Token),
            From = Parse.OptionalInstant(settings.From, "--from"),
            To = Parse.OptionalInstant(settings.To, "--to"),
        };
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);

        var rows = new List<AuditEntry>();
        var more = false;
        await foreach (var row in tenant.Audit.HistoryAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (rows.Count == settings.Take)
            {
                more = true;
                break;
            }

            rows.Add(row);
        }

        if (settings.Json)
        {
            Format.WriteJson(host, new { tenant = tenant.Tenant.Value, rows = rows.Select(AuditJson.Row), truncated = more });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]History[/] of {Markup.Escape(Describe(settings))}")
            .AddColumn(new TableColumn("Seq").RightAligned()).AddColumn(new TableColumn("When (UTC)").NoWrap()).AddColumn("Action").AddColumn("Token").AddColumn("App")
            .AddColumn("Holder").AddColumn("Reason").AddColumn("Rule").AddColumn("Actor");
        foreach (var r in rows)
        {
            table.AddRow(
                Format.Count(r.Sequence),
                Format.When(r.OccurredAt).Replace(" UTC", "", StringComparison.Ordinal),
                Markup.Escape(r.Action + (r.QueuePosition is { } p ? $" #{p}" : "")),
                Markup.Escape(r.Token ?? ""),
                Markup.Escape(r.AdamId ?? ""),
                Markup.Escape(r.HolderId is null ? "" : $"{r.HolderKind} {(r.HolderId.Length > 10 ? r.HolderId[..10] + "…" : r.HolderId)}"),
                Markup.Escape(r.Reason ?? ""),
                Markup.Escape(r.Rule ?? ""),
                Markup.Escape(r.Actor ?? ""));
        }

        host.Console.Write(table);
        host.Console.MarkupLine(more
            ? $"The first {Format.Count(rows.Count)} rows; pass --take or --from/--to for more."
            : $"{Format.Count(rows.Count)} row(s). Holders appear by pseudonymous id only.");
        return ExitCodes.Ok;
    }

    private static string Describe(Settings s) => string.Join(", ", new[]
    {
        s.Holder is null ? null : $"holder {s.Holder}",
        s.App is null ? null : $"app {s.App}",
        s.Token is null ? null : $"token {s.Token}",
    }.Where(x => x is not null));
}

/// <summary><c>vppledger audit as-of INSTANT</c>: the tenant, a pool or a holder as it stood at a business instant (rule I5).</summary>
internal sealed class AuditAsOfCommand : CliCommand<AuditAsOfCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandArgument(0, "<INSTANT>")]
        [Description("The business instant, UTC: 2026-11-17T06:00:00Z, or a date such as 2026-11-17 (its start).")]
        public string Instant { get; init; } = "";

        [CommandOption("--pool <POOL>")]
        [Description("Only this pool, TOKEN:ADAMID, with its holders and queue.")]
        public string? Pool { get; init; }

        [CommandOption("--holder <HOLDER>")]
        [Description("Only this holder's seats: u.USERID.personal, u.USERID.managed or d.DEVICEID.")]
        public string? Holder { get; init; }
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var asOf = Parse.Instant(settings.Instant, "INSTANT");
        var pool = settings.Pool is null ? (PoolId?)null : Parse.Pool(settings.Pool);
        var holder = settings.Holder is null ? null : Parse.Holder(settings.Holder);
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        await SealNote.WriteAsync(host, tenant, cancellationToken).ConfigureAwait(false);

        if (holder is not null)
        {
            var position = await tenant.Audit.HolderAsOfAsync(holder, asOf, cancellationToken).ConfigureAwait(false);
            if (settings.Json)
            {
                Format.WriteJson(host, AuditJson.Holder(position));
                return ExitCodes.Ok;
            }

            AsOfRender.Holder(host.Console, position);
            return ExitCodes.Ok;
        }

        if (pool is { } p)
        {
            var position = await tenant.Audit.PoolAsOfAsync(p, asOf, cancellationToken).ConfigureAwait(false);
            if (position is null)
            {
                if (settings.Json)
                {
                    Format.WriteJson(host, new { asOf = Format.Iso(asOf), pool = (object?)null });
                }
                else
                {
                    host.Console.MarkupLine($"Pool {Markup.Escape(p.ToString())} had no event by {Format.When(asOf)}: it did not exist yet (or check TOKEN:ADAMID).");
                }

                return ExitCodes.Ok;
            }

            if (settings.Json)
            {
                Format.WriteJson(host, AuditJson.Pool(position));
                return ExitCodes.Ok;
            }

            AsOfRender.Pool(host.Console, position);
            return ExitCodes.Ok;
        }

        var all = await tenant.Audit.TenantAsOfAsync(asOf, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Format.WriteJson(host, AuditJson.Tenant(tenant.Tenant.Value, all));
            return ExitCodes.Ok;
        }

        AsOfRender.Tenant(host.Console, tenant.Tenant.Value, all, null);
        return ExitCodes.Ok;
    }
}

/// <summary><c>vppledger audit explain</c>: why a holder has, or has not, a license of a pool at an instant.</summary>
internal sealed class AuditExplainCommand : CliCommand<AuditExplainCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("--holder <HOLDER>")]
        [Description("The holder: u.USERID.personal, u.USERID.managed or d.DEVICEID.")]
        public string? Holder { get; init; }

        [CommandOption("--pool <POOL>")]
        [Description("The pool: TOKEN:ADAMID.")]
        public string? Pool { get; init; }

        [CommandOption("--as-of <INSTANT>")]
        [Description("The business instant (UTC); now by default.")]
        public string? AsOf { get; init; }

        public override ValidationResult Validate() =>
            Holder is null || Pool is null
                ? ValidationResult.Error("Give --holder and --pool: whose license of which pool?")
                : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var holder = Parse.Holder(settings.Holder!);
        var pool = Parse.Pool(settings.Pool!);
        var asOf = Parse.OptionalInstant(settings.AsOf, "--as-of") ?? host.Clock.GetCurrentInstant();
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        var explanation = await tenant.Audit.ExplainAsync(holder, pool, asOf, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Format.WriteJson(host, AuditJson.Explanation(explanation));
            return ExitCodes.Ok;
        }

        AsOfRender.Explanation(host.Console, explanation, null);
        return ExitCodes.Ok;
    }
}

/// <summary>
/// <c>vppledger audit verify</c>: seals what can be sealed, then recomputes the tenant's hash chain over the log and
/// prints the sealed head (record it elsewhere); with <c>--head</c>, also checks that the chain still extends a head
/// recorded earlier. Exit code 1 at the first event, row or link that does not match.
/// </summary>
internal sealed class AuditVerifyCommand : CliCommand<AuditVerifyCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("--head <POSITION:HASH>")]
        [Description("A head printed by an earlier verify (position:hash): the chain must still extend it (detects a truncated tail).")]
        public string? Head { get; init; }
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        ChainHead? recorded;
        try
        {
            recorded = settings.Head is null ? null : ChainHead.Parse(settings.Head);
        }
        catch (FormatException e)
        {
            await host.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        var result = await tenant.Audit.VerifyChainAsync(recorded, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Format.WriteJson(host, new
            {
                tenant = tenant.Tenant.Value,
                rows = result.RowCount,
                intact = result.IsIntact,
                headHash = result.HeadHash,
                head = result.Head?.ToString(),
                headSequence = result.Head?.Sequence,
                unsealed = result.UnsealedCount,
                extendsRecordedHead = result.ExtendsRecordedHead,
                firstMismatch = result.FirstMismatch is { } m
                    ? new { m.ChainPosition, m.Sequence, m.Stream, m.Version, m.Reason, Kind = m.Kind.ToString() }
                    : null,
            });
        }
        else if (result.IsIntact)
        {
            host.Console.MarkupLine(
                $"[green]Intact[/]: {Format.Count(result.RowCount)} sealed events of tenant {Markup.Escape(tenant.Tenant.Value)}"
                + (recorded is null ? "" : $", extending the recorded head {recorded.Position}")
                + $"; {Format.Count(result.UnsealedCount)} not sealed yet.");
            host.Console.MarkupLine($"Head: [bold]{Markup.Escape(result.Head?.ToString() ?? "-")}[/] (record it elsewhere; check it later with --head).");
        }

        if (!result.IsIntact)
        {
            var m = result.FirstMismatch!;
            await host.Error.WriteLineAsync(
                $"The hash chain of tenant {tenant.Tenant.Value} is broken at chain position {m.ChainPosition} (event {m.Sequence}, {m.Stream} v{m.Version}), {m.Kind}: {m.Reason}. The log or the audit rows were changed outside the ledger: restore them from a backup; audit rows alone can be rebuilt from the log with 'vppledger rebuild'.").ConfigureAwait(false);
            return ExitCodes.Rejected;
        }

        return ExitCodes.Ok;
    }
}

/// <summary>The chain's seal status, told on standard error by the commands that read the audit (export, as-of), so that their output stays clean.</summary>
internal static class SealNote
{
    public static async Task WriteAsync(CliHost host, ITenantLedger tenant, CancellationToken cancellationToken)
    {
        var status = await tenant.Audit.SealStatusAsync(cancellationToken).ConfigureAwait(false);
        await host.Error.WriteLineAsync(
            $"Hash chain of tenant {tenant.Tenant.Value}: sealed head {status.Head?.ToString() ?? "none"}; {status.UnsealedCount} event(s) after it not sealed yet.").ConfigureAwait(false);
    }
}

/// <summary>How as-of answers and explanations look, in the audit commands and in the demo.</summary>
internal static class AsOfRender
{
    public static void Tenant(IAnsiConsole console, string tenant, TenantPosition position, Func<PoolId, string>? name)
    {
        console.MarkupLine($"Tenant [bold]{Markup.Escape(tenant)}[/] as of [bold]{Format.When(position.AsOf)}[/] ({Format.Count(position.EventCount)} events folded):");
        console.Write(Tables.Pools(position.Pools, name));
        console.Write(Tables.Tokens(position.Tokens));
    }

    public static void Pool(IAnsiConsole console, PoolPosition position)
    {
        console.MarkupLine($"Pool [bold]{Markup.Escape(position.Summary.Pool.ToString())}[/] as of [bold]{Format.When(position.AsOf)}[/] ({Format.Count(position.EventCount)} events folded):");
        console.Write(Tables.Pools([position.Summary]));
        console.MarkupLine($"Holders: {Markup.Escape(Abbreviated(position.Holders.Select(h => h.Key).ToList()))}");
        console.Write(Tables.Queue([.. position.Queue.Take(10)], position.Queue.Count));
    }

    public static void Holder(IAnsiConsole console, HolderPosition position)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(position.Holder.Key)}[/] as of {Format.When(position.AsOf)}")
            .AddColumn("Pool").AddColumn("Status").AddColumn(new TableColumn("Queue position").RightAligned()).AddColumn("Since");
        foreach (var seat in position.Seats)
        {
            table.AddRow(Markup.Escape(seat.Pool.ToString()), seat.Status.ToString(), seat.Status == SeatStatus.Queued ? Format.Count(seat.QueuePosition) : "", Format.When(seat.Since));
        }

        if (position.Seats.Count == 0)
        {
            table.AddRow("-", "no license, not queued", "", "");
        }

        console.Write(table);
    }

    public static void Explanation(IAnsiConsole console, LicenseExplanation explanation, Func<PoolId, string>? name)
    {
        var pool = name?.Invoke(explanation.Pool) ?? explanation.Pool.ToString();
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]Why {Markup.Escape(explanation.Holder.Key)} {(explanation.HasLicense ? "holds" : "does not hold")} a license of {Markup.Escape(pool)}[/] as of {Format.When(explanation.AsOf)}")
            .AddColumn("When").AddColumn(new TableColumn("Version").RightAligned()).AddColumn("Event").AddColumn("Rule").AddColumn("What happened");
        foreach (var step in explanation.Steps)
        {
            table.AddRow(Format.When(step.At), Format.Count(step.Version), Markup.Escape(step.EventName), Markup.Escape(step.Rule ?? ""), Markup.Escape(step.Sentence));
        }

        console.Write(table);
        console.MarkupLine(Markup.Escape(explanation.Summary));
    }

    private static string Abbreviated(IReadOnlyList<string> keys) =>
        keys.Count == 0 ? "none" : keys.Count <= 6 ? string.Join(", ", keys) : $"{string.Join(", ", keys.Take(5))} … and {Format.Count(keys.Count - 5)} more";
}

/// <summary>The JSON forms of the audit answers: instants as ISO 8601 text.</summary>
internal static class AuditJson
{
    // The fields and names of AuditFormats.Fields (the export's), so that --json and export read alike.
    public static object Row(AuditEntry r) => new
    {
        tenant = r.Tenant,
        sequence = r.Sequence,
        stream = r.Stream,
        version = r.Version,
        @event = r.EventName,
        occurredAt = Format.Iso(r.OccurredAt),
        token = r.Token,
        adamId = r.AdamId,
        holderKind = r.HolderKind,
        holderId = r.HolderId,
        queuePosition = r.QueuePosition,
        action = r.Action,
        reason = r.Reason,
        rule = r.Rule,
        actor = r.Actor,
        correlationId = r.CorrelationId,
        causationId = r.CausationId,
        chainPosition = r.ChainPosition,
        hash = r.Hash,
    };

    public static object Tenant(string tenant, TenantPosition p) => new
    {
        tenant,
        asOf = Format.Iso(p.AsOf),
        eventCount = p.EventCount,
        pools = p.Pools.Select(ReportCommand.PoolJson),
        tokens = p.Tokens.Select(ReportCommand.TokenJson),
    };

    public static object Pool(PoolPosition p) => new
    {
        asOf = Format.Iso(p.AsOf),
        eventCount = p.EventCount,
        pool = ReportCommand.PoolJson(p.Summary),
        holders = p.Holders.Select(h => h.Key),
        queue = p.Queue.Select(q => new { position = q.Position, holder = q.Holder.Key }),
    };

    public static object Holder(HolderPosition p) => new
    {
        asOf = Format.Iso(p.AsOf),
        holder = p.Holder.Key,
        seats = p.Seats.Select(s => new { pool = s.Pool.ToString(), status = s.Status, queuePosition = s.QueuePosition, since = Format.Iso(s.Since) }),
    };

    public static object Explanation(LicenseExplanation e) => new
    {
        holder = e.Holder.Key,
        pool = e.Pool.ToString(),
        asOf = Format.Iso(e.AsOf),
        status = e.Status,
        hasLicense = e.HasLicense,
        queuePosition = e.QueuePosition,
        steps = e.Steps.Select(s => new { at = Format.Iso(s.At), version = s.Version, eventName = s.EventName, rule = s.Rule, sentence = s.Sentence }),
        summary = e.Summary,
    };
}
