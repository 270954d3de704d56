using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Infrastructure;
using VppLedger.Feed;

namespace VppLedger.Cli.Commands;

/// <summary>
/// <c>vppledger tail --tenant ID [--follow] [--json]</c>: the tenant's change feed in log order (docs/change-feed.md);
/// under <c>--subscription NAME</c> from that subscription's checkpoint, committed after each batch.
/// </summary>
internal sealed class TailCommand : CliCommand<TailCommand.Settings>
{
    internal sealed class Settings : TenantSettings
    {
        [CommandOption("-f|--follow")]
        [Description("Keep waiting for new events (Ctrl+C stops).")]
        public bool Follow { get; init; }

        [CommandOption("--subscription <NAME>")]
        [Description("Resume from this durable subscription's checkpoint and commit it after each batch.")]
        public string? Subscription { get; init; }

        [CommandOption("--after <POSITION>")]
        [Description("Without --subscription: start after this log position (0: the beginning).")]
        [DefaultValue(0L)]
        public long After { get; init; }

        [CommandOption("--poll <MILLISECONDS>")]
        [Description("With --follow: the pause between two reads that found nothing new.")]
        [DefaultValue(1000)]
        public int PollMilliseconds { get; init; } = 1000;

        public override ValidationResult Validate() =>
            After < 0 ? ValidationResult.Error("--after must be 0 or more.")
            : PollMilliseconds < 1 ? ValidationResult.Error("--poll must be 1 ms or more.")
            : base.Validate();
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        var connection = Database.ResolveConnection(settings, host);
        await using var ledger = Database.OpenLedger(connection, settings, host.Clock);
        var tenant = await Database.TenantAsync(ledger, settings.Tenant!, cancellationToken).ConfigureAwait(false);
        IChangeFeed feed;
        try
        {
            feed = tenant.ChangeFeed(settings.Subscription ?? "vppledger-tail");
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, $"--subscription: {e.Message}", e);
        }

        IChangeSink sink = settings.Json ? new NdjsonChangeSink(host.Output) : new TextSink(host.Console);
        var options = new ChangeFeedOptions { Follow = settings.Follow, PollInterval = TimeSpan.FromMilliseconds(settings.PollMilliseconds) };
        try
        {
            if (settings.Subscription is not null)
            {
                await feed.RunAsync(sink, options, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ReadWithoutCommittingAsync(feed, tenant.Tenant, sink, settings.After, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (settings.Follow && cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends a follow: what was printed stands, and a subscription keeps its last committed checkpoint.
        }

        return ExitCodes.Ok;
    }

    private static async Task ReadWithoutCommittingAsync(IChangeFeed feed, TenantId tenant, IChangeSink sink, long after, ChangeFeedOptions options, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await feed.ReadAsync(after, options.BatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                if (!options.Follow)
                {
                    return;
                }

                await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await sink.DeliverAsync(tenant, batch, cancellationToken).ConfigureAwait(false);
            after = batch[^1].Position;
        }
    }

    /// <summary>One line per event for people: position, business time, stream, event, actor.</summary>
    private sealed class TextSink(IAnsiConsole console) : IChangeSink
    {
        public Task DeliverAsync(TenantId tenant, IReadOnlyList<FeedEvent> batch, CancellationToken cancellationToken)
        {
            foreach (var e in batch)
            {
                console.MarkupLine($"{e.Position,8} {Format.When(e.OccurredAt)} {Markup.Escape(e.Stream)} v{e.Version} {Markup.Escape(e.EventName)} [grey]{Markup.Escape(e.Actor ?? "-")}[/]");
            }

            return Task.CompletedTask;
        }
    }
}
