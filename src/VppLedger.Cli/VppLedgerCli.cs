using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Commands;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli;

/// <summary>The <c>vppledger</c> tool, callable in-process: the program's <c>Main</c> and the tests both go through <see cref="RunAsync"/>.</summary>
public static class VppLedgerCli
{
    /// <summary>
    /// Runs one <c>vppledger</c> command line. Errors go to <paramref name="error"/> as one sentence that says what to
    /// do (with the stack trace only under <c>--verbose</c>); the exit codes are those of <see cref="ExitCodes"/>.
    /// </summary>
    /// <param name="args">The arguments, as after <c>vppledger</c>.</param>
    /// <param name="output">Standard output: tables for people, or JSON under <c>--json</c>.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="environment">The environment variables to read (VPPLEDGER_CONNECTION, PG*); null: the process's own.</param>
    /// <param name="clock">The current time; the system clock by default.</param>
    /// <param name="cancellationToken">Stops the command.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter output,
        TextWriter error,
        IReadOnlyDictionary<string, string>? environment = null,
        IClock? clock = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        Func<string, string?> readVariable = environment is null
            ? Environment.GetEnvironmentVariable
            : name => environment.TryGetValue(name, out var value) ? value : null;
        if (args is ["--version"])
        {
            await output.WriteLineAsync($"vppledger {Version}").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var console = CreateConsole(output, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected, readVariable);
        var status = CreateConsole(error, (ReferenceEquals(error, Console.Error) || error is GatedWriter) && !Console.IsErrorRedirected, readVariable);
        var host = new CliHost(console, output, error, readVariable, clock ?? SystemClock.Instance) { Status = status };
        var verbose = args.Contains("--verbose", StringComparer.Ordinal);

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("vppledger");
            config.SetApplicationVersion(Version);
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            config.Settings.StrictParsing = true;

            config.AddCommand<DemoCommand>("demo").WithData(host)
                .WithDescription("Plays the article's situations on a throwaway local PostgreSQL (or the configured one) and prints what changed at each step.");
            config.AddBranch("token", token =>
            {
                token.SetDescription("Location token (.vpptoken) files.");
                token.AddCommand<TokenInspectCommand>("inspect").WithData(host)
                    .WithDescription("Shows a token file's organization, expiry and state, never its secret. Needs no database.")
                    .WithExample("token", "inspect", "contoso.vpptoken");
            });
            config.AddCommand<ReportCommand>("report").WithData(host)
                .WithDescription("Pools (total, used, available, queued, over-allocated, a bar each) and tokens (state, expiry) of one tenant; --chart FILE.svg (or .png) with --pool or --token draws used, total and queued over time.")
                .WithExample("report", "--tenant", "contoso")
                .WithExample("report", "--tenant", "contoso", "--chart", "pages.svg", "--pool", "tok-main:361309726");
            config.AddCommand<ForecastCommand>("forecast").WithData(host)
                .WithDescription("When each pool runs out of free licenses at its current rate, and how many licenses to buy to serve its queue (--json for scripts).")
                .WithExample("forecast", "--tenant", "contoso");
            config.AddCommand<WhatIfCommand>("what-if").WithData(host)
                .WithDescription("Decides the command in a JSON file on the tenant's current state and prints what it would grant, queue, reclaim and orphan; writes nothing.")
                .WithExample("what-if", "delete-token.json", "--tenant", "contoso");
            config.AddCommand<TailCommand>("tail").WithData(host)
                .WithDescription("The tenant's change feed in log order (--json: NDJSON, --follow: keep waiting, --subscription NAME: resume from its checkpoint and commit it).")
                .WithExample("tail", "--tenant", "contoso", "--follow", "--json");
            config.AddCommand<ReconcileCommand>("reconcile").WithData(host)
                .WithDescription("Reconciliation findings per holder (untracked at Apple, phantom, duplicate, another MDM, pending too long) with the plan that clears each; a dry run unless --apply; --json.")
                .WithExample("reconcile", "--tenant", "contoso", "--apply");
            config.AddCommand<WasteCommand>("waste").WithData(host)
                .WithDescription("Idle and wasted licenses per pool: retired devices, departed users, untargeted holders, orphaned pools, idle free licenses, misplaced queues; --price for money, --json or --csv.")
                .WithExample("waste", "--tenant", "contoso", "--idle-days", "30", "--csv");
            config.AddBranch("audit", audit =>
            {
                audit.SetDescription("The audit trail: history, positions as of an instant, explanations, the hash chain.");
                audit.AddCommand<AuditHistoryCommand>("history").WithData(host)
                    .WithDescription("The audit rows of a holder, an app or a token, in log order (holders by pseudonymous id only).")
                    .WithExample("audit", "history", "--tenant", "contoso", "--holder", "u.alice.managed");
                audit.AddCommand<AuditAsOfCommand>("as-of").WithData(host)
                    .WithDescription("The tenant, a pool or a holder as it stood at a business instant (UTC).")
                    .WithExample("audit", "as-of", "2026-11-17T06:00:00Z", "--tenant", "contoso", "--pool", "tok-main:361309726");
                audit.AddCommand<AuditExplainCommand>("explain").WithData(host)
                    .WithDescription("Why a holder has, or has not, a license of a pool: the events and the rule ids that decided it.")
                    .WithExample("audit", "explain", "--tenant", "contoso", "--holder", "u.alice.managed", "--pool", "tok-main:361309726");
                audit.AddCommand<AuditVerifyCommand>("verify").WithData(host)
                    .WithDescription("Seals, then recomputes the tenant's hash chain over the log and prints its head; exit code 1 at the first event, row or link that does not match.");
            });
            config.AddCommand<ExportCommand>("export").WithData(host)
                .WithDescription("The tenant's audit rows as CSV or NDJSON, to standard output or --output FILE; 'vppledger import' reads an NDJSON export back.")
                .WithExample("export", "--tenant", "contoso", "--format", "csv", "--output", "audit.csv");
            config.AddCommand<ImportCommand>("import").WithData(host)
                .WithDescription("Appends history recorded elsewhere (NDJSON, one event a line): all or nothing, and importing it again writes nothing.")
                .WithExample("import", "history.ndjson", "--tenant", "contoso");
            config.AddCommand<RebuildCommand>("rebuild").WithData(host)
                .WithDescription("Rebuilds every projection of every tenant from the log, with progress by events (rate, time left) on standard error. Run it with no command in flight.");
            config.AddBranch("tenant", tenant =>
            {
                tenant.SetDescription("Tenants over several databases (docs/scale-out.md).");
                tenant.AddCommand<TenantMoveCommand>("move").WithData(host)
                    .WithDescription("Moves a tenant to another database: stops its writes (commands get TenantMoving, retry them), copies and verifies its log and chain, switches the registry, removes the old copy. Run it again to resume.")
                    .WithExample("tenant", "move", "--tenant", "contoso", "--to", "db2", "--database", "db2=Host=db2;Username=vpp;Database=mdm");
                tenant.AddCommand<TenantRebuildCommand>("rebuild").WithData(host)
                    .WithDescription("Rebuilds one tenant's projections from its log in its own database while other tenants keep writing (its commands get TenantMoving meanwhile, retry them), then checks its chain; exit code 1 if the chain is broken. Run it again to finish one that stopped.")
                    .WithExample("tenant", "rebuild", "--tenant", "contoso");
            });
            config.AddBranch("db", db =>
            {
                db.SetDescription("The database.");
                db.AddCommand<DbApplyCommand>("apply").WithData(host)
                    .WithDescription("Creates or updates the ledger's tables (the explicit schema step of a deployment; safe to repeat).");
            });
        });

        try
        {
            return await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Failure(e, cancellationToken) is { } failure)
        {
            await error.WriteLineAsync(failure.Message).ConfigureAwait(false);
            if (verbose)
            {
                await error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            await error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return failure.ExitCode;
        }
    }

    /// <summary>The line written when Ctrl+C (SIGINT) stops a command: whatever it was doing, nothing is left half-written.</summary>
    public const string CancelledMessage = "Cancelled: the command stopped before it finished; every transaction it committed is whole, the one in flight was rolled back.";

    /// <summary>The tool's version: the informational version MinVer gives from the git tag (v1.2.3), with the commit.</summary>
    public static string Version { get; } =
        typeof(VppLedgerCli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? typeof(VppLedgerCli).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    private static CliException? Failure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        // Cancelled: the command's own line when it has one, else whatever surfaced (TaskCanceledException, Npgsql's
        // "operation cancelled", a cancelled wait) gives the one line of every command.
        CliException { ExitCode: ExitCodes.Cancelled } cancelled => cancelled,
        _ when cancellationToken.IsCancellationRequested => new CliException(ExitCodes.Cancelled, CancelledMessage),
        CliException cli => cli,
        CommandAppException usage => new CliException(ExitCodes.Usage, UsageMessage(usage)),
        OperationCanceledException => new CliException(ExitCodes.Cancelled, CancelledMessage),
        _ => Database.Explain(exception, null)
            ?? new CliException(ExitCodes.Unexpected, $"Unexpected failure ({exception.GetType().Name}: {exception.Message}): run again with --verbose for the details and report it."),
    };

    private static string UsageMessage(CommandAppException usage)
    {
        var message = usage.Message.TrimEnd('.');
        return $"{message}. Run 'vppledger --help' (or 'vppledger COMMAND --help') for the usage.";
    }

    private static IAnsiConsole CreateConsole(TextWriter output, bool toTerminal, Func<string, string?> environment)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = toTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = toTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = toTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!toTerminal)
        {
            console.Profile.Width = int.TryParse(environment("COLUMNS"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var columns) && columns > 40
                ? columns
                : 120;
        }

        return console;
    }
}
