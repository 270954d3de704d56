using System.Diagnostics;
using Marten;
using Npgsql;
using VppLedger.Tokens;
using Weasel.Postgresql;
using static Weasel.Postgresql.SchemaUtils;
using Weasel.Postgresql.Tables;

namespace VppLedger.Storage;

/// <summary>A claim a command took on a location (rule T4): the tenant, the location and the ticket its transaction carries.</summary>
internal sealed record ClaimTicket(string Tenant, LocationKey Location, string Ticket);

/// <summary>
/// Rule T4 across databases: one location, one tenant, whatever database each tenant lives in. The claims live in the
/// control database (<c>vpp_location_claim</c>, one row per location: the key is the guard); a command that changes who
/// holds a location takes the claim first (state changing, with a fresh ticket), writes its events in its tenant's
/// database together with the ticket (<c>vpp_claim_ticket</c>), then settles the claim. Settling fences the ticket
/// (inserts it as abandoned unless it committed; from then on the command can never commit) and reads the tenant's live
/// tokens of the location: held by the first of them, or removed. A claim left changing by a crash is settled the same
/// way by the same command retried, or by the next command that wants the location. docs/scale-out.md says which
/// failure leaves what and how it heals. Every path that claims or releases a location goes through here: upload,
/// migration, deletion, import (the rebuild writes no claim: it leaves them as they are).
/// </summary>
internal sealed class LocationGuard(DocumentStore store, VppLedgerOptions options, Func<NpgsqlConnection> openControl)
{
    public const string ClaimTableName = "vpp_location_claim";
    public const string TicketTableName = "vpp_claim_ticket";

    /// <summary>Most times one claimant settles claims of others in a row before it gives up (each settle means another command crashed or was fenced).</summary>
    private const int MaxSettles = 50;

    /// <summary>The guard of a store: its claims in the store's default database, the control database (the one the ledger is created with).</summary>
    public static LocationGuard For(DocumentStore store, VppLedgerOptions options) =>
        new(store, options, () => store.Options.Tenancy.Default.Database.CreateConnection());

    private string Claims => $"{SchemaNames.Quote(options.SchemaName)}.{ClaimTableName}";

    private string Tickets => $"{SchemaNames.Quote(options.SchemaName)}.{TicketTableName}";

    /// <summary>The claim table (used in the control database) and the ticket table (in every tenant database), created by the schema step.</summary>
    public static void Register(StoreOptions options)
    {
        var schema = options.DatabaseSchemaName;
        var claims = new Table(new PostgresqlObjectName(schema, ClaimTableName, IdentifierUsage.General));
        claims.AddColumn<string>("location").NotNull().AsPrimaryKey();
        claims.AddColumn<string>("tenant_id").NotNull();
        claims.AddColumn("token_id", "varchar");
        claims.AddColumn<string>("state").NotNull();
        claims.AddColumn("ticket", "varchar");
        claims.AddColumn("command_id", "varchar");
        claims.AddColumn<long>("version").NotNull();
        claims.AddColumn("changed_at", "timestamptz").NotNull();
        claims.Indexes.Add(new IndexDefinition($"ix_{ClaimTableName}_command") { Columns = ["tenant_id", "command_id"] });
        options.Storage.ExtendedSchemaObjects.Add(claims);

        var tickets = new Table(new PostgresqlObjectName(schema, TicketTableName, IdentifierUsage.General));
        tickets.AddColumn<string>("ticket").NotNull().AsPrimaryKey();
        tickets.AddColumn<string>("tenant_id").NotNull();
        tickets.AddColumn<string>("location").NotNull();
        tickets.AddColumn<string>("outcome").NotNull();
        tickets.AddColumn("at", "timestamptz").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(tickets);
    }

    /// <summary>Test hook: called at "claimed" (claim taken, events not committed) and "committed" (events committed, claim not settled); a throw is a crash there.</summary>
    internal Action<string>? Fault => options.LocationGuardFault;

    /// <summary>
    /// Takes the location's claim for the command and enlists its ticket in <paramref name="session"/>'s transaction.
    /// Returns null when another tenant holds the location (rule T4). Waits (a bounded time) for another command's
    /// change of the same location to settle, then settles it itself.
    /// </summary>
    public async Task<ClaimTicket?> AcquireAsync(IDocumentSession session, string tenant, LocationKey location, string commandId, CancellationToken cancellationToken)
    {
        string? watched = null;
        var waiting = Stopwatch.StartNew();
        for (var settles = 0; ;)
        {
            var (seen, ticket) = await ReadAsync(location, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(ticket, watched, StringComparison.Ordinal))
            {
                (watched, waiting) = (ticket, Stopwatch.StartNew());
            }

            switch (LocationGuardRules.Next(seen, tenant, commandId, waiting.Elapsed, options.PendingClaimPatience))
            {
                case LocationClaimStep.HeldByAnotherTenant:
                    return null;
                case LocationClaimStep.Insert:
                case LocationClaimStep.TakeOver:
                    var fresh = new ClaimTicket(tenant, location, Guid.NewGuid().ToString("N"));
                    if (await TryTakeAsync(fresh, commandId, seen?.Version, cancellationToken).ConfigureAwait(false))
                    {
                        session.QueueSqlCommand(
                            $"insert into {Tickets} (ticket, tenant_id, location, outcome, at) values (?, ?, ?, 'committed', now())",
                            fresh.Ticket, tenant, location.Value);
                        return fresh;
                    }

                    break;
                case LocationClaimStep.Settle:
                    if (++settles > MaxSettles)
                    {
                        throw new InvalidOperationException($"The claim of a location kept changing while a command waited for it ({MaxSettles} settles); this is a bug or a storm of crashing commands.");
                    }

                    await SettleAsync(new ClaimTicket(seen!.Tenant, location, ticket!), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25)), cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>True when another tenant holds or is changing the location's claim: what a preview, which writes nothing, reports (rule T4).</summary>
    public async Task<bool> ClaimedElsewhereAsync(string tenant, LocationKey location, CancellationToken cancellationToken)
    {
        var (seen, _) = await ReadAsync(location, cancellationToken).ConfigureAwait(false);
        return seen is not null && !string.Equals(seen.Tenant, tenant, StringComparison.Ordinal);
    }

    /// <summary>
    /// Settles a changing claim from what committed: fences the ticket in the tenant's database (no command can commit
    /// it afterwards), reads the tenant's live tokens of the location, and makes the claim held by the first of them or
    /// removes it, if the claim still carries that ticket. Safe at any time, any number of times, from anywhere.
    /// </summary>
    public async Task SettleAsync(ClaimTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        await using (var fence = store.LightweightSession(ticket.Tenant))
        {
            fence.QueueSqlCommand(
                $"insert into {Tickets} (ticket, tenant_id, location, outcome, at) values (?, ?, ?, 'abandoned', now()) on conflict (ticket) do nothing",
                ticket.Ticket, ticket.Tenant, ticket.Location.Value);
            await fence.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        TokenId? holder;
        await using (var read = store.QuerySession(ticket.Tenant))
        {
            var key = ticket.Location.Value;
            var ids = await read.Query<TokenDoc>().Where(t => t.Location == key && !t.Deleted).Select(t => t.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            holder = LocationGuardRules.HolderAfterSettle(ids.Select(id => new TokenId(id["token:".Length..])));
        }

        await using var connection = await OpenControlAsync(cancellationToken).ConfigureAwait(false);
        await using var settle = holder is { } h
            ? new NpgsqlCommand(
                $"update {Claims} set state = 'held', token_id = @token, ticket = null, command_id = null, version = version + 1, changed_at = now() where location = @location and ticket = @ticket",
                connection) { Parameters = { new("token", h.Value) } }
            : new NpgsqlCommand($"delete from {Claims} where location = @location and ticket = @ticket", connection);
        settle.Parameters.AddWithValue("location", ticket.Location.Value);
        settle.Parameters.AddWithValue("ticket", ticket.Ticket);
        await settle.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        // A committed ticket has done its work (its command cannot commit twice). An abandoned one stays: it is what
        // keeps a command still in flight from committing later.
        await using var forget = store.LightweightSession(ticket.Tenant);
        forget.QueueSqlCommand($"delete from {Tickets} where ticket = ? and outcome = 'committed'", ticket.Ticket);
        await forget.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Settles every claim this command of the tenant left changing (a retry after a crash between its commit and its settle).</summary>
    public async Task SettleCommandAsync(string tenant, string commandId, CancellationToken cancellationToken)
    {
        var left = new List<ClaimTicket>();
        await using (var connection = await OpenControlAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var select = new NpgsqlCommand($"select location, ticket from {Claims} where tenant_id = @tenant and command_id = @command and state = 'changing'", connection);
            select.Parameters.AddWithValue("tenant", tenant);
            select.Parameters.AddWithValue("command", commandId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                left.Add(new ClaimTicket(tenant, new LocationKey(reader.GetString(0)), reader.GetString(1)));
            }
        }

        foreach (var ticket in left)
        {
            await SettleAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The commands of a tenant that left a claim changing.</summary>
    public async Task<IReadOnlyList<string>> ChangingCommandsOfAsync(string tenant, CancellationToken cancellationToken)
    {
        var commands = new List<string>();
        await using var connection = await OpenControlAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand($"select distinct command_id from {Claims} where tenant_id = @tenant and state = 'changing' and command_id is not null", connection);
        select.Parameters.AddWithValue("tenant", tenant);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            commands.Add(reader.GetString(0));
        }

        return commands;
    }

    /// <summary>Settles each ticket, in order; the first fault is thrown after all were tried (a claim left changing heals later).</summary>
    public async Task SettleAllAsync(IReadOnlyList<ClaimTicket> tickets, CancellationToken cancellationToken)
    {
        Exception? first = null;
        foreach (var ticket in tickets)
        {
            try
            {
                await SettleAsync(ticket, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                first ??= e;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    /// <summary>Claims of an earlier version (a Marten document under a unique index) become rows of the claim table; run by the schema step.</summary>
    public async Task CarryOverLegacyClaimsAsync(CancellationToken cancellationToken)
    {
        var schema = SchemaNames.Quote(options.SchemaName);
        await using var connection = await OpenControlAsync(cancellationToken).ConfigureAwait(false);
        await using var copy = new NpgsqlCommand(
            $"do $$ begin if to_regclass('{schema}.mt_doc_locationclaimdoc') is not null then "
            + $"insert into {Claims} (location, tenant_id, token_id, state, version, changed_at) "
            + $"select id, tenant_id, data->>'Token', 'held', 1, now() from {schema}.mt_doc_locationclaimdoc on conflict (location) do nothing; end if; end $$",
            connection);
        await copy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(LocationClaimSeen? Seen, string? Ticket)> ReadAsync(LocationKey location, CancellationToken cancellationToken)
    {
        await using var connection = await OpenControlAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand($"select tenant_id, state, command_id, version, ticket from {Claims} where location = @location", connection);
        select.Parameters.AddWithValue("location", location.Value);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return (null, null);
        }

        var state = reader.GetString(1) == "held" ? LocationClaimState.Held : LocationClaimState.Changing;
        return (new LocationClaimSeen(reader.GetString(0), state, reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3)), reader.IsDBNull(4) ? null : reader.GetString(4));
    }

    // Insert when there was no claim, or turn the tenant's held claim into a changing one at the version read.
    private async Task<bool> TryTakeAsync(ClaimTicket ticket, string commandId, long? versionRead, CancellationToken cancellationToken)
    {
        await using var connection = await OpenControlAsync(cancellationToken).ConfigureAwait(false);
        await using var take = versionRead is { } version
            ? new NpgsqlCommand(
                $"update {Claims} set state = 'changing', ticket = @ticket, command_id = @command, version = version + 1, changed_at = now() "
                + "where location = @location and tenant_id = @tenant and state = 'held' and version = @version",
                connection) { Parameters = { new("version", version) } }
            : new NpgsqlCommand(
                $"insert into {Claims} (location, tenant_id, token_id, state, ticket, command_id, version, changed_at) "
                + "values (@location, @tenant, null, 'changing', @ticket, @command, 1, now()) on conflict (location) do nothing",
                connection);
        take.Parameters.AddWithValue("location", ticket.Location.Value);
        take.Parameters.AddWithValue("tenant", ticket.Tenant);
        take.Parameters.AddWithValue("ticket", ticket.Ticket);
        take.Parameters.AddWithValue("command", commandId);
        return await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private volatile bool _controlReady;

    private async Task<NpgsqlConnection> OpenControlAsync(CancellationToken cancellationToken)
    {
        var connection = openControl();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_controlReady && options.Schema != SchemaCreation.None)
            {
                // A host that lets the ledger create its tables as it goes (no schema step): the claim table too.
                await store.Options.Tenancy.Default.Database.EnsureStorageExistsAsync(typeof(TokenDoc), cancellationToken).ConfigureAwait(false);
                await using var create = new NpgsqlCommand(
                    $"create schema if not exists {SchemaNames.Quote(options.SchemaName)}; create table if not exists {Claims} (location varchar primary key, tenant_id varchar not null, "
                    + "token_id varchar, state varchar not null, ticket varchar, command_id varchar, version bigint not null, changed_at timestamptz not null)",
                    connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _controlReady = true;
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>
/// The location claims one transaction takes (an import page): each location once, its ticket enlisted in the
/// transaction, all settled when the transaction is over, committed or not (settling reads what committed).
/// </summary>
internal sealed class PageClaims(LocationGuard guard, IDocumentSession session, string tenant, string commandId)
{
    private readonly Dictionary<LocationKey, ClaimTicket?> _taken = [];

    /// <summary>The id the claims carry; the transaction's correlation id.</summary>
    public string CommandId => commandId;

    /// <summary>Takes the location's claim, once per location: false when another tenant holds it (rule T4).</summary>
    public async Task<bool> TakeAsync(LocationKey location, CancellationToken cancellationToken)
    {
        if (!_taken.TryGetValue(location, out var ticket))
        {
            ticket = await guard.AcquireAsync(session, tenant, location, commandId, cancellationToken).ConfigureAwait(false);
            _taken[location] = ticket;
        }

        return ticket is not null;
    }

    /// <summary>
    /// Settles every claim taken. A fault here leaves a claim changing, which the next command that wants the location
    /// settles (the transaction's own outcome stands either way).
    /// </summary>
    public async Task SettleAsync()
    {
        try
        {
            await guard.SettleAllAsync([.. _taken.Values.OfType<ClaimTicket>()], CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (InfrastructureFaults.IsFault(e, CancellationToken.None))
        {
            // Left changing: healed by the next claimant (docs/scale-out.md).
        }
    }
}
