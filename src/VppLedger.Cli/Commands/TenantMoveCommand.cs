using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

/// <summary>Options of <c>vppledger tenant move</c>.</summary>
internal sealed class TenantMoveSettings : TenantSettings
{
    [CommandOption("--to <DATABASE>")]
    [Description("The database to move the tenant to: 'control' or a name given with --database.")]
    public string? To { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(To)
            ? ValidationResult.Error("--to is required: pass the target database's name, for example --to db2.")
            : base.Validate();
}

/// <summary>
/// <c>vppledger tenant move --tenant T --to DB</c>: moves a tenant to another database (docs/scale-out.md); its commands
/// are refused with TenantMoving (retryable) while it moves. Run it again after a crash or Ctrl+C to resume.
/// </summary>
internal sealed class TenantMoveCommand : CliCommand<TenantMoveSettings>
{
    protected override async Task<int> RunAsync(CliHost host, TenantMoveSettings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = ParseTenant(settings.Tenant!);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long rows = 0;
        try
        {
            await ledger.Databases.MoveTenantAsync(tenant, settings.To!, new StepReport(step =>
            {
                rows = Math.Max(rows, step.RowsCopied);
                host.Error.WriteLine($"{step.Step}{(step.Step == TenantMoveStep.Copying ? $": {step.RowsCopied:N0} rows" : "")}");
            }), cancellationToken).ConfigureAwait(false);
        }
        catch (UnknownDatabaseException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message.Split(" (Parameter", 2)[0], e);
        }
        catch (TenantNotPlacedException e)
        {
            throw new CliException(ExitCodes.UnknownTenant, e.Message, e);
        }
        catch (InvalidOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Rejected, e.Message, e);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Cancelled, "Cancelled: the move stopped part-way; the tenant lives where the registry says and its writes stay refused until the move is run again: run the same 'vppledger tenant move' again to finish it.", e);
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (settings.Json)
        {
            Format.WriteJson(host, new { tenant = tenant.Value, database = settings.To, rowsCopied = rows, seconds = Math.Round(seconds, 1) });
        }
        else
        {
            host.Console.MarkupLine($"Tenant [bold]{Markup.Escape(tenant.Value)}[/] is on database [bold]{Markup.Escape(settings.To!)}[/] ({rows:N0} rows copied, {seconds:0.0} s).");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The tenant id given with --tenant, or a usage error that says what an id looks like.</summary>
    internal static TenantId ParseTenant(string text)
    {
        try
        {
            return new TenantId(text);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--tenant '{text}' is not a tenant id: use 1 to 64 letters, digits, '.', '_' or '-'.", e);
        }
    }

    private sealed class StepReport(Action<TenantMoveProgress> onReport) : IProgress<TenantMoveProgress>
    {
        public void Report(TenantMoveProgress value) => onReport(value);
    }
}
