using Spectre.Console;
using VppLedger.Cli.Infrastructure;
using VppLedger.Reading;

namespace VppLedger.Cli.Commands;

/// <summary><c>vppledger report --tenant ID</c>: pools (S1, A6, S4, S2, T10) and tokens (T2, T3, T4, T10) of one tenant.</summary>
internal sealed class ReportCommand : CliCommand<TenantSettings>
{
    protected override async Task<int> RunAsync(CliHost host, TenantSettings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
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
        host.Console.Write(Tables.Tokens(tokens));
        return ExitCodes.Ok;
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
