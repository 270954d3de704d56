using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using JasperFx;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;

namespace VppLedger.Storage;

/// <summary>What a command handler decided: a rejection, or the events it appended through the <see cref="WriteContext"/>.</summary>
internal readonly record struct Handled(Rejection? Rejection)
{
    public static Handled Done => default;

    public static implicit operator Handled(Rejection? rejection) => new(rejection);
}

/// <summary>
/// Runs one command: permission check (X1) before anything is read, idempotency lookup (I4), load, pure decide,
/// every event in one SaveChangesAsync (I3), and on a concurrency conflict a fresh decision, with bounded retries and jitter.
/// </summary>
internal sealed partial class CommandRunner(DocumentStore store, IClock clock, VppLedgerOptions options, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public DocumentStore Store { get; } = store;

    public IClock Clock { get; } = clock;

    public VppLedgerOptions Options { get; } = options;

    /// <summary>
    /// The global location guard (rule T4) over the control database: Marten's default database, the one the ledger is
    /// created with (with tenants spread over several databases, the default is the control database).
    /// </summary>
    public LocationGuard Guard { get; } = LocationGuard.For(store, options);

    /// <summary>
    /// Finds the tenant's database before a session is opened (Marten's tenancy then opens the session there from what
    /// it knows, with no blocking lookup); a tenant placed nowhere is refused before anything is read.
    /// </summary>
    private async Task PlacedAsync(string tenantId)
    {
        try
        {
            await Store.Options.Tenancy.GetTenantAsync(tenantId).ConfigureAwait(false);
        }
        catch (JasperFx.MultiTenancy.UnknownTenantIdException)
        {
            throw new TenantNotPlacedException(new TenantId(tenantId));
        }
    }

    public async Task<CommandOutcome> RunAsync(
        string tenantId,
        ILedgerCommand command,
        Permissions needed,
        Func<WriteContext, Task<Handled>> handle,
        CancellationToken cancellationToken)
    {
        var name = CommandName(command);
        using var activity = LedgerDiagnostics.Source.StartActivity("vppledger.command");
        if (activity is not null)
        {
            activity.DisplayName = $"vppledger.command {name}";
            activity.SetTag("vppledger.tenant", tenantId);
            activity.SetTag("vppledger.command", name);
        }

        var trace = new CommandTrace();
        var started = Stopwatch.GetTimestamp();
        var outcomeTag = "unavailable";
        string? code = null;
        try
        {
            var outcome = await RunPartsAsync(tenantId, command, needed, handle, trace, cancellationToken).ConfigureAwait(false);
            outcomeTag = outcome.Status switch
            {
                CommandStatus.Applied => "applied",
                CommandStatus.Unchanged => "unchanged",
                _ => "rejected",
            };
            code = outcome.Rejection?.Code;
            return outcome;
        }
        catch (OperationCanceledException)
        {
            outcomeTag = "canceled";
            throw;
        }
        finally
        {
            if (activity is not null)
            {
                activity.SetTag("vppledger.outcome", outcomeTag);
                activity.SetTag("vppledger.rejection_code", code);
                activity.SetTag("vppledger.attempts", trace.Attempts);
                activity.SetTag("vppledger.parts", trace.Parts);
                if (outcomeTag is "unavailable" or "canceled")
                {
                    activity.SetStatus(ActivityStatusCode.Error, outcomeTag);
                }
            }

            var tags = new TagList { { "vppledger.command", name }, { "vppledger.outcome", outcomeTag } };
            if (code is not null)
            {
                tags.Add("vppledger.rejection_code", code);
            }

            LedgerDiagnostics.Commands.Add(1, tags);
            LedgerDiagnostics.CommandDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    private async Task<CommandOutcome> RunPartsAsync(
        string tenantId,
        ILedgerCommand command,
        Permissions needed,
        Func<WriteContext, Task<Handled>> handle,
        CommandTrace trace,
        CancellationToken cancellationToken)
    {
        // A command written in several transactions (a very large fan-out) runs one part per transaction, each
        // with its own idempotency record, so a retry after a crash replays the parts done and resumes the rest.
        var outcome = await GuardedPartAsync(tenantId, command, needed, handle, part: 0, startCursor: null, trace, cancellationToken).ConfigureAwait(false);
        var all = outcome.Outcome;
        for (var part = 1; outcome.ResumeCursor is { } resume && all.Status != CommandStatus.Rejected; part++)
        {
            Options.AfterPartCommitted?.Invoke(part - 1);
            PartCommitted(_logger, CommandName(command), command.Id.Value, tenantId, part);
            outcome = await GuardedPartAsync(tenantId, command, needed, handle, part, resume, trace, cancellationToken).ConfigureAwait(false);
            if (outcome.Outcome.Status == CommandStatus.Rejected)
            {
                return outcome.Outcome with { Changes = all.Changes };
            }

            all = all with
            {
                Status = all.Changes.Count + outcome.Outcome.Changes.Count == 0 ? CommandStatus.Unchanged : CommandStatus.Applied,
                Changes = [.. all.Changes, .. outcome.Outcome.Changes],
                Warnings = [.. all.Warnings, .. outcome.Outcome.Warnings],
                IsReplay = all.IsReplay && outcome.Outcome.IsReplay,
            };
        }

        return all;
    }

    /// <summary>
    /// One part, with every infrastructure fault turned into <see cref="LedgerUnavailableException"/>: outcome unknown
    /// when the commit was sent (or an earlier part committed), certainly not applied otherwise.
    /// </summary>
    private async Task<(CommandOutcome Outcome, string? ResumeCursor)> GuardedPartAsync(
        string tenantId,
        ILedgerCommand command,
        Permissions needed,
        Func<WriteContext, Task<Handled>> handle,
        int part,
        string? startCursor,
        CommandTrace trace,
        CancellationToken cancellationToken)
    {
        var probe = new CommitProbe();
        trace.Parts = part + 1;
        try
        {
            return await RunPartAsync(tenantId, command, needed, handle, part, startCursor, probe, trace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (InfrastructureFaults.IsFault(e, cancellationToken))
        {
            throw InfrastructureFaults.Unavailable($"{CommandName(command)} '{command.Id}' ran", probe.CommitSent || part > 0, e);
        }
    }

    private async Task<(CommandOutcome Outcome, string? ResumeCursor)> RunPartAsync(
        string tenantId,
        ILedgerCommand command,
        Permissions needed,
        Func<WriteContext, Task<Handled>> handle,
        int part,
        string? startCursor,
        CommitProbe probe,
        CommandTrace trace,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (part == 0 && InputRules.Check(command) is { } invalid)
        {
            return (Rejected(command, invalid), null); // rule I3: bad input is refused before anything is read
        }

        var recordId = part == 0 ? command.Id.Value : $"{command.Id.Value}~{part}";
        if (!command.Actor.Has(needed))
        {
            return (Rejected(command, LedgerRejections.PermissionDenied(command.Actor, needed, CommandName(command))), null);
        }

        var payloadHash = PayloadHash(command);
        await PlacedAsync(tenantId).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            trace.Attempts++;
            await using var session = Store.LightweightSession(tenantId);
            session.CorrelationId = command.Id.Value;
            session.CausationId = command.Id.Value;
            session.LastModifiedBy = command.Actor.Name;
            probe.Watch(session);

            // One connection for the whole attempt: its reads and its commit. Each read on a connection of its own
            // would take one from the pool and reset it when returned (DISCARD ALL, which also drops the plans the
            // server cached for the ledger's functions). Reads stay READ COMMITTED: each sees what committed before it,
            // as before; the commit's version checks (ReadGuards) still decide whether they still hold.
            await session.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var context = new WriteContext(session, Clock.GetCurrentInstant(), Options, command, startCursor) { Guard = Guard };

            // The idempotency record and what the command reads first, in one round trip.
            var earlier = await context.LoadRecordAsync(recordId, part == 0 ? ReadPlan.For(command) : null, cancellationToken).ConfigureAwait(false);
            if (earlier is not null)
            {
                await SettleClaimsOfReplayAsync(tenantId, command, cancellationToken).ConfigureAwait(false);
                return (await ReplayAsync(session, command, earlier, payloadHash, cancellationToken).ConfigureAwait(false), earlier.NextCursor);
            }

            var committed = false;
            try
            {
                var handled = await handle(context).ConfigureAwait(false);
                if (handled.Rejection is not null)
                {
                    return (Rejected(command, handled.Rejection), null);
                }

                // A large operation: the page's place in the operation's own stream, in the page's transaction.
                await OperationRecords.RecordPageAsync(context, part, () => Json.ToJson(command), cancellationToken).ConfigureAwait(false);
                session.Insert(new CommandRecord(
                    recordId,
                    CommandName(command),
                    payloadHash,
                    context.Changes.Count == 0,
                    [.. context.Changes.Select(c => new StoredChange(c.Stream, c.Version, c.EventName))],
                    context.Now,
                    null,
                    [.. context.Warnings.Select(StoredWarning.From)],
                    context.ResumeCursor));
                context.QueueReadChecks();
                await context.QueueOutboxAsync(cancellationToken).ConfigureAwait(false);
                session.QueueSqlCommand(TenantGate.OpenStatement(Options.SchemaName), tenantId);
                await session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                committed = true;
                await SettleClaimsAsync(context, tenantId, command, cancellationToken).ConfigureAwait(false);
                return (new CommandOutcome(
                    command.Id,
                    context.Changes.Count == 0 ? CommandStatus.Unchanged : CommandStatus.Applied,
                    context.Changes,
                    null)
                {
                    Warnings = context.Warnings,
                }, context.ResumeCursor);
            }
            catch (Exception e) when (TenantGate.IsClosed(e))
            {
                // The tenant is moving (or moved) away from this database: nothing was written. Its placement is read
                // again at the next call, so a retry after the move goes to its new database.
                Forget(tenantId);
                return (Rejected(command, LedgerRejections.TenantMoving(tenantId)), null);
            }
            catch (Exception e) when (IsConflict(e))
            {
                if (attempt > Options.MaxConcurrencyRetries)
                {
                    ConflictsExhausted(_logger, CommandName(command), command.Id.Value, tenantId, attempt);
                    return (Rejected(command, LedgerRejections.ConcurrencyConflict(CommandName(command), attempt)), null);
                }

                ConflictsRetried.Increment();
                LedgerDiagnostics.ConflictsRetried.Add(1, new KeyValuePair<string, object?>("vppledger.command", CommandName(command)));
                ConflictRetried(_logger, CommandName(command), command.Id.Value, tenantId, attempt);
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!committed && !context.Crashing && context.ClaimTickets.Count > 0)
                {
                    // The attempt wrote nothing (or its commit's outcome is unknown): settling reads what committed.
                    await SettleClaimsQuietlyAsync(context.ClaimTickets, tenantId, command).ConfigureAwait(false);
                }
            }
        }
    }

    private void Forget(string tenantId)
    {
        if (Store.Options.Tenancy is LedgerTenancy tenancy)
        {
            tenancy.Forget(tenantId);
        }
    }

    /// <summary>
    /// After the commit: every location claim the command took is settled (rule T4). The command is durable whatever
    /// happens here; a claim left changing is settled later by the same command retried or the next claimant.
    /// </summary>
    private async Task SettleClaimsAsync(WriteContext context, string tenantId, ILedgerCommand command, CancellationToken cancellationToken)
    {
        if (context.ClaimTickets.Count == 0)
        {
            return;
        }

        context.SimulateFault("committed");
        await SettleClaimsQuietlyAsync(context.ClaimTickets, tenantId, command, cancellationToken).ConfigureAwait(false);
    }

    private async Task SettleClaimsQuietlyAsync(IReadOnlyList<ClaimTicket> tickets, string tenantId, ILedgerCommand command, CancellationToken cancellationToken = default)
    {
        try
        {
            await Guard.SettleAllAsync(tickets, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClaimLeftChanging(_logger, CommandName(command), command.Id.Value, tenantId, e);
        }
    }

    /// <summary>A retried token command that committed before: the claims it may have left changing are settled (rule T4).</summary>
    private async Task SettleClaimsOfReplayAsync(string tenantId, ILedgerCommand command, CancellationToken cancellationToken)
    {
        if (command is not (Tokens.UploadTokenFile or Tokens.MigrateLegacyTokenFile or Tokens.DeleteToken))
        {
            return;
        }

        try
        {
            await Guard.SettleCommandAsync(tenantId, command.Id.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClaimLeftChanging(_logger, CommandName(command), command.Id.Value, tenantId, e);
        }
    }

    /// <summary>
    /// Decides a command as <see cref="RunAsync"/> would, on the current state, and writes nothing: the session is
    /// never saved, so neither the events nor the idempotency record reach the database. Parts an earlier run of the
    /// same command id committed are replayed as <see cref="RunAsync"/> would replay them; the rest is decided in one
    /// session (a preview has no transaction to bound). The outcome lists at most <paramref name="maxListedEvents"/> events.
    /// </summary>
    public async Task<CommandPreview> PreviewAsync(
        string tenantId,
        ILedgerCommand command,
        Permissions needed,
        Func<WriteContext, Task<Handled>> handle,
        int maxListedEvents,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegative(maxListedEvents);
        try
        {
            var (outcome, pools) = await DecideWithoutWritingAsync(tenantId, command, needed, handle, cancellationToken).ConfigureAwait(false);
            return CommandPreview.Summarize(outcome, pools, maxListedEvents);
        }
        catch (Exception e) when (InfrastructureFaults.IsFault(e, cancellationToken))
        {
            throw InfrastructureFaults.Unavailable($"{CommandName(command)} '{command.Id}' was previewed", outcomeUnknown: false, e);
        }
    }

    private async Task<(CommandOutcome Outcome, IReadOnlyList<Pools.PoolState> Pools)> DecideWithoutWritingAsync(
        string tenantId,
        ILedgerCommand command,
        Permissions needed,
        Func<WriteContext, Task<Handled>> handle,
        CancellationToken cancellationToken)
    {
        if (InputRules.Check(command) is { } invalid)
        {
            return (Rejected(command, invalid), []);
        }

        if (!command.Actor.Has(needed))
        {
            return (Rejected(command, LedgerRejections.PermissionDenied(command.Actor, needed, CommandName(command))), []);
        }

        var payloadHash = PayloadHash(command);
        for (var attempt = 1; ; attempt++)
        {
            await PlacedAsync(tenantId).ConfigureAwait(false);
            await using var session = Store.LightweightSession(tenantId); // never saved: a preview writes nothing
            CommandOutcome? replayed = null;
            string? startCursor = null;
            for (var part = 0; ; part++)
            {
                var earlier = await session.LoadAsync<CommandRecord>(part == 0 ? command.Id.Value : $"{command.Id.Value}~{part}", cancellationToken).ConfigureAwait(false);
                if (earlier is null)
                {
                    break;
                }

                var replay = await ReplayAsync(session, command, earlier, payloadHash, cancellationToken).ConfigureAwait(false);
                replayed = replayed is null || replay.Status == CommandStatus.Rejected ? replay : replayed with
                {
                    Status = replayed.Changes.Count + replay.Changes.Count == 0 ? CommandStatus.Unchanged : CommandStatus.Applied,
                    Changes = [.. replayed.Changes, .. replay.Changes],
                    Warnings = [.. replayed.Warnings, .. replay.Warnings],
                };
                startCursor = earlier.NextCursor;
                if (replay.Status == CommandStatus.Rejected || startCursor is null)
                {
                    return (replayed, []);
                }
            }

            var context = new WriteContext(session, Clock.GetCurrentInstant(), Options, command, startCursor) { IsPreview = true, Guard = Guard };
            try
            {
                var handled = await handle(context).ConfigureAwait(false);
                if (handled.Rejection is not null)
                {
                    return (Rejected(command, handled.Rejection) with { Changes = replayed?.Changes ?? [] }, []);
                }

                IReadOnlyList<LedgerChange> changes = [.. replayed?.Changes ?? [], .. context.Changes];
                return (new CommandOutcome(command.Id, changes.Count == 0 ? CommandStatus.Unchanged : CommandStatus.Applied, changes, null)
                {
                    Warnings = [.. replayed?.Warnings ?? [], .. context.Warnings],
                }, [.. context.PoolStates]);
            }
            catch (Exception e) when (IsConflict(e) && attempt <= Options.MaxConcurrencyRetries)
            {
                // Only reads can disagree here (another command committed between two of them): read again.
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Counts conflicts that were decided again (tests and benchmarks read it).</summary>
    public ConflictCounter ConflictsRetried { get; } = new();

    // A conflict is any sign that another command committed something this one read: a stream version Marten
    // checks, a unique key, a read check of ReadGuards (40001), a deadlock between two such checks (40P01), or two
    // reads of one decision that disagree. All are decided again on fresh state.
    private static bool IsConflict(Exception e) => e switch
    {
        ConcurrencyException => true,
        ExistingStreamIdCollisionException => true,
        JasperFx.Events.ExistingStreamIdCollisionException => true,
        DocumentAlreadyExistsException => true,
        StaleReadException => true,
        MartenCommandException { InnerException: Npgsql.PostgresException { SqlState: "23505" } } => true,
        _ => HasSqlState(e, "40001") || HasSqlState(e, "40P01"),
    };

    private static bool HasSqlState(Exception? e, string state)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException p && p.SqlState == state)
            {
                return true;
            }
        }

        return false;
    }

    private static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(200, 5 * (1 << Math.Min(attempt, 6)));
        return TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling));
    }

    private async Task<CommandOutcome> ReplayAsync(IDocumentSession session, ILedgerCommand command, CommandRecord earlier, string payloadHash, CancellationToken cancellationToken)
    {
        if (!string.Equals(earlier.PayloadHash, payloadHash, StringComparison.Ordinal))
        {
            return Rejected(command, LedgerRejections.IdempotencyKeyReused(command.Id, earlier.CommandType));
        }

        var loaded = new Dictionary<(string Stream, long Version), LedgerChange>();
        foreach (var stream in earlier.Changes.GroupBy(c => c.Stream))
        {
            var from = stream.Min(c => c.Version);
            var to = stream.Max(c => c.Version);
            var events = await session.Events.FetchStreamAsync(stream.Key, version: to, fromVersion: from, token: cancellationToken).ConfigureAwait(false);
            foreach (var e in events)
            {
                loaded[(stream.Key, e.Version)] = new LedgerChange(stream.Key, e.Version, e.EventTypeName, (ILedgerEvent)e.Data);
            }
        }

        var changes = earlier.Changes.Select(c => loaded[(c.Stream, c.Version)]).ToList();
        return new CommandOutcome(command.Id, earlier.Unchanged ? CommandStatus.Unchanged : CommandStatus.Applied, changes, null, IsReplay: true)
        {
            Warnings = [.. (earlier.Warnings ?? []).Select(w => w.ToWarning())], // rule I4: the first outcome, warnings included
        };
    }

    private static CommandOutcome Rejected(ILedgerCommand command, Rejection rejection) =>
        new(command.Id, CommandStatus.Rejected, [], rejection);

    private static string CommandName(ILedgerCommand command) => command.GetType().Name;

    private static string PayloadHash(ILedgerCommand command)
    {
        var json = Json.ToJson(command);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(command.GetType().FullName + "\n" + json)));
    }

    private static readonly NewtonsoftSerializer Json = new();

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Command} '{CommandId}' of tenant {Tenant} met a concurrency conflict at attempt {Attempt}; deciding it again on fresh state")]
    private static partial void ConflictRetried(ILogger logger, string command, string commandId, string tenant, int attempt);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Command} '{CommandId}' of tenant {Tenant} was rejected with ConcurrencyConflict after {Attempt} attempts; nothing was written")]
    private static partial void ConflictsExhausted(ILogger logger, string command, string commandId, string tenant, int attempt);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Command} '{CommandId}' of tenant {Tenant} committed part {Part}; writing the next part")]
    private static partial void PartCommitted(ILogger logger, string command, string commandId, string tenant, int part);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Command} '{CommandId}' of tenant {Tenant} could not settle its location claims; they stay changing until the command is retried or another command wants the location (rule T4)")]
    private static partial void ClaimLeftChanging(ILogger logger, string command, string commandId, string tenant, Exception exception);
}

/// <summary>What one command run took: the decisions made (attempts) and the transactions (parts).</summary>
internal sealed class CommandTrace
{
    public int Attempts { get; set; }

    public int Parts { get; set; }
}

/// <summary>A thread-safe counter.</summary>
internal sealed class ConflictCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}
