using Npgsql;
using VppLedger.Audit;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.IntegrationTests.LocationTokens;
using VppLedger.Storage;

namespace VppLedger.IntegrationTests.ScaleOut;

/// <summary>
/// Sequence numbers across moves (docs/scale-out.md "Sequence numbers"): tenants moved from db2 to the control database
/// (which numbered its events below db2 before the ranges), back again, and a third one the other way, with writes in
/// every database in between. No copy meets a number already used in its target, every number is used once across
/// the databases, and every chain verifies, also against the heads recorded before the moves.
/// </summary>
public sealed class tenants_moved_back_and_forth(GuardFixture db) : IClassFixture<GuardFixture>
{
    private static readonly Actor Sync = new("directory-sync", Permissions.Directory);

    [Fact]
    [Trait("Rule", "I1")]
    public async Task moves_in_both_directions_never_meet_a_used_number_and_every_chain_verifies()
    {
        var a = await db.TenantAsync("seq-a-b"); // db2
        var b = await db.TenantAsync("seq-b-b"); // db2
        var c = await db.TenantAsync("seq-c");   // control
        await WriteAsync(a, 5);
        await WriteAsync(b, 5);
        await WriteAsync(c, 5);
        var heads = new Dictionary<string, ChainHead?>();
        foreach (var s in new[] { a, b, c })
        {
            heads[s.Ledger.Tenant.Value] = (await s.Ledger.Audit.WaitForSealAsync()).Head;
        }

        await MoveAsync(a, TenantDatabaseOptions.Control);
        await WriteAsync(a, 20); // the control database makes numbers while db2 makes few
        await WriteAsync(c, 20);
        await WriteAsync(b, 3);

        await MoveAsync(b, TenantDatabaseOptions.Control); // before the ranges: a number the control database had made already
        await WriteAsync(b, 5);
        await WriteAsync(c, 5);
        await MoveAsync(b, "db2");
        await WriteAsync(b, 5);
        await MoveAsync(c, "db2");
        await WriteAsync(c, 5);
        await WriteAsync(a, 5);

        foreach (var s in new[] { a, b, c })
        {
            var verification = await s.Ledger.Audit.VerifyChainAsync(heads[s.Ledger.Tenant.Value]);
            Assert.True(verification.IsIntact, $"{s.Ledger.Tenant.Value}: {verification.FirstMismatch}");
            Assert.Equal(s == a ? 30 : s == b ? 18 : 35, await UsersAsync(s.Ledger.Tenant.Value));
        }

        // Every number once across both databases; each database makes only numbers of its own residue.
        var numbers = (await SeqsAsync(db.Control)).Concat(await SeqsAsync(db.Db2)).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.Equal(SequenceRanges.Stride, await ScalarAsync(db.Control, "select seqincrement from pg_sequence where seqrelid = '{0}.mt_events_sequence'::regclass"));
        await db.Ledger.ApplySchemaAsync(); // the schema step again changes nothing of the numbering
        Assert.Equal(SequenceRanges.Stride, await ScalarAsync(db.Db2, "select seqincrement from pg_sequence where seqrelid = '{0}.mt_events_sequence'::regclass"));
        var residues = new[] { await ScalarAsync(db.Control, "select residue from {0}.vpp_sequence_range"), await ScalarAsync(db.Db2, "select residue from {0}.vpp_sequence_range") };
        Assert.NotEqual(residues[0], residues[1]);

        // Two databases with one residue would make the same numbers: the schema step refuses them.
        await ScalarAsync(db.Db2, $"update {{0}}.vpp_sequence_range set residue = {residues[0]} returning 0");
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Ledger.ApplySchemaAsync());
        await ScalarAsync(db.Db2, $"update {{0}}.vpp_sequence_range set residue = {residues[1]} returning 0");
    }

    private async Task MoveAsync(Scenario tenant, string to)
    {
        await db.Ledger.Databases.MoveTenantAsync(tenant.Ledger.Tenant, to);
        Assert.Equal(to, await db.Ledger.Databases.FindTenantAsync(tenant.Ledger.Tenant));
    }

    private static async Task WriteAsync(Scenario tenant, int users)
    {
        for (var i = 0; i < users; i++)
        {
            await tenant.RunAsync(new RecordUser(new UserId($"u{Guid.NewGuid():N}"), null, null, tenant.NextId(), Sync));
        }
    }

    private async Task<long> UsersAsync(string tenant) =>
        await ScalarAsync(db.Control, $"select count(*) from {{0}}.mt_events where tenant_id = '{tenant}' and stream_id like 'user:%'")
        + await ScalarAsync(db.Db2, $"select count(*) from {{0}}.mt_events where tenant_id = '{tenant}' and stream_id like 'user:%'");

    private async Task<List<long>> SeqsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select seq_id from {db.SchemaName}.mt_events where type <> 'tombstone'", connection);
        var seqs = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            seqs.Add(reader.GetInt64(0));
        }

        return seqs;
    }

    private async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, db.SchemaName), connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
