using NodaTime;

namespace VppLedger.Operations;

/// <summary>Where a large operation stands, folded from its stream.</summary>
/// <param name="Started">A first page committed.</param>
/// <param name="PagesCommitted">How many pages committed (the next page's number).</param>
/// <param name="Cursor">Where the next page starts; null before the first page and after the last.</param>
/// <param name="Completed">The last page committed.</param>
internal sealed record OperationState(bool Started, int PagesCommitted, string? Cursor, bool Completed)
{
    public static OperationState Initial { get; } = new(false, 0, null, false);

    /// <summary>Still to finish: started and not completed.</summary>
    public bool InProgress => Started && !Completed;
}

/// <summary>
/// The paging decisions of a large operation, pure: which operation events a committed page adds, and where a
/// resumed run starts. Each page is its own transaction with its own idempotency record; this stream says which pages
/// are done, so a replayed page decides nothing and a resumed run starts after the last committed one.
/// </summary>
internal static class OperationPaging
{
    /// <summary>Folds one event; never validates, never throws.</summary>
    public static OperationState Evolve(OperationState state, IOperationEvent e) => e switch
    {
        OperationStarted => state with { Started = true },
        OperationPageCommitted p => state with { PagesCommitted = p.Page + 1, Cursor = p.Cursor },
        OperationCompleted c => state with { PagesCommitted = c.PageCount, Cursor = null, Completed = true },
        _ => state,
    };

    /// <summary>
    /// The events page <paramref name="page"/> adds when it commits and leaves <paramref name="next"/> to do (null:
    /// nothing left). A command that is done in its first page records nothing (no operation at all); a page already
    /// committed, or one of a completed operation, decides nothing (rule I4).
    /// </summary>
    /// <exception cref="InvalidOperationException">The page skips one not committed yet: a bug of the caller.</exception>
    public static IReadOnlyList<IOperationEvent> AfterPage(
        OperationState state, CommandId operation, string commandType, string command, int page, string? next, Instant now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        if (state.Completed || page < state.PagesCommitted)
        {
            return [];
        }

        if (page > state.PagesCommitted)
        {
            throw new InvalidOperationException($"Page {page} of operation '{operation}' follows page {state.PagesCommitted - 1}: pages commit in order.");
        }

        if (page == 0 && next is null)
        {
            return [];
        }

        var events = new List<IOperationEvent>(2);
        if (page == 0)
        {
            events.Add(new OperationStarted(operation, commandType, command, now));
        }

        events.Add(next is null
            ? new OperationCompleted(operation, checked(page + 1), now)
            : new OperationPageCommitted(operation, page, next, now));
        return events;
    }

    /// <summary>Where a resumed run of the operation starts: the next page and its cursor; null when there is nothing to resume.</summary>
    public static (int Page, string Cursor)? ResumeAt(OperationState state) =>
        state.InProgress && state.Cursor is { } cursor ? (state.PagesCommitted, cursor) : null;
}
