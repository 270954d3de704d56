using System.Text;
using NodaTime;
using NodaTime.Testing;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Tokens;
using static VppLedger.IntegrationTests.Model.ModelCommands;

namespace VppLedger.IntegrationTests.Model;

/// <summary>A clock per sequence (an async-local fake clock), so sequences of many tenants run side by side on one ledger.</summary>
public sealed class SequenceClock : IClock
{
    private static readonly AsyncLocal<FakeClock?> Current = new();

    public static FakeClock Start()
    {
        var clock = new FakeClock(LedgerFixture.Start);
        Current.Value = clock;
        return clock;
    }

    public Instant GetCurrentInstant() => Current.Value?.GetCurrentInstant() ?? LedgerFixture.Start;
}

/// <summary>One ledger (its own schema) for the model tests of one class and policy, with <see cref="SequenceClock"/>.</summary>
public abstract class ModelLedgerFixture(LedgerPolicy policy) : IAsyncLifetime
{
    private static int _counter;

    public string SchemaName { get; } = $"m{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid().ToString("N")[..6]}";

    public LedgerPolicy Policy { get; } = policy;

    public ILicenseLedger Ledger { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Ledger = LicenseLedger.Create(await TestServer.ConnectionStringAsync(), o =>
        {
            o.SchemaName = SchemaName;
            o.Policy = Policy;
        }, new SequenceClock());
        await Ledger.ApplySchemaAsync();
    }

    public async Task DisposeAsync()
    {
        await Ledger.DisposeAsync();
        await TestServer.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {SchemaName} CASCADE");
    }
}

public sealed class ArticleModelFixture() : ModelLedgerFixture(LedgerPolicy.Article);

public sealed class CurrentAppleModelFixture() : ModelLedgerFixture(LedgerPolicy.CurrentApple);

/// <summary>Runs one sequence through the real ledger and the model, comparing after every step.</summary>
public sealed class ModelRunner(ModelLedgerFixture fixture, ModelScope scope)
{
    private static int _tenants;

    public int Steps { get; private set; }

    public int Skipped { get; private set; }

    /// <summary>The tenant's read state at the end, for the rebuild check (I2).</summary>
    public string? FinalSnapshot { get; private set; }

    public string Tenant { get; } = $"m{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid().ToString("N")[..8]}";

    public async Task RunAsync(IEnumerable<Op> ops)
    {
        var clock = SequenceClock.Start();
        var ledger = fixture.Ledger.ForTenant(new TenantId(Tenant));
        var commands = new ModelCommands(Tenant);
        var model = new LedgerModel(fixture.Policy, clock.GetCurrentInstant());
        var log = new StringBuilder();
        var step = 0;
        foreach (var raw in ops)
        {
            step++;
            var (op, skipped) = ModelGenerators.Filter(raw, model, scope);
            if (op is null)
            {
                Skipped++;
                continue;
            }

            log.AppendLine($"{step}: {op}");
            var before = model.Clone();
            switch (op)
            {
                case Op.AdvanceClock c:
                    model.Advance(c.Days);
                    clock.Advance(Duration.FromDays(c.Days));
                    break;
                case Op.Concurrently c:
                    var first = commands.Build(c.First, clock.GetCurrentInstant(), scope)!;
                    var second = commands.Build(c.Second, clock.GetCurrentInstant(), scope)!;
                    var outcomes = await Task.WhenAll(ledger.ExecuteAsync(first), ledger.ExecuteAsync(second));
                    var actual = await ReadAsync(ledger);
                    string? Try(Op a, Op b, CommandOutcome oa, CommandOutcome ob, out LedgerModel m)
                    {
                        m = before.Clone();
                        var start = m.Clone();
                        var wrong = Outcome(a, m.Apply(a), oa);
                        var middle = m.Clone();
                        return wrong ?? Invariants(start, middle) ?? Outcome(b, m.Apply(b), ob) ?? Invariants(middle, m) ?? Compare(m, actual);
                    }

                    var ab = Try(c.First, c.Second, outcomes[0], outcomes[1], out var mab);
                    var ba = Try(c.Second, c.First, outcomes[1], outcomes[0], out var mba);
                    if (ab is not null && ba is not null)
                    {
                        Fail(log, $"neither order of the concurrent pair explains the ledger:\n  first then second: {ab}\n  second then first: {ba}");
                    }

                    model = ab is null ? mab : mba;
                    break;
                default:
                    var command = commands.Build(op, clock.GetCurrentInstant(), scope)!;
                    var expected = model.Apply(op);
                    CommandOutcome outcome;
                    try
                    {
                        outcome = await ledger.ExecuteAsync(command);
                    }
                    catch (Exception e)
                    {
                        Fail(log, $"ExecuteAsync threw {e.GetType().Name}: {e.Message}");
                        throw;
                    }

                    if (Outcome(op, expected, outcome) is { } wrong)
                    {
                        Fail(log, wrong);
                    }

                    break;
            }

            Steps++;
            var now = await ReadAsync(ledger);
            if ((Compare(model, now) ?? (op is Op.Concurrently ? null : Invariants(before, model))) is { } broken)
            {
                Fail(log, broken);
            }
        }

        var holders = await HoldersAsync(ledger);
        if (CompareHolders(model, holders) is { } wrongHolders)
        {
            Fail(log, wrongHolders);
        }

        if (await OutboxMismatchAsync(fixture, Tenant) is { } outbox)
        {
            Fail(log, outbox);
        }

        FinalSnapshot = await SnapshotAsync(fixture, Tenant);
    }

    /// <summary>Issue 13, item 2: every decided seat change (grant, reclaim) has exactly one Apple request, and no request has none.</summary>
    private static async Task<string?> OutboxMismatchAsync(ModelLedgerFixture fixture, string tenant)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await TestServer.ConnectionStringAsync());
        await connection.OpenAsync();
        async Task<List<string>> ReadAsync(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("t", tenant);
            var ids = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }

        var changes = await ReadAsync(
            $"select stream_id || '@' || version from {fixture.SchemaName}.mt_events where tenant_id = @t and type in ('vpp.pool.license_granted.v1', 'vpp.pool.license_reclaimed.v1') order by 1");
        var requests = await ReadAsync($"select id from {fixture.SchemaName}.mt_doc_applerequestdoc where tenant_id = @t order by 1");
        return changes.SequenceEqual(requests, StringComparer.Ordinal)
            ? null
            : $"Apple outbox: {changes.Count} seat changes decided, {requests.Count} requests; without a request: {string.Join(", ", changes.Except(requests).Take(5))}; without a change: {string.Join(", ", requests.Except(changes).Take(5))}";
    }

    private static void Fail(StringBuilder log, string what) =>
        throw new ModelMismatchException($"{what}\nsequence (after the scope filter):\n{log}");

    private static string? Outcome(Op op, Expect expected, CommandOutcome outcome) => expected switch
    {
        Expect.Applied when !outcome.Succeeded => $"{op}: the model expects it applied; the ledger rejected it: {outcome.Rejection}",
        Expect.Rejected when outcome.Succeeded => $"{op}: the model expects a rejection; the ledger answered {outcome.Status}",
        _ => null,
    };

    /// <summary>What the ledger shows: pools (public API), queues (public API) and seat rows (the table).</summary>
    private sealed record Actual(IReadOnlyDictionary<TokenId, Reading.TokenSummary> Tokens, IReadOnlyDictionary<PoolId, Reading.PoolSummary> Pools, IReadOnlyDictionary<PoolId, List<string>> Queues, IReadOnlyDictionary<string, SortedSet<string>> SeatRows);

    private async Task<Actual> ReadAsync(ITenantLedger ledger)
    {
        var pools = (await ledger.ListPoolsAsync()).ToDictionary(p => p.Pool);
        var queues = new Dictionary<PoolId, List<string>>();
        foreach (var pool in pools.Values.Where(p => p.QueuedCount > 0))
        {
            var queue = await ledger.GetQueueAsync(pool.Pool, 1000);
            if (!queue.Select(q => q.Position).SequenceEqual(queue.Select(q => q.Position).Order()))
            {
                throw new ModelMismatchException($"rule A6: the queue of {pool.Pool} is not in position order");
            }

            queues[pool.Pool] = [.. queue.Select(q => q.Holder.Key)];
        }

        var seats = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (poolKey, holderKey) in await GrantedSeatRowsAsync(fixture, Tenant))
        {
            if (!seats.TryGetValue(poolKey, out var set))
            {
                seats[poolKey] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            if (!set.Add(holderKey))
            {
                throw new ModelMismatchException($"seat rows: {holderKey} holds two seats in {poolKey}");
            }
        }

        return new Actual((await ledger.ListTokensAsync()).ToDictionary(t => t.Token), pools, queues, seats);
    }

    private static async Task<List<(string Pool, string Holder)>> GrantedSeatRowsAsync(ModelLedgerFixture fixture, string tenant)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await TestServer.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"select data->>'PoolKey', data->>'HolderKey', data->>'Status' from {fixture.SchemaName}.mt_doc_seatdoc where tenant_id = @t", connection);
        command.Parameters.AddWithValue("t", tenant);
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var status = reader.GetString(2);
            if (status is "Granted" or "1")
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        return rows;
    }

    private static string? Compare(LedgerModel model, Actual actual)
    {
        for (var t = 0; t < ModelUniverse.Tokens; t++)
        {
            var m = model.Tokens[t];
            if (!actual.Tokens.TryGetValue(Token(t), out var found))
            {
                if (m.Uploaded)
                {
                    return $"token t{t} is missing from the ledger";
                }

                continue;
            }

            var canGrant = found.Status is Tokens.TokenStatus.Valid or Tokens.TokenStatus.ExpiringSoon or Tokens.TokenStatus.Duplicate;
            if (!m.Uploaded || m.ExpiresAt != found.ExpiresAt || m.Deleted != (found.Status == Tokens.TokenStatus.Deleted) || model.CanGrant(t) != canGrant)
            {
                return $"token t{t}: the model expects uploaded {m.Uploaded}, deleted {m.Deleted}, expires {m.ExpiresAt}, bound to another MDM {m.External}, can grant {model.CanGrant(t)}; the ledger shows {found.Status}, expires {found.ExpiresAt}";
            }
        }

        foreach (var pool in actual.Pools.Keys.Where(p => !model.Pools.Keys.Any(k => Pool(k.T, k.A) == p)))
        {
            return $"the ledger has pool {pool} that the model does not";
        }

        foreach (var (key, m) in model.Pools)
        {
            var id = Pool(key.T, key.A);
            if (!actual.Pools.TryGetValue(id, out var p))
            {
                return $"pool {id} is missing from the ledger";
            }

            var expected = $"total {m.Total} used {m.Used} (user {m.UserCount}, device {m.DeviceCount}) queued {m.Queue.Count} orphaned {m.Orphaned} over {m.Used > m.Total} drift {(m.AppleAssigned is { } aa ? aa - m.Used : 0)} apple confirmed {m.Confirmed.Count} failed {m.Failed} release pending {m.ReleasePending}";
            var found = $"total {p.TotalCount} used {p.UsedCount} (user {p.UserLicenseCount}, device {p.DeviceLicenseCount}) queued {p.QueuedCount} orphaned {p.Orphaned} over {p.OverAllocated} drift {p.DriftCount} apple confirmed {p.ConfirmedCount} failed {p.FailedCount} release pending {p.ReleasePendingCount}";
            if (expected != found)
            {
                return $"pool {id}: the model expects {expected}; the ledger shows {found}\n  model seats [{string.Join(", ", m.Granted)}] queue [{string.Join(", ", m.Queue)}]\n  ledger seats [{string.Join(", ", actual.SeatRows.GetValueOrDefault("pool:" + id) ?? [])}] queue [{string.Join(", ", actual.Queues.GetValueOrDefault(id) ?? [])}]";
            }

            var rows = actual.SeatRows.GetValueOrDefault($"pool:{id}") ?? [];
            if (!rows.SetEquals(m.Granted))
            {
                return $"pool {id}: seats [{string.Join(", ", rows)}], the model's [{string.Join(", ", m.Granted)}]";
            }

            if (rows.Count != p.UsedCount)
            {
                return $"pool {id}: used {p.UsedCount} but {rows.Count} seat rows";
            }

            var queue = actual.Queues.GetValueOrDefault(id) ?? [];
            if (!queue.SequenceEqual(m.Queue))
            {
                return $"pool {id}: queue [{string.Join(", ", queue)}], the model's [{string.Join(", ", m.Queue)}]\n  seats [{string.Join(", ", rows)}]";
            }

            if (queue.FirstOrDefault(rows.Contains) is { } both)
            {
                return $"pool {id}: {both} both holds and waits";
            }
        }

        return null;
    }

    /// <summary>S4, T2 and T10, judged on the step just taken (the ledger equals the model here).</summary>
    private static string? Invariants(LedgerModel before, LedgerModel after)
    {
        foreach (var (key, pool) in after.Pools)
        {
            var had = before.Pools.GetValueOrDefault(key)?.Granted ?? [];
            var granted = pool.Granted.Except(had).ToList();
            if (granted.Count == 0)
            {
                continue;
            }

            if (pool.Used > pool.Total)
            {
                return $"rule S4: {LedgerModel.PoolKey(key)} granted {string.Join(", ", granted)} while over-allocated";
            }

            if (!after.CanGrant(key.T))
            {
                return $"rule T2: {LedgerModel.PoolKey(key)} granted {string.Join(", ", granted)} while its token is expired or deleted";
            }
        }

        return after.SeatWithoutReason() is { } seat ? $"rule T10: seat {seat} is held by nobody targeted and kept by no rule" : null;
    }

    private static async Task<Dictionary<string, string>> HoldersAsync(ITenantLedger ledger)
    {
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var u = 0; u < ModelUniverse.Users; u++)
        {
            foreach (var l in (await ledger.GetUserLicensesAsync(User(u))).Licenses)
            {
                Record(held, l);
            }
        }

        for (var d = 0; d < ModelUniverse.Devices; d++)
        {
            foreach (var l in (await ledger.GetDeviceLicensesAsync(Device(d))).Licenses)
            {
                Record(held, l);
            }
        }

        return held;
    }

    private static void Record(Dictionary<string, string> held, Reading.HeldLicense license)
    {
        var key = $"pool:{license.Pool} {license.Holder.Key}";
        if (held.TryGetValue(key, out var status) && status != license.Status.ToString())
        {
            throw new ModelMismatchException($"{key} both holds and waits");
        }

        held[key] = license.Status.ToString();
    }

    private static string? CompareHolders(LedgerModel model, Dictionary<string, string> held)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, pool) in model.Pools)
        {
            foreach (var g in pool.Granted)
            {
                expected[$"{LedgerModel.PoolKey(key)} {g}"] = nameof(SeatStatus.Granted);
            }

            foreach (var q in pool.Queue)
            {
                expected[$"{LedgerModel.PoolKey(key)} {q}"] = nameof(SeatStatus.Queued);
            }
        }

        var a = string.Join("\n", held.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key} {h.Value}"));
        var e = string.Join("\n", expected.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key} {h.Value}"));
        return a == e ? null : $"holders' licenses (GetUserLicensesAsync, GetDeviceLicensesAsync) differ:\n ledger:\n{a}\n model:\n{e}";
    }

    /// <summary>Everything a reader sees of the tenant, as text: compared before and after a rebuild (I2).</summary>
    public static async Task<string> SnapshotAsync(ModelLedgerFixture fixture, string tenant)
    {
        var ledger = fixture.Ledger.ForTenant(new TenantId(tenant));
        var text = new StringBuilder();
        foreach (var p in await ledger.ListPoolsAsync())
        {
            text.AppendLine(p.ToString());
            foreach (var q in await ledger.GetQueueAsync(p.Pool, 1000))
            {
                text.AppendLine($"  queued {q.Holder.Key} {q.Position}");
            }

            text.AppendLine(string.Join("; ", (await ledger.ListAssignmentsAsync(p.Pool.AdamId)).Select(a => a.ToString())));
        }

        foreach (var t in await ledger.ListTokensAsync())
        {
            text.AppendLine((t with { Status = Tokens.TokenStatus.Valid }).ToString()); // the status is read at now, which a rebuild does not change
        }

        foreach (var (key, status) in (await HoldersAsync(ledger)).OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"{key} {status}");
        }

        foreach (var (pool, holder) in (await GrantedSeatRowsAsync(fixture, tenant)).Order())
        {
            text.AppendLine($"seat {pool} {holder}");
        }

        // Every row of the seat, release-pending and member projections as stored (Apple's answers included), so that
        // a rebuild must give each one back exactly (I2).
        await using var connection = new Npgsql.NpgsqlConnection(await TestServer.ConnectionStringAsync());
        await connection.OpenAsync();
        foreach (var table in new[] { "seatdoc", "releasedoc", "memberdoc" })
        {
            await using var command = new Npgsql.NpgsqlCommand($"select id || ' ' || data::text from {fixture.SchemaName}.mt_doc_{table} where tenant_id = @t order by id", connection);
            command.Parameters.AddWithValue("t", tenant);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine($"{table} {reader.GetString(0)}");
            }
        }

        return text.ToString();
    }
}

public sealed class ModelMismatchException(string message) : Exception(message);
