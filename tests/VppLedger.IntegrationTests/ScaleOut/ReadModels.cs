using Npgsql;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;

namespace VppLedger.IntegrationTests.ScaleOut;

/// <summary>A tenant's read models as one comparable text, and a small book that fills every kind of them.</summary>
internal static class ReadModels
{
    private static readonly string[] DocumentTables =
        ["tokendoc", "pooldoc", "assignmentdoc", "userdoc", "devicedoc", "groupdoc", "seatdoc", "memberdoc", "releasedoc",
         "applesidedoc", "appleseatdoc", "appleuserdoc", "applenotificationdoc", "findingdoc"];

    /// <summary>
    /// Per projection table of the tenant: its row count and a digest of its rows (the documents' data by id, the audit
    /// rows in full by sequence, the checkpoints by scope and sequence), one line per table.
    /// </summary>
    public static async Task<string> OfAsync(string connectionString, string schema, string tenant)
    {
        var parts = DocumentTables
            .Select(t => $"select '{t}' || ' ' || count(*) || ' ' || coalesce(md5(string_agg(id || '=' || data::text, '|' order by id)), '-') from {schema}.mt_doc_{t} where tenant_id = @t")
            .Append($"select 'audit ' || count(*) || ' ' || coalesce(md5(string_agg(a::text, '|' order by a.seq)), '-') from {schema}.vpp_audit a where tenant_id = @t")
            .Append($"select 'checkpoints ' || count(*) || ' ' || coalesce(md5(string_agg(c::text, '|' order by c.scope, c.seq)), '-') from {schema}.vpp_checkpoint c where tenant_id = @t")
            .Append($"select 'checkpoint states ' || count(*) || ' ' || coalesce(md5(string_agg(c::text, '|' order by c.checkpoint_seq)), '-') from {schema}.vpp_checkpoint_state c where tenant_id = @t")
            .Append($"select 'chain ' || count(*) || ' ' || coalesce(md5(string_agg(c::text, '|' order by c.chain_position)), '-') from {schema}.vpp_audit_chain c where tenant_id = @t");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(string.Join(" union all ", parts.Select(p => $"({p})")), connection);
        command.Parameters.AddWithValue("t", tenant);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    /// <summary>A token with a pool of 5 licenses of app 555: three users, two granted directly, a group of them assigned, a device granted.</summary>
    public static async Task BookAsync(Scenario s, string location)
    {
        var token = new TokenId("tok");
        await s.RunAsync(s.Upload(token, location: location));
        var pool = await s.SyncedPoolAsync(token, "555", 5, upload: false);
        var users = await s.UsersAsync("u", 3);
        await s.RunAsync(new GrantLicenses(pool, [.. users.Take(2).Select(u => Holder.ForUser(u, AppleIdKind.Managed))], s.NextId(), Scenario.Admin));
        var device = await s.DeviceAsync("d1", Scenario.CorporateSupervised());
        await s.RunAsync(new GrantLicenses(pool, [Holder.ForDevice(device)], s.NextId(), Scenario.Admin));
        var group = await s.GroupAsync("g", GroupKind.User, users.Select(GroupMember.ForUser));
        await s.AssignAsync(pool, group, AssignmentIntent.Required, LicenseType.User);
    }
}

/// <summary>Calls back at each step of a move, synchronously (unlike System.Progress): the move waits for the callback, so what it does meets the step.</summary>
internal sealed class OnMoveStep(Action<TenantMoveStep> onStep) : IProgress<TenantMoveProgress>
{
    public void Report(TenantMoveProgress value) => onStep(value.Step);
}
