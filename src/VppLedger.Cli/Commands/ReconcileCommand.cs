using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.AppleSide;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

/// <summary>
/// <c>vppledger reconcile --tenant ID</c>: the open reconciliation findings (docs/apple.md) with the plan of host commands
/// that clears each; a dry run unless <c>--apply</c>, which runs the plan.
/// </summary>
internal sealed class ReconcileCommand : CliCommand<ReconcileCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("--token <TOKEN>")]
        [Description("Only this token's findings.")]
        public string? Token { get; init; }

        [CommandOption("--apply")]
        [Description("Run the plan (each step once: its command id comes from the finding). Without it, nothing is written.")]
        public bool Apply { get; init; }

        [CommandOption("--actor <NAME>")]
        [Description("The actor recorded on the commands --apply runs (with the managed apps and mobile apps permissions).")]
        [DefaultValue("vppledger-reconcile")]
        public string Actor { get; init; } = "vppledger-reconcile";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Actor) ? ValidationResult.Error("--actor must name who runs the plan.") : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        TokenId? token;
        try
        {
            token = settings.Token is null ? null : new TokenId(settings.Token);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--token '{settings.Token}': {e.Message}", e);
        }

        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        var actor = new Actor(settings.Actor, Permissions.ManagedApps | Permissions.MobileApps);
        var plan = await tenant.AppleSide.PlanAsync(actor, token, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<CommandOutcome?>();
        foreach (var step in plan)
        {
            outcomes.Add(settings.Apply && step.Command is { } command
                ? await tenant.ExecuteAsync(command, cancellationToken).ConfigureAwait(false)
                : null);
        }

        if (settings.Json)
        {
            Format.WriteJson(host, new
            {
                tenant = tenant.Tenant.Value,
                applied = settings.Apply,
                findings = plan.Select((p, i) => new
                {
                    token = p.Finding.Pool.Token.Value,
                    adamId = p.Finding.Pool.AdamId.Value,
                    pricing = p.Finding.Pool.ApplePricingParam,
                    @class = p.Finding.Class.ToString(),
                    holderRef = p.Finding.HolderRef,
                    holder = p.Finding.Holder?.Key,
                    rule = p.Finding.Rule,
                    detail = p.Finding.Detail,
                    foundAt = Format.Iso(p.Finding.FoundAt),
                    command = p.Command?.GetType().Name,
                    action = p.Action,
                    outcome = outcomes[i]?.Status.ToString(),
                    rejection = outcomes[i]?.Rejection?.Code,
                }),
            });
        }
        else
        {
            Print(host.Console, tenant.Tenant.Value, plan, outcomes, settings.Apply);
        }

        return outcomes.Any(o => o?.Status == CommandStatus.Rejected) ? ExitCodes.Rejected : ExitCodes.Ok;
    }

    private static void Print(IAnsiConsole console, string tenant, IReadOnlyList<ReconciliationStep> plan, IReadOnlyList<CommandOutcome?> outcomes, bool applied)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Reconciliation findings of {Markup.Escape(tenant)}[/]")
            .AddColumn("Token").AddColumn("App").AddColumn("Class").AddColumn("Holder").AddColumn("Rule").AddColumn("Plan");
        if (applied)
        {
            table.AddColumn("Outcome");
        }

        for (var i = 0; i < plan.Count; i++)
        {
            var f = plan[i].Finding;
            var app = f.Pool.Pricing == PricingParam.Plus ? f.Pool.AdamId.Value + " (PLUS)" : f.Pool.AdamId.Value;
            var cells = new List<string>
            {
                Markup.Escape(f.Pool.Token.Value), Markup.Escape(app), f.Class.ToString(), Markup.Escape(f.Holder?.Key ?? f.HolderRef), f.Rule,
                Markup.Escape(plan[i].Command is { } c ? c.GetType().Name : "(a person acts) " + plan[i].Action),
            };
            if (applied)
            {
                cells.Add(outcomes[i] is { } o ? o.Rejection is { } r ? Markup.Escape(r.Code) : o.Status.ToString() : "-");
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);
        console.MarkupLine(applied
            ? $"{plan.Count} finding(s); the plan ran. A finding clears when a later walk of Apple's assignments no longer shows it."
            : $"{plan.Count} finding(s); dry run, nothing written. Run again with --apply to run the plan.");
    }
}
