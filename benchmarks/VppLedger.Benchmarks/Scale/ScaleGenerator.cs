using System.Diagnostics;
using System.Globalization;
using NodaTime;
using VppLedger.Directory;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Benchmarks.Scale;

/// <summary>
/// Builds a synthetic tenant through the public API only (<see cref="ITenantLedger.ExecuteAsync"/>): tokens, then
/// pools, then users, devices and grants interleaved, several commands at a time (different streams do not conflict;
/// concurrent commits share PostgreSQL's WAL flushes). Command ids are deterministic, so a load that stopped can be
/// run again: the commands done replay (nothing written) and the rest are applied.
/// </summary>
internal sealed class ScaleGenerator(ITenantLedger tenant, ScaleSize size, int concurrency)
{
    private static readonly Actor Admin = new("scale-generator", Permissions.All);
    private readonly Instant _expires = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(300);
    private long _events;
    private long _commands;

    /// <summary>Events written so far (replayed commands count none).</summary>
    public long EventCount => Interlocked.Read(ref _events);

    /// <summary>Commands run so far.</summary>
    public long CommandCount => Interlocked.Read(ref _commands);

    /// <summary>The pool with <see cref="ScaleSize.BigPoolHolders"/> holders.</summary>
    public PoolId BigPool => Pool(0);

    public static TokenId Token(int index) => new("tok-" + index.ToString("D4", CultureInfo.InvariantCulture));

    public PoolId Pool(int index) =>
        new(Token(index % size.TokenCount), new AdamId((400_000_000 + index).ToString(CultureInfo.InvariantCulture)));

    public static UserId User(int index) => new("user-" + index.ToString("D6", CultureInfo.InvariantCulture));

    public static DeviceId Device(int index) => new("dev-" + index.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>Runs the three phases; <paramref name="phase"/> is told the name of each as it starts.</summary>
    public async Task LoadAsync(Action<string> phase, CancellationToken cancellationToken)
    {
        phase("tokens");
        await RunAllAsync(Enumerable.Range(0, size.TokenCount).Select(i => (Func<Task>)(() => UploadAsync(i, cancellationToken))), cancellationToken);
        phase("pools");
        await RunAllAsync(Enumerable.Range(0, size.PoolCount).Select(i => (Func<Task>)(() => CountsAsync(i, cancellationToken))), cancellationToken);
        phase("directory");
        await RunAllAsync(Directory(cancellationToken), cancellationToken);
        phase("grants");
        await RunAllAsync(Grants(cancellationToken), cancellationToken);
    }

    // The directory first, in chunks of 1,000 entries: a direct grant takes only holders the directory recorded (rule A1).
    private IEnumerable<Func<Task>> Directory(CancellationToken cancellationToken)
    {
        const int DirectoryChunk = 1_000;
        for (var start = 0; start < size.UserCount; start += DirectoryChunk)
        {
            var from = start;
            yield return () => UsersAsync(from, Math.Min(size.UserCount, from + DirectoryChunk), cancellationToken);
        }

        for (var start = 0; start < size.DeviceCount; start += DirectoryChunk)
        {
            var from = start;
            yield return () => DevicesAsync(from, Math.Min(size.DeviceCount, from + DirectoryChunk), cancellationToken);
        }
    }

    // Each pool's grants in one work item (commands on one pool run in order); the big pool first (it is the
    // longest item), the rest in a fixed shuffled order.
    private IEnumerable<Func<Task>> Grants(CancellationToken cancellationToken)
    {
        var random = new Random(42);
        var others = Enumerable.Range(1, Math.Max(0, size.PoolCount - 1)).OrderBy(_ => random.Next()).ToList();
        return [.. new[] { 0 }.Concat(others).Take(size.PoolCount).Select(p => (Func<Task>)(() => GrantsAsync(p, cancellationToken)))];
    }

    private Task UploadAsync(int i, CancellationToken cancellationToken) => RunAsync(new UploadTokenFile(
        Token(i),
        VppTokenFile.Create("Scale Org", "scale-secret-" + i.ToString(CultureInfo.InvariantCulture), _expires),
        LocationKey.FromAppleLocationId("scale-loc-" + i.ToString(CultureInfo.InvariantCulture)),
        new AppleId($"admin{i}@scale.example", AppleIdKind.Managed),
        new TokenSettings("Scale " + i.ToString(CultureInfo.InvariantCulture), "US", TokenAccountType.Business, true),
        true,
        false,
        Id("tok", i),
        Admin), cancellationToken);

    // Purchased counts leave a little room, except one pool in ten, which queues 10% of its holders (rule A6).
    private Task CountsAsync(int p, CancellationToken cancellationToken)
    {
        var holders = HoldersIn(p);
        var purchased = p % 10 == 9 ? holders - (holders / 10) : holders + 50;
        return RunAsync(new ApplyAppleCounts(Pool(p), ProductKind.App, purchased, 0, null, Id("pool", p), Admin), cancellationToken);
    }

    // One RecordDirectory command per chunk: a tenant's audit chain commits one transaction at a time, so one
    // command per user would be bound by the disk's flush rate (about 150 commands/s here), whatever the concurrency.
    private Task UsersAsync(int from, int to, CancellationToken cancellationToken) =>
        RunAsync(new RecordDirectory(
            [.. Enumerable.Range(from, to - from).Select(i => new DirectoryUser(User(i), null, new AppleId(User(i).Value + "@scale.example", AppleIdKind.Managed)))],
            [],
            Id("users", from),
            Admin), cancellationToken);

    private Task DevicesAsync(int from, int to, CancellationToken cancellationToken)
    {
        var profile = new DeviceProfile(Platform.iOS, Ownership.Corporate, EnrollmentKind.Device, Supervised: true, Kiosk: false, AppStoreBlocked: false);
        return RunAsync(new RecordDirectory(
            [],
            [.. Enumerable.Range(from, to - from).Select(i => new DirectoryDevice(Device(i), new SerialNumber("SN" + i.ToString("D8", CultureInfo.InvariantCulture)), profile, User(i % size.UserCount), AppleIdKind.Managed))],
            Id("devices", from),
            Admin), cancellationToken);
    }

    // Pool 0 and even pools hold user licenses, odd pools device licenses; each pool takes a run of holders
    // starting at a spread offset, so holders are shared between pools as in a real tenant.
    private async Task GrantsAsync(int p, CancellationToken cancellationToken)
    {
        var holders = HoldersIn(p);
        var users = p % 2 == 0;
        var population = users ? size.UserCount : size.DeviceCount;
        var offset = (int)((long)p * 7_919 % population);
        for (int start = 0, part = 0; start < holders; start += size.HoldersPerCommand, part++)
        {
            var batch = new List<Holder>(size.HoldersPerCommand);
            for (var i = start; i < Math.Min(holders, start + size.HoldersPerCommand); i++)
            {
                var n = (offset + i) % population;
                batch.Add(users ? Holder.ForUser(User(n), AppleIdKind.Managed) : Holder.ForDevice(Device(n)));
            }

            await RunAsync(new GrantLicenses(Pool(p), batch, Id("grant", p, part), Admin), cancellationToken);
        }
    }

    private int HoldersIn(int p) => p == 0 ? size.BigPoolHolders : size.HoldersPerPool;

    private async Task RunAllAsync(IEnumerable<Func<Task>> items, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (item, _) => await item());

    private long _conflictsExhausted;

    /// <summary>Commands the ledger refused with ConcurrencyConflict (its own retries exhausted) and the generator sent again.</summary>
    public long ConflictsExhausted => Interlocked.Read(ref _conflictsExhausted);

    private async Task RunAsync(ILedgerCommand command, CancellationToken cancellationToken)
    {
        // As a host does with ConcurrencyConflict (docs/errors.md): the same command id again. Uploads all read the
        // tenant's token count (T1), so 8 at a time under a sustained stream can exhaust the ledger's own retries.
        var outcome = await tenant.ExecuteAsync(command, cancellationToken);
        for (var retry = 0; retry < 20 && outcome.Rejection?.Code == RejectionCodes.ConcurrencyConflict; retry++)
        {
            Interlocked.Increment(ref _conflictsExhausted);
            outcome = await tenant.ExecuteAsync(command, cancellationToken);
        }

        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"{command.GetType().Name} {command.Id} was rejected: {outcome.Rejection}");
        }

        Interlocked.Add(ref _events, outcome.IsReplay ? 0 : outcome.Changes.Count);
        Interlocked.Increment(ref _commands);
    }

    private static CommandId Id(string kind, int index, int part = 0) =>
        new(string.Create(CultureInfo.InvariantCulture, $"scale-{kind}-{index}-{part}"));
}
