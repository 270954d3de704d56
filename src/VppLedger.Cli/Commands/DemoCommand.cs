using System.ComponentModel;
using System.Diagnostics;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Demo;
using VppLedger.Cli.Infrastructure;
using VppLedger.Testing;

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

        public override ValidationResult Validate() => SchemaOption.Validate(Schema);
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var console = host.Console;
        var status = host.Status;
        var connection = Database.Configured(settings.Connection, host);
        console.Write(new Rule("[bold]vppledger demo[/]: Apple volume-purchase licenses, the article's situations").LeftJustified());
        await using var throwaway = connection is null ? await StartThrowawayAsync(host, cancellationToken).ConfigureAwait(false) : null;
        var isThrowaway = throwaway is not null;
        connection ??= throwaway!.ConnectionString;
        status.MarkupLine($"Using {Markup.Escape(throwaway?.Description ?? Describe(connection))} [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");

        var tenantId = settings.Tenant ?? (isThrowaway ? "contoso" : "demo-" + Guid.NewGuid().ToString("N")[..8]);
        var clock = new StoryClock(host.Clock.GetCurrentInstant() - Duration.FromDays(10));
        await using var ledger = LicenseLedger.Create(connection, o => o.SchemaName = settings.Schema, clock);
        await ledger.ApplySchemaAsync(cancellationToken).ConfigureAwait(false);
        status.MarkupLine($"Schema [bold]{Markup.Escape(settings.Schema)}[/] ready; tenant [bold]{Markup.Escape(tenantId)}[/] [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");

        var tenant = await Database.TenantAsync(ledger, tenantId, cancellationToken, mustExist: false).ConfigureAwait(false);
        if (await tenant.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new CliException(ExitCodes.Usage, $"Tenant '{tenantId}' already has data in this database and the demo needs a new one: pass another --tenant, or leave it out for a new demo-... tenant.");
        }

        var story = new DemoStory(host, tenant, clock, cancellationToken);
        await story.PlayAsync().ConfigureAwait(false);

        console.WriteLine();
        status.MarkupLine($"[green]Demo finished[/] in {watch.Elapsed.TotalSeconds:0.0} s ({Format.Count(story.CommandCount)} commands, {Format.Count(story.EventCount)} events).{(isThrowaway ? " The throwaway PostgreSQL is removed now." : "")}");
        return ExitCodes.Ok;
    }

    private static string Describe(string connection)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connection);
        return $"PostgreSQL at {builder.Host}:{builder.Port}";
    }

    private static async Task<DemoServer?> StartThrowawayAsync(CliHost host, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new CliException(ExitCodes.NoDatabase, $"No database is configured and the throwaway PostgreSQL of the demo needs Linux: {Database.HowToConfigure}.");
        }

        host.Status.MarkupLine("No database configured ([grey]--connection, VPPLEDGER_CONNECTION or PG*[/]): starting a throwaway local PostgreSQL from this machine's binaries...");
        var server = await EmbeddedPostgres.StartThrowawayAsync(new EmbeddedPostgresOptions(), cancellationToken).ConfigureAwait(false);
        return new DemoServer(server.ConnectionString, server.Description, server);
    }

    /// <summary>The demo's throwaway PostgreSQL, stopped and removed on dispose.</summary>
    private sealed record DemoServer(string ConnectionString, string Description, IAsyncDisposable Server) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
