return await VppLedger.Cli.VppLedgerCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
