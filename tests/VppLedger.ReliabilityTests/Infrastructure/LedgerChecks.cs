using Marten;
using VppLedger.Pools;
using VppLedger.Storage;

namespace VppLedger.ReliabilityTests.Infrastructure;

/// <summary>What must hold after any load, crash or race: read from the log and the tables, not from the answers.</summary>
public static class LedgerChecks
{
    private static readonly NewtonsoftSerializer Json = new();

    private static readonly string[] Documents = ["tokendoc", "pooldoc", "assignmentdoc", "userdoc", "devicedoc", "groupdoc", "seatdoc", "memberdoc"];

    /// <summary>Every change of every acknowledged outcome is in the log at its stream and version, with the same content (I3).</summary>
    public static async Task<(long Lost, long Mismatched)> AcknowledgedAreInTheLogAsync(ILicenseLedger ledger, string tenant, IEnumerable<CommandOutcome> acknowledged)
    {
        var store = ((MartenLicenseLedger)ledger).Store;
        await using var session = store.QuerySession(tenant);
        var lost = 0L;
        var mismatched = 0L;
        foreach (var stream in acknowledged.Where(o => o.Status == CommandStatus.Applied).SelectMany(o => o.Changes).GroupBy(c => c.Stream))
        {
            var events = (await session.Events.FetchStreamAsync(stream.Key)).ToDictionary(e => e.Version);
            foreach (var change in stream)
            {
                if (!events.TryGetValue(change.Version, out var stored))
                {
                    lost++;
                }
                else if (stored.EventTypeName != change.EventName || Json.ToJson(stored.Data) != Json.ToJson(change.Event))
                {
                    mismatched++;
                }
            }
        }

        return (lost, mismatched);
    }

    /// <summary>
    /// Folds every pool stream of the tenant version by version: a grant is oversold when, before it, used was not below
    /// total (S4: no grant while over-allocated, used never above total through a grant). Also counts a live pool that
    /// differs from the fold of its stream as a mismatch.
    /// </summary>
    public static async Task<(long Oversold, long Mismatched, long Grants)> PoolsNeverOversoldAsync(ILicenseLedger ledger, string tenant)
    {
        var store = ((MartenLicenseLedger)ledger).Store;
        await using var session = store.QuerySession(tenant);
        var streams = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey!.StartsWith("pool:"))
            .Select(e => e.StreamKey!)
            .Distinct()
            .ToListAsync();
        var oversold = 0L;
        var mismatched = 0L;
        var grants = 0L;
        var tenantLedger = ledger.ForTenant(new TenantId(tenant));
        foreach (var stream in streams)
        {
            var pool = LedgerHandlers.PoolOf(stream);
            var state = PoolState.Initial(pool);
            foreach (var e in await session.Events.FetchStreamAsync(stream))
            {
                if (e.Data is LicenseGranted)
                {
                    grants++;
                    if (state.UsedCount >= state.TotalCount)
                    {
                        oversold++;
                    }
                }

                state = PoolDecider.Evolve(state, (IPoolEvent)e.Data);
            }

            var live = await tenantLedger.GetPoolAsync(pool);
            if (live is null || live.UsedCount != state.UsedCount || live.TotalCount != state.TotalCount || live.QueuedCount != state.QueuedCount)
            {
                mismatched++;
            }
        }

        return (oversold, mismatched, grants);
    }

    /// <summary>Every projected table, rebuilt from the log, equals the live one (I2); returns the tables that differ.</summary>
    public static async Task<IReadOnlyList<string>> ProjectionsEqualAReplayAsync(ReliabilityRun run, ILicenseLedger ledger, string schema)
    {
        var live = await SnapshotAsync(run, schema);
        await ledger.RebuildAsync();
        var rebuilt = await SnapshotAsync(run, schema);
        return [.. live.Keys.Where(t => !string.Equals(live[t], rebuilt[t], StringComparison.Ordinal))];
    }

    private static async Task<Dictionary<string, string>> SnapshotAsync(ReliabilityRun run, string schema)
    {
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in Documents)
        {
            snapshot[t] = await run.ScalarAsync<string>(
                $"select coalesce(string_agg(tenant_id || ' ' || id || ' ' || data::text, E'\\n' order by tenant_id, id), '') from {schema}.mt_doc_{t}") ?? "";
        }

        // The chain columns are left out: live, the chain follows commit order, which differs from log order when two
        // commands of one tenant commit at once; a rebuild chains in log order. Each chain is verified on its own.
        snapshot["vpp_audit"] = await run.ScalarAsync<string>(
            "select coalesce(string_agg(concat_ws(' ', tenant_id, seq, stream, version, event_name, occurred_at, token, adam_id, holder_kind, holder_id, "
            + $"queue_position, action, reason, rule_id, actor, correlation_id, causation_id), E'\\n' order by tenant_id, seq), '') from {schema}.vpp_audit") ?? "";
        return snapshot;
    }
}
