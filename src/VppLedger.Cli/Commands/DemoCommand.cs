using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

internal sealed class DemoCommand : CliCommand<GlobalSettings>
{
    protected override Task<int> RunAsync(CliHost host, GlobalSettings settings, CancellationToken cancellationToken) => Task.FromResult(0);
}
