using System.ComponentModel;
using System.Globalization;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Infrastructure;
using VppLedger.Insights;

namespace VppLedger.Cli.Commands;

/// <summary><c>vppledger forecast --tenant ID</c>: the run-out forecast of every live pool (S1, A6, S4; the method in docs/forecast.md).</summary>
internal sealed class ForecastCommand : CliCommand<ForecastCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("--window-days <DAYS>")]
        [Description("The trailing window the rate is measured over, in days.")]
        [DefaultValue(30)]
        public int WindowDays { get; init; } = 30;

        public override ValidationResult Validate() =>
            WindowDays < 1 ? ValidationResult.Error("--window-days must be 1 or more.") : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        var forecasts = await tenant.ForecastAsync(Duration.FromDays(settings.WindowDays), cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Format.WriteJson(host, new
            {
                tenant = tenant.Tenant.Value,
                windowDays = settings.WindowDays,
                pools = forecasts.Select(Json),
            });
            return ExitCodes.Ok;
        }

        host.Console.Write(Table(forecasts, $"Run-out forecast of {tenant.Tenant.Value} over {settings.WindowDays} days"));
        return ExitCodes.Ok;
    }

    internal static Table Table(IReadOnlyList<PoolForecast> forecasts, string title)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]")
            .AddColumn("Token").AddColumn("App");
        foreach (var column in new[] { "Free", "Queued", "Granted", "Reclaimed", "Net/day" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        table.AddColumn("Runs out").AddColumn(new TableColumn("To buy").RightAligned());
        foreach (var f in forecasts)
        {
            table.AddRow(
                Markup.Escape(f.Pool.Token.Value),
                Markup.Escape(f.Pool.AdamId.Value),
                Format.Count(f.AvailableCount),
                Format.Count(f.QueuedCount),
                Format.Count(f.GrantedCount),
                Format.Count(f.ReclaimedCount),
                f.NetPerDay.ToString("0.##", CultureInfo.InvariantCulture),
                f.RunsOutAt is { } at ? Format.When(at) : "never at this rate",
                f.ToBuyCount > 0 ? $"[yellow]{Format.Count(f.ToBuyCount)}[/]" : "0");
        }

        return table;
    }

    private static object Json(PoolForecast f) => new
    {
        token = f.Pool.Token.Value,
        adamId = f.Pool.AdamId.Value,
        available = f.AvailableCount,
        queued = f.QueuedCount,
        granted = f.GrantedCount,
        reclaimed = f.ReclaimedCount,
        netPerDay = f.NetPerDay,
        runsOutAt = Format.Iso(f.RunsOutAt),
        toBuy = f.ToBuyCount,
    };
}
