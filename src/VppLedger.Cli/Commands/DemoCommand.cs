using System.ComponentModel;
using System.Diagnostics;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Demo;
using VppLedger.Cli.Infrastructure;
using VppLedger.Hosting;

namespace VppLedger.Cli.Commands;

/// <summary><c>vppledger demo</c>: the article's situations on the embedded default (a throwaway PostgreSQL) or the configured server.</summary>
internal sealed class DemoCommand : CliCommand<DemoCommand.Settings>
{
    internal sealed class Settings : GlobalSettings
    {
        [CommandOption("-c|--connection <CONNECTION>")]
        [Description("Use this server instead of a throwaway one. Default: VPPLEDGER_CONNECTION, else the PG* variables when PGHOST is set, else a throwaway local PostgreSQL.")]
        public string? Connection { get; init; }

        [CommandOption("--schema <SCHEMA>")]
        [Description("The PostgreSQL schema of the ledger's tables.")]
        [DefaultValue("vppledger")]
        public string Schema { get; init; } = "vppledger";

        [CommandOption("-t|--tenant <TENANT>")]
        [Description("The demo tenant's id. Default: contoso on a throwaway server, a new demo-... id on a configured one.")]
        public string? Tenant { get; init; }
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var console = host.Console;
        console.Write(new Rule("[bold]vppledger demo[/]: Apple volume-purchase licenses, the article's situations").LeftJustified());

        var options = new EmbeddedPostgresOptions
        {
            Environment = name => name == EmbeddedPostgres.ConnectionVariable && !string.IsNullOrWhiteSpace(settings.Connection)
                ? settings.Connection
                : host.Environment(name),
        };
        if (EmbeddedPostgres.ConfiguredConnection(options.Environment) is null)
        {
            console.MarkupLine("No database configured ([grey]--connection, VPPLEDGER_CONNECTION or PG*[/]): starting a throwaway local PostgreSQL from this machine's binaries...");
        }

        await using var server = await EmbeddedPostgres.StartAsync(options, cancellationToken).ConfigureAwait(false);
        console.MarkupLine($"Using {Markup.Escape(server.Description)} [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");

        var tenantId = settings.Tenant ?? (server.IsThrowaway ? "contoso" : "demo-" + Guid.NewGuid().ToString("N")[..8]);
        var clock = new StoryClock(host.Clock.GetCurrentInstant() - Duration.FromDays(10));
        await using var ledger = LicenseLedger.Create(server.ConnectionString, o => o.SchemaName = settings.Schema, clock);
        await ledger.ApplySchemaAsync(cancellationToken).ConfigureAwait(false);
        console.MarkupLine($"Schema [bold]{Markup.Escape(settings.Schema)}[/] ready; tenant [bold]{Markup.Escape(tenantId)}[/] [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");

        ITenantLedger tenant;
        try
        {
            tenant = ledger.ForTenant(new TenantId(tenantId));
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--tenant '{tenantId}' is not a tenant id: use 1 to 64 letters, digits, '.', '_' or '-'.", e);
        }

        if (await tenant.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new CliException(ExitCodes.Usage, $"Tenant '{tenantId}' already has data in this database and the demo needs a new one: pass another --tenant, or leave it out for a new demo-... tenant.");
        }

        var story = new DemoStory(host, tenant, clock, cancellationToken);
        await story.PlayAsync().ConfigureAwait(false);

        console.WriteLine();
        console.MarkupLine($"[green]Demo finished[/] in {watch.Elapsed.TotalSeconds:0.0} s ({Format.Count(story.CommandCount)} commands, {Format.Count(story.EventCount)} events).{(server.IsThrowaway ? " The throwaway PostgreSQL is removed now." : "")}");
        return ExitCodes.Ok;
    }
}
