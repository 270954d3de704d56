using NodaTime;

namespace VppLedger.Operations;

/// <summary>
/// Marks the events of a large operation's own stream (<c>operation:{commandId}</c>): a command whose effect grows
/// with the number of holders (revoking every license of a pool or token, deleting a token under
/// <see cref="LedgerPolicy.CurrentApple"/>, changing or removing an assignment of a large group, assigning a large
/// group) commits in pages, one transaction each, and records here where it stands. A command that fits one page
/// has no such stream.
/// </summary>
public interface IOperationEvent : ILedgerEvent
{
    /// <summary>The operation's command id (rule I4): retrying it resumes the operation.</summary>
    CommandId Operation { get; }
}

/// <summary>
/// A command committed its first page and has more to do. Written in the first page's transaction.
/// </summary>
/// <param name="Operation">The command id.</param>
/// <param name="CommandType">The command's type name, for example <c>RevokeLicenses</c>.</param>
/// <param name="Command">The command as the ledger stores it (JSON), so that <c>ITenantLedger.ResumeAsync</c> can finish it.</param>
/// <param name="OccurredAt">When the first page was decided.</param>
public sealed record OperationStarted(CommandId Operation, string CommandType, string Command, Instant OccurredAt) : IOperationEvent;

/// <summary>A page of an operation committed, in the same transaction as the page's own events.</summary>
/// <param name="Operation">The command id.</param>
/// <param name="Page">The page's number, from 0.</param>
/// <param name="Cursor">Where the next page starts (opaque to hosts: a position in the operation's own order).</param>
/// <param name="OccurredAt">When the page was decided.</param>
public sealed record OperationPageCommitted(CommandId Operation, int Page, string Cursor, Instant OccurredAt) : IOperationEvent;

/// <summary>The last page of an operation committed, in the same transaction as its own events.</summary>
/// <param name="Operation">The command id.</param>
/// <param name="PageCount">How many pages (transactions) the operation took.</param>
/// <param name="OccurredAt">When the last page was decided.</param>
public sealed record OperationCompleted(CommandId Operation, int PageCount, Instant OccurredAt) : IOperationEvent;

/// <summary>A large operation whose last page has not committed yet (<c>ITenantLedger.ListOperationsInProgressAsync</c>).</summary>
/// <param name="Operation">The command id; retrying the command with it, or <c>ITenantLedger.ResumeAsync</c>, finishes it.</param>
/// <param name="CommandType">The command's type name.</param>
/// <param name="StartedAt">When its first page was decided.</param>
/// <param name="PagesCommitted">How many pages committed so far.</param>
/// <param name="LastPageAt">When its last committed page was decided.</param>
public sealed record OperationInProgress(CommandId Operation, string CommandType, Instant StartedAt, int PagesCommitted, Instant LastPageAt);
