using System.ComponentModel;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Audit;
using VppLedger.Cli.Infrastructure;
using VppLedger.Reading;

namespace VppLedger.Cli.Commands;

/// <summary>
/// <c>vppledger report --tenant ID</c>: pools (S1, A6, S4, S2, T10) and tokens (T2, T3, T4, T10) of one tenant, a bar
/// per pool; with <c>--chart FILE.svg</c> (or <c>.png</c>) and <c>--pool</c> or <c>--token</c>, used, total and queued over time from
/// history (I5, docs/charts.md).
/// </summary>
internal sealed class ReportCommand : CliCommand<ReportCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("--chart <FILE>")]
        [Description("Draw used, total and queued over time for --pool or --token into this file: FILE.svg or FILE.png.")]
        public string? Chart { get; init; }

        [CommandOption("--pool <TOKEN:ADAMID>")]
        [Description("The pool the chart draws, for example tok-main:361309726.")]
        public string? Pool { get; init; }

        [CommandOption("--token <TOKEN>")]
        [Description("The token the chart draws: the sum of its pools.")]
        public string? Token { get; init; }

        [CommandOption("--points <COUNT>")]
        [Description("At most this many instants of the history to sample (each a position as of that instant).")]
        [DefaultValue(200)]
        public int Points { get; init; } = 200;

        public override ValidationResult Validate() =>
            Chart is null && (Pool is not null || Token is not null) ? ValidationResult.Error("--pool and --token choose what --chart draws: add --chart FILE.svg.")
            : Chart is not null && (Pool is null) == (Token is null) ? ValidationResult.Error("--chart needs one of --pool TOKEN:ADAMID or --token TOKEN.")
            : Chart is not null && !IsSvg(Chart) && !IsPng(Chart) ? ValidationResult.Error("--chart writes SVG or PNG: name a file ending in .svg or .png.")
            : Points < 2 ? ValidationResult.Error("--points must be 2 or more.")
            : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        if (settings.Chart is { } file)
        {
            var pool = settings.Pool is { } p ? Parse.Pool(p) : (PoolId?)null;
            var token = pool?.Token ?? Parse.Token(settings.Token!);
            var title = pool is { } one ? $"Pool {one.Token.Value}:{one.AdamId.Value} of {tenant.Tenant.Value}" : $"Token {token.Value} of {tenant.Tenant.Value}";
            var points = await ChartPointsAsync(tenant.Audit, token, pool, host.Clock.GetCurrentInstant(), settings.Points, cancellationToken).ConfigureAwait(false);
            if (points.Count == 0)
            {
                throw new CliException(ExitCodes.Usage, $"{(pool is null ? $"Token '{token.Value}'" : $"Pool '{settings.Pool}'")} has no history in tenant '{tenant.Tenant.Value}': nothing to draw; see vppledger report for its pools.");
            }

            var path = Path.GetFullPath(file);
            if (IsPng(path))
            {
                await File.WriteAllBytesAsync(path, PngChart.Render(title, points), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await File.WriteAllTextAsync(path, SvgChart.Render(title, points), cancellationToken).ConfigureAwait(false);
            }

            if (settings.Json)
            {
                Format.WriteJson(host, new { chart = path, points = points.Count, last = new { used = points[^1].Used, total = points[^1].Total, queued = points[^1].Queued } });
            }
            else
            {
                host.Console.MarkupLine($"Wrote a chart of {points.Count} point(s) to {Markup.Escape(path)}");
            }

            return ExitCodes.Ok;
        }

        var pools = await tenant.ListPoolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var tokens = await tenant.ListTokensAsync(cancellationToken).ConfigureAwait(false);

        if (settings.Json)
        {
            Format.WriteJson(host, new
            {
                tenant = tenant.Tenant.Value,
                pools = pools.Select(PoolJson),
                tokens = tokens.Select(TokenJson),
            });
            return ExitCodes.Ok;
        }

        host.Console.Write(new Rule($"[bold]Tenant {Markup.Escape(tenant.Tenant.Value)}[/]").LeftJustified());
        host.Console.Write(Tables.Pools(pools));
        foreach (var line in Bars(pools))
        {
            host.Console.MarkupLine(line);
        }

        host.Console.Write(Tables.Tokens(tokens));
        return ExitCodes.Ok;
    }

    private static bool IsSvg(string file) => file.EndsWith(".svg", StringComparison.OrdinalIgnoreCase);

    private static bool IsPng(string file) => file.EndsWith(".png", StringComparison.OrdinalIgnoreCase);

    /// <summary>A bar per pool: used of total as filled cells, then the queue (A6) after the bar.</summary>
    internal static IEnumerable<string> Bars(IReadOnlyList<PoolSummary> pools, int width = 30)
    {
        var name = pools.Select(p => $"{p.Pool.Token.Value}:{p.Pool.AdamId.Value}").DefaultIfEmpty("").Max(n => n.Length);
        foreach (var p in pools)
        {
            var filled = p.TotalCount == 0 ? 0 : (int)Math.Round(Math.Min(p.UsedCount, p.TotalCount) * (double)width / p.TotalCount);
            var queue = p.QueuedCount > 0 ? $", [yellow]{Format.Count(p.QueuedCount)} queued[/]" : "";
            yield return $"{Markup.Escape($"{p.Pool.Token.Value}:{p.Pool.AdamId.Value}".PadRight(name))} [green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {Format.Count(p.UsedCount)}/{Format.Count(p.TotalCount)} used{queue}";
        }
    }

    /// <summary>
    /// The counts at each distinct business instant the pool's (or token's) history changed, sampled evenly to at
    /// most <paramref name="max"/> instants (the first and now kept), each a position as of that instant (I5).
    /// </summary>
    internal static async Task<IReadOnlyList<ChartPoint>> ChartPointsAsync(ITenantAudit audit, TokenId token, PoolId? pool, Instant now, int max, CancellationToken cancellationToken)
    {
        var instants = new SortedSet<Instant>();
        var query = new AuditQuery { Token = token, App = pool?.AdamId, To = now };
        await foreach (var row in audit.HistoryAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (row.AdamId is not null)
            {
                instants.Add(row.OccurredAt);
            }
        }

        if (instants.Count == 0)
        {
            return [];
        }

        instants.Add(now);
        var all = instants.ToList();
        var chosen = all.Count <= max ? all : Enumerable.Range(0, max).Select(i => all[(int)Math.Round(i * (all.Count - 1) / (double)(max - 1))]).Distinct().ToList();
        var points = new List<ChartPoint>(chosen.Count);
        foreach (var at in chosen)
        {
            // The audit table keeps business time to the microsecond (timestamptz) and the events keep ticks: read as
            // of the end of the row's microsecond, so that the position includes the events of that instant.
            var asOf = at.PlusTicks(9);
            if (pool is { } one)
            {
                var position = await audit.PoolAsOfAsync(one, asOf, cancellationToken).ConfigureAwait(false);
                if (position is not null)
                {
                    points.Add(new ChartPoint(at, position.Summary.UsedCount, position.Summary.TotalCount, position.Summary.QueuedCount));
                }
            }
            else
            {
                var position = await audit.TenantAsOfAsync(asOf, cancellationToken).ConfigureAwait(false);
                var pools = position.Pools.Where(p => p.Pool.Token == token).ToList();
                points.Add(new ChartPoint(at, pools.Sum(p => p.UsedCount), pools.Sum(p => p.TotalCount), pools.Sum(p => p.QueuedCount)));
            }
        }

        return points;
    }

    internal static object PoolJson(PoolSummary p) => new
    {
        token = p.Pool.Token.Value,
        adamId = p.Pool.AdamId.Value,
        product = p.Product,
        total = p.TotalCount,
        used = p.UsedCount,
        userLicenses = p.UserLicenseCount,
        deviceLicenses = p.DeviceLicenseCount,
        available = p.AvailableCount,
        queued = p.QueuedCount,
        overAllocated = p.OverAllocated,
        appleAssigned = p.AppleAssignedCount,
        drift = p.DriftCount,
        orphaned = p.Orphaned,
    };

    internal static object TokenJson(TokenSummary t) => new
    {
        token = t.Token.Value,
        name = t.Name,
        organization = t.Organization,
        state = t.Status,
        expiresAt = Format.Iso(t.ExpiresAt),
        fingerprint = t.Fingerprint,
        country = t.CountryCode,
        lastSyncAt = Format.Iso(t.LastSyncAt),
        lastSyncSucceeded = t.LastSyncSucceeded,
        duplicateOf = t.DuplicateOf?.Value,
    };
}
