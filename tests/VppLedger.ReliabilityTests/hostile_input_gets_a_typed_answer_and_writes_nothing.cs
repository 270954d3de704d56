using System.Text;
using Newtonsoft.Json.Linq;
using NodaTime;
using VppLedger.Directory;
using VppLedger.ReliabilityTests.Infrastructure;
using VppLedger.Tokens;
using Xunit.Abstractions;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// The corpus of hostile input, kept as data files in Corpus/ (token files, command values, NDJSON lines, tool
/// arguments, connection strings): each case names the answers it may get (a typed rejection, a documented exception,
/// an exit code). A case fails on any other answer, a raw exception, a hang, or a write on rejection. A case marked
/// "pending" names the issue that will fix it: it is counted in the table, listed under it, and does not fail the run.
/// The corpus grows with every bug.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed partial class hostile_input_gets_a_typed_answer_and_writes_nothing(ReliabilityRun run, ITestOutputHelper output)
{
    private const string Tenant = "corpus";

    [Fact]
    [Trait("Rule", "T5")]
    public Task hostile_token_files() => RunCorpusAsync("token-files.json", async (c, work) =>
    {
        string content;
        if (c["json"] is { } json)
        {
            content = Convert.ToBase64String(Encoding.UTF8.GetBytes((string)json!));
        }
        else if (c["orgName"] is { } org)
        {
            content = VppTokenFile.Create(Repeat((string)org!, c["orgNameRepeat"]), "secret", work.Now + Duration.FromDays(100));
        }
        else
        {
            content = Repeat((string)c["content"]!, c["repeat"]);
        }

        // A token of its own for each case, so that a case that is (wrongly) applied cannot change the next one's answer.
        return await CommandAsync(work, work.Upload() with { FileContent = content, Token = new TokenId($"tok-case-{Interlocked.Increment(ref _cases)}") });
    });

    [Fact]
    [Trait("Rule", "I3")]
    public Task hostile_command_values() => RunCorpusAsync("command-values.json", async (c, work) =>
    {
        // JSON readers replace a lone surrogate escape with U+FFFD, so the corpus spells one "\\uD800" and it is decoded here.
        var value = LoneSurrogates().Replace(Repeat((string)c["value"]!, c["repeat"]), m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());
        var id = work.NextId("value");
        var device = work.Devices[0];
        Func<ILedgerCommand> build = (string)c["target"]! switch
        {
            "user-id" => () => work.NewUser("placeholder") with { User = new UserId(value) },
            "default-user-id" => () => work.NewUser("placeholder") with { User = default },
            "device-id" => () => work.Grant(work.Pools[0], new DeviceId(value)),
            "group-id" => () => new CreateGroup(new GroupId(value), GroupKind.Device, id, Workload.Sync),
            "group-kind" => () => new CreateGroup(new GroupId("group-hostile"), (GroupKind)int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), id, Workload.Sync),
            "command-id" => () => work.NewUser("u-command") with { Id = new CommandId(value) },
            "actor-name" => () => work.NewUser("u-actor") with { Actor = new Actor(value, Permissions.Directory) },
            "actor-permissions" => () => work.NewUser("u-perm") with { Actor = new Actor("nobody", (Permissions)int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)) },
            "null-actor" => () => work.NewUser("u-null") with { Actor = null! },
            "member-id" => () => new AddGroupMembers(work.Group, [new GroupMember(GroupKind.Device, value)], id, Workload.Sync),
            "null-members" => () => new AddGroupMembers(work.Group, null!, id, Workload.Sync),
            "member-count" => () => new AddGroupMembers(work.Group, [.. Enumerable.Range(0, int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)).Select(i => GroupMember.ForDevice(new DeviceId($"m{i}")))], id, Workload.Sync),
            "grant-unknown-pool" => () => work.Grant(new PoolId(work.Token, new AdamId("999999")), device),
            "purchased-count" => () => work.Counts(work.Pools[0], int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
            "sync-reason" => () => new RecordTokenSyncFailed(work.Token, SyncTrigger.Scheduled, value, id, Workload.Tokens),
            "token-name" => () => work.Upload() with { Token = new TokenId("tok-named"), Settings = new TokenSettings(value, "US", TokenAccountType.Business, true) },
            "history-from" => () => throw new HistoryProbe(),
            var other => throw new InvalidOperationException($"unknown target '{other}' in the corpus"),
        };

        ILedgerCommand command;
        try
        {
            command = build();
        }
        catch (HistoryProbe)
        {
            try
            {
                var rows = await work.Ledger.Audit.HistoryAsync(new Audit.AuditQuery { From = Instant.MinValue }).CountAsync().AsTask().WaitAsync(Host.HangBound);
                return rows == 0 ? "Empty" : "Rows";
            }
            catch (ArgumentException)
            {
                return "ArgumentException";
            }
        }
        catch (ArgumentException)
        {
            return "ArgumentException";
        }

        return await CommandAsync(work, command);
    });

    [Fact]
    [Trait("Rule", "I5")]
    public Task hostile_import_lines() => RunCorpusAsync("ndjson.json", async (c, work) =>
    {
        var lines = ((JArray)c["lines"]!).Select(l => ((string)l!).Replace("{pool}", $"pool:{work.Pools[0].Token.Value}:{work.Pools[0].AdamId.Value}", StringComparison.Ordinal)).ToList();
        if (c["repeatSecond"] is { } repeat)
        {
            lines = [lines[0] + Repeat(lines[1], repeat) + "\"}"];
        }

        using var file = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        var result = await work.Ledger.Audit.ImportAsync(file, new Actor("history-import", Permissions.ImportHistory)).WaitAsync(Host.HangBound);
        return result.Rejection is { } refusal ? $"Refused:{refusal.Rejection.Code}" : $"Imported:{result.ImportedCount}";
    });

    [Fact]
    [Trait("Rule", "I3")]
    public Task hostile_tool_arguments() => RunCorpusAsync("cli-arguments.json", async (c, work) =>
    {
        var args = ((JArray)c["args"]!).Select(a => (string)a!)
            .SelectMany(a => a == "{db}" ? Tool.Database(run, Schema) : [a.Replace("{connection}", run.Cluster.ConnectionString(5), StringComparison.Ordinal)])
            .ToArray();
        return ToolAnswer(await Tool.RunAsync(null, args));
    });

    [Fact]
    [Trait("Rule", "I3")]
    public Task hostile_connection_strings() => RunCorpusAsync("connection-strings.json", async (c, work) =>
    {
        var value = ((string)c["value"]!)
            .Replace("{closedPort}", OwnedCluster.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{port}", run.Cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var tool = ToolAnswer(await Tool.RunAsync(null, "report", "--tenant", Tenant, "--connection", value, "--schema", Schema));
        string api;
        try
        {
            await using var ledger = LicenseLedger.Create(value, o => o.SchemaName = Schema);
            await ledger.ForTenant(new TenantId(Tenant)).ExistsAsync().WaitAsync(Host.HangBound);
            api = "Answered";
        }
        catch (Exception e) when (e is ArgumentException or LedgerUnavailableException)
        {
            api = e is ArgumentException ? "ArgumentException" : "LedgerUnavailableException";
        }

        return $"{tool} {api}";
    }, expectations: c => [.. ((JArray)c["tool"]!).SelectMany(t => ((JArray)c["api"]!).Select(a => $"{t} {a}"))]);

    private int _cases;

    private string Schema { get; set; } = "";

    private async Task RunCorpusAsync(string file, Func<JObject, Workload, Task<string>> answer, Func<JObject, string[]>? expectations = null)
    {
        var figures = run.For("corpus");
        var (ledger, clock, schema) = run.NewLedger(maxPoolSize: 5);
        Schema = schema;
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();
        var work = new Workload(ledger.ForTenant(new TenantId(Tenant)), clock.GetCurrentInstant(), "corpus0x", 1, 3, 5);
        await work.SetUpAsync();
        var corpus = JObject.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Corpus", file)));
        var failures = new List<string>();
        foreach (var c in corpus["cases"]!.Cast<JObject>())
        {
            var name = (string)c["name"]!;
            var expected = expectations?.Invoke(c) ?? [.. ((JArray)c["expect"]!).Select(e => (string)e!)];
            var pending = (string?)c["pending"];
            var before = await WrittenAsync(schema);
            figures.Command();
            string actual;
            try
            {
                actual = await answer(c, work);
            }
            catch (TimeoutException)
            {
                figures.Hang();
                actual = "Hang";
            }
            catch (Audit.AuditImportException)
            {
                actual = "AuditImportException";
            }
            catch (Exception e)
            {
                actual = $"Raw:{e.GetType().Name}: {e.Message.Split('\n')[0][..Math.Min(160, e.Message.Split('\n')[0].Length)]}";
            }

            var wrote = await WrittenAsync(schema) - before;
            var ok = expected.Any(e => Matches(e, actual)) && (wrote == 0 || actual is "Applied" or "Unchanged" || actual.StartsWith("Imported", StringComparison.Ordinal));
            var line = $"{file} / {name}: {actual}{(wrote != 0 ? $" (wrote {wrote} rows)" : "")}; expected {string.Join(" or ", expected)}";
            output.WriteLine((ok ? "ok      " : pending is null ? "FAILED  " : "pending ") + line);
            if (ok)
            {
                if (pending is not null)
                {
                    run.Note($"corpus case passes now, its pending mark ({pending}) can go: {file} / {name}");
                }

                continue;
            }

            if (actual.StartsWith("Raw:", StringComparison.Ordinal) && pending is null)
            {
                figures.RawException(new InvalidOperationException(actual), name);
            }

            if (pending is not null)
            {
                figures.Pending();
                run.Note($"pending ({pending}): {file} / {name}: {actual}");
            }
            else
            {
                failures.Add(line);
            }
        }

        Assert.True(failures.Count == 0, "corpus cases failed:\n" + string.Join('\n', failures));
    }

    private static bool Matches(string expected, string actual) =>
        expected == actual
        || (expected.EndsWith(":*", StringComparison.Ordinal) && actual.StartsWith(expected[..^1], StringComparison.Ordinal))
        || (expected == "Rejection:*" && actual.StartsWith("Rejection:", StringComparison.Ordinal));

    private static async Task<string> CommandAsync(Workload work, ILedgerCommand command)
    {
        try
        {
            var outcome = await work.Ledger.ExecuteAsync(command).WaitAsync(Host.HangBound);
            return outcome.Status == CommandStatus.Rejected ? $"Rejection:{outcome.Rejection!.Code}" : outcome.Status.ToString();
        }
        catch (ArgumentException)
        {
            return "ArgumentException";
        }
    }

    private static string ToolAnswer(ToolRun tool)
    {
        if (tool.Escaped is not null)
        {
            throw tool.Escaped;
        }

        // Without --verbose, an error is one sentence: a stack trace is a raw exception shown to a person.
        return tool.Error.Contains("   at ", StringComparison.Ordinal) ? $"Raw:stack trace on standard error (exit {tool.ExitCode})" : $"Exit:{tool.ExitCode}";
    }

    private async Task<long> WrittenAsync(string schema) =>
        await run.ScalarAsync<long>($"select (select count(*) from {schema}.mt_events where type <> 'tombstone') + (select count(*) from {schema}.mt_doc_commandrecord)");

    private static string Repeat(string value, JToken? count) =>
        count is null ? value : string.Concat(Enumerable.Repeat(value, (int)count));

    private sealed class HistoryProbe : Exception;

    [System.Text.RegularExpressions.GeneratedRegex(@"\\u([dD][89abAB][0-9a-fA-F]{2})")]
    private static partial System.Text.RegularExpressions.Regex LoneSurrogates();
}
