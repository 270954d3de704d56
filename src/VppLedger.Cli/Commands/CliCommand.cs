using Spectre.Console.Cli;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

/// <summary>A command with the host of the entry point, and database failures explained in one sentence.</summary>
internal abstract class CliCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : GlobalSettings
{
    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.Data as CliHost ?? throw new InvalidOperationException("The command was registered without its host.");
        try
        {
            return await RunAsync(host, settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not CliException && Database.Explain(e, (settings as DatabaseSettings)?.Schema) is { } explained)
        {
            throw explained;
        }
    }

    protected abstract Task<int> RunAsync(CliHost host, TSettings settings, CancellationToken cancellationToken);
}
