using BenchmarkDotNet.Attributes;
using VppLedger.Assignments;
using VppLedger.Benchmarks.Postgres;
using VppLedger.Directory;
using VppLedger.Pools;

namespace VppLedger.Benchmarks;

/// <summary>
/// Assigning an app to a user group of 10,000 members (<c>CreateAssignment</c>, user licenses, required): the
/// members are read 1,000 a page and granted 5,000 a transaction, so one invocation writes 10,001 events in two
/// transactions. Each invocation assigns a new pool (made in the iteration set-up, not timed). Times are per member.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class LedgerAssignmentBenchmarks
{
    private const int Members = 10_000;
    private LedgerTenant _ledger = null!;
    private readonly GroupId _group = new("all-staff");
    private PoolId _pool;
    private int _adam = 500_000_000;

    [GlobalSetup]
    public async Task Setup()
    {
        _ledger = await LedgerTenant.OpenAsync("bench_assign");
        var users = await _ledger.UsersAsync("member-", Smoke.Active ? 500 : Members);
        await _ledger.RunAsync(new CreateGroup(_group, GroupKind.User, _ledger.NextId(), LedgerTenant.Admin));
        foreach (var chunk in users.Chunk(GroupDecider.MaxMembersPerCommand))
        {
            await _ledger.RunAsync(new AddGroupMembers(_group, [.. chunk.Select(GroupMember.ForUser)], _ledger.NextId(), LedgerTenant.Admin));
        }

        await _ledger.VacuumAnalyzeAsync();
    }

    [IterationSetup]
    public void NewPool() => _pool = _ledger.PoolAsync(Interlocked.Increment(ref _adam), Members + 1_000).GetAwaiter().GetResult();

    [GlobalCleanup]
    public async Task Cleanup() => await _ledger.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Members, Description = "Ledger CreateAssignment to a group of 10,000 users")]
    public Task<CommandOutcome> AssignToGroup() =>
        _ledger.RunAsync(new CreateAssignment(_pool, _group, AssignmentIntent.Required, LicenseType.User, _ledger.NextId(), LedgerTenant.Admin));
}
