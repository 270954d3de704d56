using Npgsql;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Storage;
using VppLedger.Testing;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.LocationTokens;

/// <summary>
/// Two throwaway clusters on loopback (removed at the end) and one ledger over them: tenants whose id ends in "-b" are
/// placed on <c>db2</c> through the registry, every other tenant on the control database, so a location two tenants
/// want is wanted from two databases (rule T4). Helpers read the location guard's tables.
/// </summary>
public class GuardFixture : IAsyncLifetime
{
    public string SchemaName { get; } = $"g{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..8]}";

    public NodaTime.Testing.FakeClock Clock { get; } = new(LedgerFixture.Start);

    public ILicenseLedger Ledger { get; private set; } = null!;

    private EmbeddedPostgres[] _clusters = [];

    public string Control => _clusters[0].ConnectionString;

    public string Db2 => _clusters[1].ConnectionString;

    protected virtual void Configure(VppLedgerOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        var options = new EmbeddedPostgresOptions { MaxConnections = 60, MaxPoolSize = 8 };
        _clusters = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => EmbeddedPostgres.StartThrowawayAsync(options)));
        Ledger = LicenseLedger.Create(Control, o =>
        {
            o.SchemaName = SchemaName;
            o.Databases.Add("db2", Db2).UseRegistry();
            Configure(o);
        }, Clock);
        await Ledger.ApplySchemaAsync();
    }

    public async Task DisposeAsync()
    {
        await Ledger.DisposeAsync();
        foreach (var cluster in _clusters)
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The tenant, placed on db2 when its id ends in "-b", else on the control database.</summary>
    public async Task<Scenario> TenantAsync(string id)
    {
        var tenant = new TenantId(id);
        await Ledger.Databases.PlaceTenantAsync(tenant, DatabaseOf(id));
        return new Scenario(Ledger.ForTenant(tenant), Clock.GetCurrentInstant());
    }

    private static string DatabaseOf(string tenant) => tenant.EndsWith("-b", StringComparison.Ordinal) ? "db2" : TenantDatabaseOptions.Control;

    /// <summary>The claim row of a location in the control database: tenant, state, token ("-" when none); null when the location is free.</summary>
    public Task<string?> ClaimAsync(string location) =>
        ScalarAsync<string>(Control,
            $"select tenant_id || ' ' || state || ' ' || coalesce(token_id, '-') from {SchemaName}.{LocationGuard.ClaimTableName} where location = @l",
            ("l", LocationKey.FromAppleLocationId(location).Value));

    /// <summary>The live tokens of a location in a tenant, by the projection its own database holds.</summary>
    public async Task<long> LiveTokensAsync(string tenant, string location) =>
        await ScalarAsync<long>(DatabaseOf(tenant) == "db2" ? Db2 : Control,
            $"select count(*) from {SchemaName}.mt_doc_tokendoc where tenant_id = @t and data->>'Location' = @l and not (data->>'Deleted')::boolean",
            ("t", tenant), ("l", LocationKey.FromAppleLocationId(location).Value));

    /// <summary>Claim rows in a database's claim table (only the control database's is used).</summary>
    public async Task<long> ClaimRowsAsync(string connectionString) =>
        await ScalarAsync<long>(connectionString, $"select count(*) from {SchemaName}.{LocationGuard.ClaimTableName}");

    private static async Task<T?> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }
}

/// <summary>
/// A ledger whose location guard (rule T4) can be made to crash between a claim and its commit, or between the
/// commit and the settle, and whose claimants settle a changing claim after 200 ms instead of 5 s.
/// </summary>
public sealed class GuardFaultFixture : GuardFixture
{
    /// <summary>Called at "claimed" and "committed"; a throw there is a crash at that point.</summary>
    public Action<string>? Fault { get; set; }

    protected override void Configure(VppLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PendingClaimPatience = TimeSpan.FromMilliseconds(200);
        options.LocationGuardFault = point => Fault?.Invoke(point);
    }

    /// <summary>Runs <paramref name="run"/> with a crash (a fault from the test hook) the first time it reaches <paramref name="point"/>.</summary>
    public async Task CrashAtAsync(string point, Func<Task> run)
    {
        var crashed = 0;
        Fault = p =>
        {
            if (p == point && Interlocked.Exchange(ref crashed, 1) == 0)
            {
                throw new TimeoutException($"simulated crash at '{point}'");
            }
        };
        try
        {
            await Assert.ThrowsAsync<TimeoutException>(run);
        }
        finally
        {
            Fault = null;
        }
    }
}

/// <summary>
/// Rule T4 kept global under concurrency: two tenants upload the same location at once, round after round, in both
/// orders; exactly one wins, the other is refused as today, and the claim names the winner.
/// </summary>
public sealed class two_tenants_racing_for_one_location(GuardFixture db) : IClassFixture<GuardFixture>
{
    private static readonly Actor TokenAdmin = new("mdm-admin", Permissions.ManagedApps);

    private Task<Scenario> TenantAsync(string id) => db.TenantAsync(id);

    private static UploadTokenFile Upload(Scenario tenant, string token, string location) =>
        tenant.Upload(new TokenId(token), location: location) with { Actor = TokenAdmin };

    [Fact]
    [Trait("Rule", "T4")]
    public async Task leave_exactly_one_winner_round_after_round()
    {
        const int rounds = 24;
        var a = await TenantAsync("race-many-a");
        var b = await TenantAsync("race-many-b");
        var wins = new Dictionary<string, int> { ["race-many-a"] = 0, ["race-many-b"] = 0 };
        for (var round = 0; round < rounds; round++)
        {
            var location = $"loc-race-{round}";

            // Both orders: who is sent first alternates.
            var (first, second) = round % 2 == 0 ? (a, b) : (b, a);
            var firstRun = first.Ledger.ExecuteAsync(Upload(first, $"t{round}", location));
            var secondRun = second.Ledger.ExecuteAsync(Upload(second, $"t{round}", location));
            var outcomes = await Task.WhenAll(firstRun, secondRun);

            var winner = Assert.Single(outcomes, o => o.Status == CommandStatus.Applied);
            var loser = Assert.Single(outcomes, o => o.Status == CommandStatus.Rejected);
            Assert.Equal(("DuplicateLocationInAnotherTenant", "T4"), (loser.Rejection!.Code, loser.Rejection.Rule));
            var winnerTenant = ReferenceEquals(winner, outcomes[0]) ? first.Ledger.Tenant.Value : second.Ledger.Tenant.Value;
            var loserTenant = winnerTenant == "race-many-a" ? "race-many-b" : "race-many-a";
            wins[winnerTenant]++;

            Assert.Equal($"{winnerTenant} held t{round}", await db.ClaimAsync(location));
            Assert.Equal(1, await db.LiveTokensAsync(winnerTenant, location));
            Assert.Equal(0, await db.LiveTokensAsync(loserTenant, location));
        }

        Assert.Equal(rounds, wins.Values.Sum());
        Assert.Equal(0, await db.ClaimRowsAsync(db.Db2)); // the guard is global: every claim is in the control database
    }

}

/// <summary>
/// Rule T4 kept global: the claim is taken in the control database before the token's events commit in the tenant's
/// database, and settled after; a crash at either point leaves a changing claim that the same command retried, or the
/// next claimant, settles from what committed. Never a claim without its token, never a token without its claim.
/// </summary>
public sealed class one_location_one_tenant_across_databases(GuardFaultFixture db) : IClassFixture<GuardFaultFixture>
{
    private static readonly Actor TokenAdmin = new("mdm-admin", Permissions.ManagedApps);

    private Task<Scenario> TenantAsync(string id) => db.TenantAsync(id);

    private static UploadTokenFile Upload(Scenario tenant, string token, string location) =>
        tenant.Upload(new TokenId(token), location: location) with { Actor = TokenAdmin };

    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_crash_between_the_claim_and_the_commit_leaves_a_changing_claim_that_the_retried_command_settles()
    {
        var a = await TenantAsync("crash-claim-b");
        var upload = Upload(a, "t1", "loc-crash-claim");
        await db.CrashAtAsync("claimed", () => a.Ledger.ExecuteAsync(upload));

        Assert.Equal("crash-claim-b changing -", await db.ClaimAsync("loc-crash-claim"));
        Assert.Equal(0, await db.LiveTokensAsync("crash-claim-b", "loc-crash-claim"));

        var retried = await a.Ledger.ExecuteAsync(upload);

        Assert.Equal(CommandStatus.Applied, retried.Status);
        Assert.Equal("crash-claim-b held t1", await db.ClaimAsync("loc-crash-claim"));
        Assert.Equal(1, await db.LiveTokensAsync("crash-claim-b", "loc-crash-claim"));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_claim_whose_command_crashed_before_committing_is_released_to_the_next_claimant()
    {
        var a = await TenantAsync("crash-free-a");
        var b = await TenantAsync("crash-free-b");
        var upload = Upload(a, "t1", "loc-crash-free");
        await db.CrashAtAsync("claimed", () => a.Ledger.ExecuteAsync(upload));

        var other = await b.Ledger.ExecuteAsync(Upload(b, "t1", "loc-crash-free"));

        Assert.Equal(CommandStatus.Applied, other.Status);
        Assert.Equal("crash-free-b held t1", await db.ClaimAsync("loc-crash-free"));

        // The crashed command, retried, finds the location taken: refused, and nothing of it was written.
        var retried = await a.Ledger.ExecuteAsync(upload);
        Assert.Equal(("DuplicateLocationInAnotherTenant", "T4"), (retried.Rejection?.Code, retried.Rejection?.Rule));
        Assert.Equal(0, await db.LiveTokensAsync("crash-free-a", "loc-crash-free"));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_crash_between_the_commit_and_the_settle_leaves_a_claim_the_next_claimant_confirms()
    {
        var a = await TenantAsync("crash-commit-b");
        var b = await TenantAsync("crash-commit-a");
        await db.CrashAtAsync("committed", () => a.Ledger.ExecuteAsync(Upload(a, "t1", "loc-crash-commit")));

        Assert.Equal("crash-commit-b changing -", await db.ClaimAsync("loc-crash-commit"));
        Assert.Equal(1, await db.LiveTokensAsync("crash-commit-b", "loc-crash-commit"));

        var other = await b.Ledger.ExecuteAsync(Upload(b, "t1", "loc-crash-commit"));

        Assert.Equal(("DuplicateLocationInAnotherTenant", "T4"), (other.Rejection?.Code, other.Rejection?.Rule));
        Assert.Equal("crash-commit-b held t1", await db.ClaimAsync("loc-crash-commit"));
        Assert.Equal(0, await db.LiveTokensAsync("crash-commit-a", "loc-crash-commit"));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_crash_between_the_commit_and_the_settle_is_confirmed_by_the_same_command_retried()
    {
        var a = await TenantAsync("crash-replay-a");
        var upload = Upload(a, "t1", "loc-crash-replay");
        await db.CrashAtAsync("committed", () => a.Ledger.ExecuteAsync(upload));

        var retried = await a.Ledger.ExecuteAsync(upload);

        Assert.True(retried.IsReplay);
        Assert.Equal(CommandStatus.Applied, retried.Status);
        Assert.Equal("crash-replay-a held t1", await db.ClaimAsync("loc-crash-replay"));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public async Task a_command_whose_claim_was_settled_while_it_ran_cannot_commit_its_token()
    {
        var a = await TenantAsync("fenced-a");
        var b = await TenantAsync("fenced-b");

        // While a's upload holds its changing claim and has not committed, b's upload of the same location waits out
        // the patience, settles a's claim (fencing a's ticket: a has no token) and takes the location.
        CommandOutcome? bOutcome = null;
        var once = 0;
        db.Fault = point =>
        {
            if (point == "claimed" && Interlocked.Exchange(ref once, 1) == 0)
            {
                bOutcome = b.Ledger.ExecuteAsync(Upload(b, "t1", "loc-fenced")).GetAwaiter().GetResult();
            }
        };
        CommandOutcome aOutcome;
        try
        {
            aOutcome = await a.Ledger.ExecuteAsync(Upload(a, "t1", "loc-fenced"));
        }
        finally
        {
            db.Fault = null;
        }

        Assert.Equal(CommandStatus.Applied, bOutcome?.Status);
        Assert.Equal(("DuplicateLocationInAnotherTenant", "T4"), (aOutcome.Rejection?.Code, aOutcome.Rejection?.Rule));
        Assert.Equal("fenced-b held t1", await db.ClaimAsync("loc-fenced"));
        Assert.Equal(0, await db.LiveTokensAsync("fenced-a", "loc-fenced"));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public async Task deleting_the_last_token_of_a_location_frees_it_for_another_tenant_after_a_crash_before_the_settle()
    {
        var a = await TenantAsync("del-a");
        var b = await TenantAsync("del-b");
        await a.RunAsync(Upload(a, "t1", "loc-del"));
        await db.CrashAtAsync("committed", () => a.Ledger.ExecuteAsync(new DeleteToken(new TokenId("t1"), a.NextId(), TokenAdmin)));
        Assert.Equal("del-a changing t1", await db.ClaimAsync("loc-del"));

        var taken = await b.Ledger.ExecuteAsync(Upload(b, "t1", "loc-del"));

        Assert.Equal(CommandStatus.Applied, taken.Status);
        Assert.Equal("del-b held t1", await db.ClaimAsync("loc-del"));
    }
}
