using Spectre.Console;
using VppLedger.Cli.Commands;
using VppLedger.Pools;
using VppLedger.Reading;

namespace VppLedger.Cli.Infrastructure;

/// <summary>The tables people read: the same columns in <c>report</c> and in the demo.</summary>
internal static class Tables
{
    public static Table Pools(IReadOnlyList<PoolSummary> pools, Func<PoolId, string>? name = null)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Pools[/]")
            .AddColumn("Token").AddColumn("App");
        if (name is not null)
        {
            table.AddColumn("Name");
        }

        foreach (var column in new[] { "Total", "Used", "user/device", "Available", "Queued" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        table.AddColumn("Notes");
        foreach (var p in pools)
        {
            var notes = new List<string>();
            if (p.OverAllocated)
            {
                notes.Add("[red]over-allocated (S4)[/]");
            }

            if (p.QueuedCount > 0)
            {
                notes.Add("[yellow]oversubscribed (A6)[/]");
            }

            if (p.DriftCount != 0)
            {
                notes.Add($"[yellow]drift {p.DriftCount:+#;-#} vs Apple (S2)[/]");
            }

            if (p.Orphaned)
            {
                notes.Add("[grey]orphaned: token deleted (T10)[/]");
            }

            var cells = new List<string> { Markup.Escape(p.Pool.Token.Value), p.Pool.AdamId.Value };
            if (name is not null)
            {
                cells.Add(Markup.Escape(name(p.Pool)));
            }

            cells.AddRange([
                Format.Count(p.TotalCount),
                Format.Count(p.UsedCount),
                $"{Format.Count(p.UserLicenseCount)}/{Format.Count(p.DeviceLicenseCount)}",
                Format.Count(p.AvailableCount),
                Format.Count(p.QueuedCount),
                notes.Count == 0 ? "" : string.Join(", ", notes),
            ]);
            table.AddRow(cells.ToArray());
        }

        if (pools.Count == 0)
        {
            table.AddEmptyRow();
        }

        return table;
    }

    public static Table Tokens(IReadOnlyList<TokenSummary> tokens)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Tokens[/]")
            .AddColumn("Token").AddColumn("Name").AddColumn("Organization").AddColumn("State").AddColumn("Expires").AddColumn("Fingerprint");
        foreach (var t in tokens)
        {
            table.AddRow(
                Markup.Escape(t.Token.Value),
                Markup.Escape(t.Name),
                Markup.Escape(t.Organization),
                TokenInspectCommand.StateMarkup(t.Status),
                Format.When(t.ExpiresAt),
                t.Fingerprint);
        }

        return table;
    }

    public static Spectre.Console.Rendering.IRenderable Queue(IReadOnlyList<QueuedHolder> queue, long queuedCount)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Queue head[/]")
            .AddColumn(new TableColumn("Position").RightAligned()).AddColumn("Holder");
        foreach (var q in queue)
        {
            table.AddRow(Format.Count(q.Position), Markup.Escape(q.Holder.Key));
        }

        return new Rows(table, new Markup($"{Format.Count(queuedCount)} waiting in all, first in first out.\n"));
    }
}
