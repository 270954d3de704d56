using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

/// <summary>
/// <c>vppledger what-if FILE.json --tenant ID</c>: decides the command in the file on the tenant's current state and
/// prints what it would do, per pool; writes nothing (issue 15, docs/what-if.md).
/// </summary>
internal sealed class WhatIfCommand : CliCommand<WhatIfCommand.Settings>
{
    /// <summary>The actor of a file that names none: the preview writes nothing, so the tool may decide as anyone.</summary>
    internal static readonly Actor Previewer = new("vppledger what-if", Permissions.All);

    internal sealed class Settings : DatabaseSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The JSON command file: {\"command\": \"DeleteToken\", \"Token\": \"tok-1\"} (docs/what-if.md).")]
        public string File { get; init; } = "";

        [CommandOption("-t|--tenant <TENANT>")]
        [Description("The tenant to decide the command for.")]
        public string? Tenant { get; init; }

        [CommandOption("--events <COUNT>")]
        [Description("How many of the events it would write to list (the per-pool summary counts all).")]
        [DefaultValue(20)]
        public int Events { get; init; } = 20;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Tenant) ? ValidationResult.Error("--tenant is required: pass the tenant id, for example --tenant contoso.")
            : Events < 0 ? ValidationResult.Error("--events must be 0 or more.")
            : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await System.IO.File.ReadAllTextAsync(settings.File, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInputFile, $"Command file '{settings.File}' cannot be read ({e.Message}): pass the path of a JSON command file.", e);
        }

        ILedgerCommand command;
        try
        {
            command = LedgerCommandJson.Parse(text, new CommandId("what-if-" + Guid.NewGuid().ToString("N")), Previewer);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.BadInputFile, $"'{settings.File}': {e.Message}", e);
        }

        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        ITenantLedger tenant;
        try
        {
            tenant = ledger.ForTenant(new TenantId(settings.Tenant!));
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--tenant '{settings.Tenant}' is not a tenant id: use 1 to 64 letters, digits, '.', '_' or '-'.", e);
        }

        var preview = await tenant.PreviewAsync(command, settings.Events, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Format.WriteJson(host, Json(tenant.Tenant.Value, command, preview));
        }
        else
        {
            Print(host, command, preview);
        }

        return preview.Outcome.Status == CommandStatus.Rejected ? ExitCodes.Rejected : ExitCodes.Ok;
    }

    internal static object Json(string tenant, ILedgerCommand command, CommandPreview preview) => new
    {
        tenant,
        command = command.GetType().Name,
        status = preview.Outcome.Status,
        replay = preview.Outcome.IsReplay,
        rejection = preview.Outcome.Rejection is { } r ? new { code = r.Code, rule = r.Rule, message = r.Message } : null,
        events = preview.EventCount,
        pools = preview.Pools.Select(p => new
        {
            token = p.Pool.Token.Value,
            adamId = p.Pool.AdamId.Value,
            granted = p.GrantedCount,
            queued = p.QueuedCount,
            reclaimed = p.ReclaimedCount,
            leftQueue = p.LeftQueueCount,
            orphaned = p.OrphanedCount,
        }),
        otherEvents = preview.OtherEventCounts,
        listed = preview.Outcome.Changes.Select(c => new { stream = c.Stream, version = c.Version, @event = c.EventName }),
        warnings = preview.Outcome.Warnings.Select(w => new { code = w.Code, rule = w.Rule, message = w.Message }),
    };

    internal static void Print(CliHost host, ILedgerCommand command, CommandPreview preview)
    {
        var outcome = preview.Outcome;
        host.Console.Write(new Rule($"[bold]What if: {Markup.Escape(command.GetType().Name)}[/] (nothing was written)").LeftJustified());
        if (outcome.Rejection is { } rejection)
        {
            host.Console.MarkupLine($"[red]Rejected[/] {Markup.Escape(rejection.Code)} ({Markup.Escape(rejection.Rule)}): {Markup.Escape(rejection.Message)}");
            return;
        }

        var replay = outcome.IsReplay ? " This command id was executed before: executing it again would write nothing (I4)." : "";
        host.Console.MarkupLine($"{outcome.Status}: {Format.Count(preview.EventCount)} event(s) would be written.{Markup.Escape(replay)}");
        if (preview.Pools.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("[bold]Per pool[/]").AddColumn("Token").AddColumn("App");
            foreach (var column in new[] { "Granted", "Queued", "Reclaimed", "Left queue", "Orphaned" })
            {
                table.AddColumn(new TableColumn(column).RightAligned());
            }

            foreach (var p in preview.Pools)
            {
                table.AddRow(
                    Markup.Escape(p.Pool.Token.Value),
                    Markup.Escape(p.Pool.AdamId.Value),
                    Format.Count(p.GrantedCount),
                    Format.Count(p.QueuedCount),
                    Format.Count(p.ReclaimedCount),
                    Format.Count(p.LeftQueueCount),
                    Format.Count(p.OrphanedCount));
            }

            host.Console.Write(table);
        }

        foreach (var (name, count) in preview.OtherEventCounts)
        {
            host.Console.MarkupLine($"  {Markup.Escape(name)}: {Format.Count(count)}");
        }

        foreach (var warning in outcome.Warnings.Take(10))
        {
            host.Console.MarkupLine($"  [yellow]warning[/] {Markup.Escape(warning.Code)} ({Markup.Escape(warning.Rule)}): {Markup.Escape(warning.Message)}");
        }

        if (preview.EventsTruncated)
        {
            host.Console.MarkupLine($"First {Format.Count(outcome.Changes.Count)} of {Format.Count(preview.EventCount)} events (--events to list more):");
        }

        foreach (var c in outcome.Changes)
        {
            host.Console.MarkupLine($"  {Markup.Escape(c.Stream)} v{c.Version} {Markup.Escape(c.EventName)}");
        }
    }
}
