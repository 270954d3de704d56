using VppLedger.Cli;

// Ctrl+C cancels the running command, so that a throwaway PostgreSQL of the demo is stopped and removed on the way out.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await VppLedgerCli.RunAsync(args, Console.Out, Console.Error, cancellationToken: cancellation.Token).ConfigureAwait(false);
