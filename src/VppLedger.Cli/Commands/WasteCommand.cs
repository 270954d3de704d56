using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Infrastructure;
using VppLedger.Insights;

namespace VppLedger.Cli.Commands;

/// <summary><c>vppledger waste --tenant ID</c>: idle and wasted licenses per pool and kind (docs/waste.md), as a table, JSON or CSV.</summary>
internal sealed class WasteCommand : CliCommand<WasteCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("--idle-days <DAYS>")]
        [Description("Free licenses of a pool with no grant for this many days are idle.")]
        [DefaultValue(30)]
        public int IdleDays { get; init; } = 30;

        [CommandOption("--unconfirmed-days <DAYS>")]
        [Description("Seats Apple has not confirmed this many days after their grant are wasted (under tokens Apple answers for).")]
        [DefaultValue(7)]
        public int UnconfirmedDays { get; init; } = 7;

        [CommandOption("--price <TOKEN:ADAMID=PRICE>")]
        [Description("Unit price of a pool's license, to count money (repeat per pool), for example --price tok-main:361309726=4.99.")]
        public string[] Prices { get; init; } = [];

        [CommandOption("--csv")]
        [Description("Write CSV (token,adam_id,kind,seats,rule,cost) to standard output instead of a table.")]
        public bool Csv { get; init; }

        public override ValidationResult Validate() =>
            IdleDays < 0 ? ValidationResult.Error("--idle-days must be 0 or more.")
            : UnconfirmedDays < 0 ? ValidationResult.Error("--unconfirmed-days must be 0 or more.")
            : Json && Csv ? ValidationResult.Error("Choose --json or --csv, not both.")
            : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var prices = new Dictionary<PoolId, decimal>();
        foreach (var text in settings.Prices)
        {
            var (pool, price) = ParsePrice(text);
            prices[pool] = price;
        }

        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        var report = await tenant.GetWasteReportAsync(new WasteOptions { IdleDays = settings.IdleDays, UnconfirmedDays = settings.UnconfirmedDays, UnitPrices = prices.Count == 0 ? null : prices }, cancellationToken).ConfigureAwait(false);

        if (settings.Json)
        {
            Format.WriteJson(host, new
            {
                tenant = tenant.Tenant.Value,
                at = Format.Iso(report.At),
                idleDays = report.IdleDays,
                totalSeats = report.TotalSeatCount,
                totalCost = report.TotalCost,
                lines = report.Lines.Select(l => new { token = l.Pool.Token.Value, adamId = l.Pool.AdamId.Value, kind = l.Kind, seats = l.SeatCount, rule = l.Rule, cost = l.Cost }),
            });
        }
        else if (settings.Csv)
        {
            host.Output.WriteLine("token,adam_id,kind,seats,rule,cost");
            foreach (var l in report.Lines)
            {
                host.Output.WriteLine(string.Join(',', Csv(l.Pool.Token.Value), Csv(l.Pool.AdamId.Value), l.Kind, l.SeatCount.ToString(CultureInfo.InvariantCulture), l.Rule, l.Cost?.ToString(CultureInfo.InvariantCulture) ?? ""));
            }

            host.Output.Flush();
        }
        else
        {
            Print(host.Console, tenant.Tenant.Value, report);
        }

        return ExitCodes.Ok;
    }

    internal static void Print(IAnsiConsole console, string tenant, WasteReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Idle and wasted licenses of {Markup.Escape(tenant)}[/]")
            .AddColumn("Token").AddColumn("App").AddColumn("Kind").AddColumn(new TableColumn("Licenses").RightAligned()).AddColumn("Rule").AddColumn(new TableColumn("Cost").RightAligned());
        foreach (var l in report.Lines)
        {
            table.AddRow(Markup.Escape(l.Pool.Token.Value), Markup.Escape(l.Pool.AdamId.Value), l.Kind.ToString(), Format.Count(l.SeatCount), l.Rule, l.Cost?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-");
        }

        console.Write(table);
        var cost = report.TotalCost is { } total ? $", cost {total.ToString("0.00", CultureInfo.InvariantCulture)}" : "";
        console.MarkupLine($"{Format.Count(report.TotalSeatCount)} license(s){cost}; idle means no grant for {report.IdleDays} days.");
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static (PoolId Pool, decimal Price) ParsePrice(string text)
    {
        var equals = text.LastIndexOf('=');
        var colon = equals > 0 ? text.LastIndexOf(':', equals) : -1;
        if (colon <= 0 || !decimal.TryParse(text[(equals + 1)..], NumberStyles.Number, CultureInfo.InvariantCulture, out var price) || price < 0)
        {
            throw new CliException(ExitCodes.Usage, $"--price '{text}' is not TOKEN:ADAMID=PRICE: write for example --price tok-main:361309726=4.99.");
        }

        try
        {
            return (new PoolId(new TokenId(text[..colon]), new AdamId(text[(colon + 1)..equals])), price);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--price '{text}': {e.Message}", e);
        }
    }
}
