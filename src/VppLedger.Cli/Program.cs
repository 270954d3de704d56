using System.Runtime.InteropServices;
using VppLedger.Cli;
using VppLedger.Cli.Infrastructure;

// Ctrl+C (SIGINT) and SIGTERM cancel the running command: it stops at its next await, rolls back the transaction in
// flight, stops a throwaway PostgreSQL of the demo and exits 130 with one line on standard error. A command that has
// not ended within the grace period is left behind: the same line, exit 130, and PostgreSQL rolls back what the
// dropped connections had not committed (a second Ctrl+C does the same at once).
var error = new GatedWriter(Console.Error);
using var cancellation = new CancellationTokenSource();
var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

void Cancel()
{
    if (cancellation.IsCancellationRequested)
    {
        stopped.TrySetResult();
        return;
    }

    cancellation.Cancel();
    _ = Task.Delay(CancelGrace.Period).ContinueWith(_ => stopped.TrySetResult(), TaskScheduler.Default);
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    Cancel();
});
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Cancel();
});

var run = VppLedgerCli.RunAsync(args, Console.Out, error, cancellationToken: cancellation.Token);
if (await Task.WhenAny(run, stopped.Task).ConfigureAwait(false) == run)
{
    return await run.ConfigureAwait(false);
}

if (error.Close())
{
    await Console.Error.WriteLineAsync(VppLedgerCli.CancelledMessage).ConfigureAwait(false);
}

return ExitCodes.Cancelled;
