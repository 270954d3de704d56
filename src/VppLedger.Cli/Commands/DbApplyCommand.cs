using Spectre.Console;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

/// <summary><c>vppledger db apply</c>: the explicit schema step for hosts that run with <see cref="SchemaCreation.None"/>.</summary>
internal sealed class DbApplyCommand : CliCommand<DatabaseSettings>
{
    protected override async Task<int> RunAsync(CliHost host, DatabaseSettings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await VppLedgerDatabase.ApplySchemaAsync(connection, settings.Configure, cancellationToken).ConfigureAwait(false);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (settings.Json)
        {
            Format.WriteJson(host, new { schema = settings.Schema, applied = true, seconds = Math.Round(elapsed.TotalSeconds, 1) });
        }
        else
        {
            host.Console.MarkupLine($"Schema [bold]{Markup.Escape(settings.Schema)}[/] is up to date ({elapsed.TotalSeconds:0.0} s).");
        }

        return ExitCodes.Ok;
    }
}
