using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Audit;
using VppLedger.Cli.Infrastructure;

namespace VppLedger.Cli.Commands;

/// <summary>
/// <c>vppledger export --format csv|ndjson</c>: the tenant's audit rows, streamed to standard output or a file. NDJSON
/// lines carry each event's data, so that <c>vppledger import</c> reads an export back.
/// </summary>
internal sealed class ExportCommand : CliCommand<ExportCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("-f|--format <FORMAT>")]
        [Description("csv or ndjson.")]
        [DefaultValue("ndjson")]
        public string Format { get; init; } = "ndjson";

        [CommandOption("-o|--output <FILE>")]
        [Description("Write to this file instead of standard output.")]
        public string? Output { get; init; }

        [CommandOption("--from <INSTANT>")]
        [Description("Only rows that occurred at or after this instant (UTC).")]
        public string? From { get; init; }

        [CommandOption("--to <INSTANT>")]
        [Description("Only rows that occurred before this instant (UTC).")]
        public string? To { get; init; }

        public override ValidationResult Validate() =>
            Format.ToUpperInvariant() is "CSV" or "NDJSON"
                ? base.Validate()
                : ValidationResult.Error($"--format '{Format}' is not a format: use csv or ndjson.");
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var format = settings.Format.Equals("csv", StringComparison.OrdinalIgnoreCase) ? AuditExportFormat.Csv : AuditExportFormat.Ndjson;
        var from = Parse.OptionalInstant(settings.From, "--from");
        var to = Parse.OptionalInstant(settings.To, "--to");
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        await SealNote.WriteAsync(host, tenant, cancellationToken).ConfigureAwait(false);

        if (settings.Output is null)
        {
            await tenant.Audit.ExportAsync(host.Output, format, from, to, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        long count;
        try
        {
            await using var file = new FileStream(settings.Output, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
            count = await tenant.Audit.ExportAsync(file, format, from, to, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInputFile, $"Cannot write '{settings.Output}' ({e.Message}): check the folder exists and is writable.", e);
        }

        if (settings.Json)
        {
            Infrastructure.Format.WriteJson(host, new { tenant = tenant.Tenant.Value, file = settings.Output, format, rows = count });
        }
        else
        {
            host.Console.MarkupLine($"Exported {Infrastructure.Format.Count(count)} audit rows of tenant {Markup.Escape(tenant.Tenant.Value)} to {Markup.Escape(settings.Output)}.");
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>vppledger import FILE</c>: history recorded elsewhere, NDJSON, all or nothing, idempotent.</summary>
internal sealed class ImportCommand : CliCommand<ImportCommand.Settings>
{
    private const int LinesShown = 10;

    /// <summary>The actor of an import run from the tool: whoever may run the tool on this database may import (rule X1).</summary>
    internal static readonly Actor Importer = new("vppledger import", Permissions.ImportHistory);

    internal sealed class Settings : DatabaseSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The NDJSON file: one event a line, in time order (docs/audit.md).")]
        public string File { get; init; } = "";

        [CommandOption("-t|--tenant <TENANT>")]
        [Description("The tenant to import into (it may be new).")]
        public string? Tenant { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Tenant)
                ? ValidationResult.Error("--tenant is required: pass the tenant id, for example --tenant contoso.")
                : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        if (!System.IO.File.Exists(settings.File))
        {
            throw new CliException(ExitCodes.BadInputFile, $"Import file '{settings.File}' does not exist: pass the path of the NDJSON file.");
        }

        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken, mustExist: false).ConfigureAwait(false);

        ImportResult result;
        try
        {
            var lines = await CountLinesAsync(settings.File, cancellationToken).ConfigureAwait(false);
            var progress = new ProgressLine(host, $"Reading {Path.GetFileName(settings.File)}");
            await using var file = new FileStream(settings.File, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            await using var counting = new LineCountingStream(file, read => progress.Report(read, lines));
            var import = tenant.Audit.ImportAsync(counting, Importer, cancellationToken);
            if (await Task.WhenAny(counting.Finished, import).ConfigureAwait(false) == counting.Finished)
            {
                progress.Finish($"read {Format.Count(lines)} events; checking them by the rules of live history and writing them in pages...");
            }

            result = await import.ConfigureAwait(false);
        }
        catch (AuditImportException e)
        {
            var lines = string.Join(Environment.NewLine, e.Errors.Take(LinesShown).Select(l => $"  line {l.Line}: {l.Message}"));
            var more = e.Errors.Count > LinesShown ? $"{Environment.NewLine}  ... and {e.Errors.Count - LinesShown} more" : "";
            throw new CliException(ExitCodes.BadInputFile, $"Nothing was imported: '{settings.File}' has {e.Errors.Count} malformed line(s); fix them and import again.{(lines.Length > 0 ? Environment.NewLine + lines + more : "")}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInputFile, $"Import file '{settings.File}' cannot be read ({e.Message}): check the path and its permissions.", e);
        }

        if (result.Rejection is { } refusal)
        {
            // The pages before the refused line's page committed; running the corrected file again resumes after them.
            var kept = result.ImportedCount == 0 ? "" : $" The {Format.Count(result.ImportedCount)} events before that line's page were imported; import the corrected file again to resume after them.";
            throw new CliException(ExitCodes.BadInputFile, $"'{settings.File}': {refusal.Message}{kept}");
        }

        if (settings.Json)
        {
            Format.WriteJson(host, new { tenant = tenant.Tenant.Value, lines = result.LineCount, imported = result.ImportedCount, alreadyImported = result.AlreadyImportedCount });
        }
        else
        {
            host.Console.MarkupLine($"Imported {Format.Count(result.ImportedCount)} of {Format.Count(result.LineCount)} events into tenant {Markup.Escape(tenant.Tenant.Value)}; {Format.Count(result.AlreadyImportedCount)} were imported before and left as they were.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<long> CountLinesAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        var buffer = new byte[64 * 1024];
        long lines = 0;
        int read;
        var last = (byte)'\n';
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }

        return last == (byte)'\n' ? lines : lines + 1;
    }
}

/// <summary><c>vppledger rebuild</c>: every projection rebuilt from the log (rule I2), with progress by events on standard error.</summary>
internal sealed class RebuildCommand : CliCommand<DatabaseSettings>
{
    protected override async Task<int> RunAsync(CliHost host, DatabaseSettings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var rebuilt = new List<string>();
        var line = new ProgressLine(host, "Rebuilding");
        try
        {
            await RebuildAsync(ledger, rebuilt, line, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Cancelled, "Cancelled: the rebuild stopped part-way, so some projections are not rebuilt yet (the log and the hash chain are untouched); run 'vppledger rebuild' again before the ledger serves reads.", e);
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        line.Finish($"done in {seconds:0.0} s");
        if (settings.Json)
        {
            Format.WriteJson(host, new { schema = settings.Schema, projections = rebuilt, seconds = Math.Round(seconds, 1) });
            return ExitCodes.Ok;
        }

        host.Console.MarkupLine($"Rebuilt {rebuilt.Count} projection(s) from the log in {seconds:0.0} s: {Markup.Escape(string.Join(", ", rebuilt))}.");
        return ExitCodes.Ok;
    }

    private static Task RebuildAsync(ILicenseLedger ledger, List<string> rebuilt, ProgressLine line, CancellationToken cancellationToken) =>
        ledger.RebuildAsync(
            new ProgressReport(p =>
            {
                lock (rebuilt)
                {
                    if (rebuilt.Count < p.Done)
                    {
                        rebuilt.Add(p.Projection);
                    }
                }

                line.Report(p.EventsDone, p.EventsTotal, $"{p.EventsDone:N0} of {p.EventsTotal:N0} events applied to every projection");
            }),
            cancellationToken);

    // Reports synchronously, on the reporting thread (Progress<T> would post to the thread pool, out of order).
    private sealed class ProgressReport(Action<RebuildProgress> onReport) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => onReport(value);
    }
}
