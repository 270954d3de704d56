using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Audit;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

/// <summary>
/// <c>vppledger tenant rebuild --tenant T</c>: rebuilds one tenant's projections from its log in its own database
/// (<c>ledger.Databases.RebuildTenantAsync</c>, docs/scale-out.md) while its neighbours keep writing, then checks its
/// chain against the rebuilt rows. The tenant's commands are refused (TenantMoving, retryable) while it runs; after a
/// crash or Ctrl+C they stay refused until the same command is run again to its end.
/// </summary>
internal sealed class TenantRebuildCommand : CliCommand<TenantSettings>
{
    protected override async Task<int> RunAsync(CliHost host, TenantSettings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = TenantMoveCommand.ParseTenant(settings.Tenant!);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var line = new ProgressLine(host, "Rebuilding");
        ChainVerification chain;
        try
        {
            chain = await ledger.Databases.RebuildTenantAsync(
                tenant,
                new ProgressReport(p => line.Report(p.EventsDone, p.EventsTotal, $"{p.EventsDone:N0} of {p.EventsTotal:N0} events of {tenant.Value}")),
                cancellationToken).ConfigureAwait(false);
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
            throw new CliException(ExitCodes.Cancelled, $"Cancelled: the rebuild of tenant {tenant.Value} stopped part-way and its commands stay refused (TenantMoving); run the same 'vppledger tenant rebuild' again to finish it.", e);
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        line.Finish($"done in {seconds:0.0} s");
        if (settings.Json)
        {
            Format.WriteJson(host, new { tenant = tenant.Value, events = chain.RowCount, intact = chain.IsIntact, head = chain.Head?.ToString(), seconds = Math.Round(seconds, 1) });
        }
        else if (chain.IsIntact)
        {
            host.Console.MarkupLine($"Rebuilt tenant [bold]{Markup.Escape(tenant.Value)}[/] from its log in {seconds:0.0} s; its chain is [green]intact[/] over {Format.Count(chain.RowCount)} sealed events, head [bold]{Markup.Escape(chain.Head?.ToString() ?? "-")}[/].");
        }

        if (!chain.IsIntact)
        {
            var m = chain.FirstMismatch!;
            await host.Error.WriteLineAsync(
                $"Tenant {tenant.Value} was rebuilt, but its hash chain is broken at chain position {m.ChainPosition} (event {m.Sequence}, {m.Stream} v{m.Version}), {m.Kind}: {m.Reason}. The log or the chain was changed outside the ledger: restore them from a backup.").ConfigureAwait(false);
            return ExitCodes.Rejected;
        }

        return ExitCodes.Ok;
    }

    // Reports synchronously, on the reporting thread (Progress<T> would post to the thread pool, out of order).
    private sealed class ProgressReport(Action<RebuildProgress> onReport) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => onReport(value);
    }
}
