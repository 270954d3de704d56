using System.Text;
using VppLedger.ReliabilityTests.Infrastructure;
using VppLedger.Storage;
using VppLedger.Tokens;
using Xunit.Abstractions;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// A unique secret is planted through every path that carries a token secret: an upload, a renewal, a rejected upload,
/// an upload that failed in the database, a file the tool inspects. Then a pg_dump of the whole schema, every export,
/// every tool output, the server log and every answer the host got are searched: the secret (or the file that carries
/// it) appears nowhere but in the token's own secret document, and a replaced or refused secret appears nowhere (T12).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class a_planted_secret_appears_only_in_its_own_document(ReliabilityRun run, ITestOutputHelper output)
{
    private static readonly NewtonsoftSerializer Json = new();

    [Fact]
    [Trait("Rule", "T12")]
    public async Task no_dump_export_tool_output_log_or_answer_holds_a_secret_outside_its_own_document()
    {
        var figures = run.For("secrets");
        var (ledger, clock, schema) = run.NewLedger(maxPoolSize: 5);
        await using var _ = ledger;
        await ledger.ApplySchemaAsync();
        await Faults.InstallAsync(run, schema);
        var work = new Workload(ledger.ForTenant(new TenantId("secrets")), clock.GetCurrentInstant(), "secret1x", 1, 2, 3);
        string Plant(string path) => $"PLANTED-{path}-{Guid.NewGuid():N}";

        var uploaded = Plant("upload");
        var renewed = Plant("renew");
        var refused = Plant("refused");
        var failed = Plant("failed");
        var inspected = Plant("inspect");
        var heard = new StringBuilder(); // every answer the host got
        async Task Run(ILedgerCommand command)
        {
            try
            {
                heard.AppendLine(Json.ToJson(await Host.ExecuteAsync(work.Ledger, command, figures) ?? (object)"none"));
            }
            catch (Exception e)
            {
                heard.AppendLine(e.ToString());
            }
        }

        var upload = work.Upload(uploaded);
        await Run(upload);
        await Run(new RenewTokenFile(work.Token, VppTokenFile.Create($"Organization {work.Tag}", renewed, work.Now + NodaTime.Duration.FromDays(400)), work.Location, work.NextId("renew"), Workload.Tokens));
        var refusedUpload = work.Upload(refused, consent: false) with { Token = new TokenId("tok-refused") };
        await Run(refusedUpload);
        var failedUpload = work.Upload(failed) with { Token = new TokenId("tok-failed"), Id = new CommandId("fail-before-secret") };
        await Run(failedUpload);
        await Run(work.Counts(work.Pools[0], 3));
        heard.AppendLine(await work.Ledger.RevealTokenSecretAsync(work.Token) is { } revealed ? "revealed a secret of " + revealed.Length + " characters" : "no secret");
        Assert.Equal(renewed, await work.Ledger.RevealTokenSecretAsync(work.Token));

        var file = Path.Combine(Path.GetTempPath(), $"planted-{Guid.NewGuid():N}.vpptoken");
        await File.WriteAllTextAsync(file, VppTokenFile.Create($"Organization {work.Tag}", inspected, work.Now + NodaTime.Duration.FromDays(100)));
        var tools = new StringBuilder();
        try
        {
            var db = Tool.Database(run, schema);
            foreach (var args in new[]
            {
                new[] { "token", "inspect", file },
                ["token", "inspect", file, "--json"],
                ["token", "inspect", file, "--verbose"],
                [.. new[] { "report", "--tenant", "secrets", "--json" }, .. db],
                [.. new[] { "audit", "history", "--tenant", "secrets", "--app", work.Pools[0].AdamId.Value, "--json" }, .. db],
                [.. new[] { "export", "--tenant", "secrets", "--format", "ndjson" }, .. db],
                [.. new[] { "export", "--tenant", "secrets", "--format", "csv" }, .. db],
            })
            {
                var result = await Tool.RunAsync(null, args);
                tools.AppendLine(result.Text).AppendLine(result.Escaped?.ToString());
            }
        }
        finally
        {
            File.Delete(file);
        }

        var exports = new StringWriter();
        await work.Ledger.Audit.ExportAsync(exports, Audit.AuditExportFormat.Ndjson);
        await work.Ledger.Audit.ExportAsync(exports, Audit.AuditExportFormat.Csv);
        var dump = await run.Cluster.RunAsync("pg_dump", "-h", "127.0.0.1", "-p", run.Cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "--schema", schema);
        var (ownDocument, elsewhere) = SplitDump(dump, $"{schema}.mt_doc_tokensecretdoc");
        var serverLog = await File.ReadAllTextAsync(run.Cluster.LogFile);

        var places = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pg_dump outside the secret document"] = elsewhere,
            ["exports"] = exports.ToString(),
            ["tool outputs"] = tools.ToString(),
            ["server log"] = serverLog,
            ["answers to the host"] = heard.ToString(),
        };
        var needles = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["uploaded secret"] = uploaded,
            ["uploaded file"] = upload.FileContent,
            ["renewed secret"] = renewed,
            ["refused secret"] = refused,
            ["refused file"] = refusedUpload.FileContent,
            ["failed secret"] = failed,
            ["failed file"] = failedUpload.FileContent,
            ["inspected secret"] = inspected,
        };

        var leaks = 0;
        foreach (var (needle, value) in needles)
        {
            foreach (var (place, text) in places)
            {
                var count = Occurrences(text, value);
                if (count > 0)
                {
                    output.WriteLine($"{needle}: {count} in {place}");
                    leaks += count;
                }
            }
        }

        // The secret document holds the current secret only: the replaced, refused and failed ones are gone.
        foreach (var gone in new[] { uploaded, refused, failed })
        {
            leaks += Occurrences(ownDocument, gone);
        }

        figures.SecretOccurrences(leaks);
        Assert.Equal(1, Occurrences(ownDocument, renewed));
        Assert.Equal(0, leaks);
        Assert.Equal(0, figures.RawExceptions);
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>The COPY block of one table, and everything else of the dump.</summary>
    private static (string Table, string Elsewhere) SplitDump(string dump, string table)
    {
        var inside = new StringBuilder();
        var rest = new StringBuilder();
        var inTable = false;
        foreach (var line in dump.Split('\n'))
        {
            if (line.StartsWith($"COPY {table} ", StringComparison.Ordinal))
            {
                inTable = true;
                continue;
            }

            if (inTable && line == "\\.")
            {
                inTable = false;
                continue;
            }

            (inTable ? inside : rest).AppendLine(line);
        }

        return (inside.ToString(), rest.ToString());
    }
}
