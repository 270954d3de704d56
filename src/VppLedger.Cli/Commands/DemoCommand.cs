using System.ComponentModel;
using System.Diagnostics;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using Microsoft.Extensions.Options;
using VppLedger.Apple;
using VppLedger.Apple.Fake;
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

        [CommandOption("--with-apple")]
        [Description("After the article's situations, start a fake Apple (Apps and Books API v2) on a loopback port the OS chooses and run the Apple worker against it: seats requested, confirmed, and a failed association with its explanation.")]
        public bool WithApple { get; init; }

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
        if (settings.WithApple)
        {
            await PlayAppleAsync(host, ledger, story, watch, cancellationToken).ConfigureAwait(false);
        }

        console.WriteLine();
        status.MarkupLine($"[green]Demo finished[/] in {watch.Elapsed.TotalSeconds:0.0} s ({Format.Count(story.CommandCount)} commands, {Format.Count(story.EventCount)} events).{(isThrowaway ? " The throwaway PostgreSQL is removed now." : "")}");
        return ExitCodes.Ok;
    }

    /// <summary>The fake Apple on loopback, the Apple client and the worker on a virtual clock (Apple's pacing is simulated:
    /// the demo never sleeps), serving the demo's main token.</summary>
    private static async Task PlayAppleAsync(CliHost host, ILicenseLedger ledger, DemoStory story, Stopwatch watch, CancellationToken cancellationToken)
    {
        var clock = new VirtualAppleClock();
        await using var apple = await FakeApple.StartAsync(() => clock.UtcNow).ConfigureAwait(false);
        host.Status.MarkupLine($"Fake Apple listening on [bold]{Markup.Escape(apple.BaseAddress.ToString())}[/] [grey]({watch.Elapsed.TotalSeconds:0.0} s)[/]");
        using var http = new HttpClient();
        var clientOptions = new AppleClientOptions { BaseAddress = apple.BaseAddress };
        var client = new AppleAppsAndBooksClient(http, Options.Create(clientOptions), new AppleTokenRateLimiter(clientOptions.MaxRequestsPerSecondPerToken, clock), clock);
        var workerOptions = new AppleWorkerOptions { Actor = new Actor("apple-worker", Permissions.ManagedApps) };
        workerOptions.Tokens.Add(new AppleWorkerToken(story.Tenant, DemoStory.MainToken));
        using var worker = new AppleOutboxWorker(ledger, client, Options.Create(workerOptions), clock);
        await story.PlayAppleAsync(apple, worker).ConfigureAwait(false);
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
