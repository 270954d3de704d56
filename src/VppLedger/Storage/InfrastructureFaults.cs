using System.Net.Sockets;
using Marten;
using Npgsql;

namespace VppLedger.Storage;

/// <summary>
/// Tells an infrastructure fault (the database unreachable, restarting, crashed, a dropped connection, a timeout)
/// from everything else, and turns it into the one documented <see cref="LedgerUnavailableException"/>.
/// A PostgreSQL error that the same input would raise again (a bad value, a constraint, a bug) is never a fault:
/// it stays what it is, so that bad input can never hide behind "retry later".
/// </summary>
internal static class InfrastructureFaults
{
    /// <summary>True when <paramref name="exception"/> says the database is unavailable, and the caller did not cancel.</summary>
    public static bool IsFault(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is LedgerUnavailableException || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return false;
        }

        var sawFault = false;
        foreach (var node in Flatten(exception))
        {
            switch (node)
            {
                // Must precede NpgsqlException: PostgresException derives from it.
                case PostgresException pg:
                    if (!IsUnavailableState(pg.SqlState))
                    {
                        return false;
                    }

                    sawFault = true;
                    break;
                // A bare TimeoutException is not the database's: Npgsql reports its own timeouts as NpgsqlException.
                case NpgsqlException or IOException or SocketException:
                    sawFault = true;
                    break;

                // Npgsql disposes the transaction of a broken connection; the commit or rollback then finds it gone.
                // (A disposed data source or store is the host's own doing, not a fault: it stays what it is.)
                case ObjectDisposedException { ObjectName: "NpgsqlTransaction" or "NpgsqlConnection" or "Npgsql.NpgsqlTransaction" or "Npgsql.NpgsqlConnection" }:
                    sawFault = true;
                    break;
            }
        }

        return sawFault;
    }

    /// <summary>
    /// Class 08 (connection), 53 (insufficient resources), 58 (system error), 57P01-57P05 (shutdown, crash, starting
    /// up, idle session timeout), 57014 (a statement timeout; the caller's own cancellation was excluded before),
    /// 25P03 (idle in transaction timeout), and the server refusing the configured login: class 28 (authorization)
    /// and 3D000 (no such database). None of them depends on the command's values.
    /// </summary>
    private static bool IsUnavailableState(string? state) => state is not null
        && (state.StartsWith("08", StringComparison.Ordinal)
            || state.StartsWith("53", StringComparison.Ordinal)
            || state.StartsWith("58", StringComparison.Ordinal)
            || state.StartsWith("57P", StringComparison.Ordinal)
            || state.StartsWith("28", StringComparison.Ordinal)
            || state is "57014" or "25P03" or "3D000");

    /// <summary>The exception to throw for <paramref name="cause"/>; its message names what was being done, never a value.</summary>
    public static LedgerUnavailableException Unavailable(string doing, bool outcomeUnknown, Exception cause)
    {
        var state = Flatten(cause).OfType<PostgresException>().FirstOrDefault()?.SqlState;
        var what = state is null ? cause.GetType().Name : $"{cause.GetType().Name} {state}";
        var outcome = outcomeUnknown
            ? "The connection dropped while or after the commit was sent: it may have been applied."
            : "Nothing was written.";
        return new LedgerUnavailableException(
            $"The database was unavailable while {doing} ({what}). {outcome} Retry when the database is back, a command with the same command id: that is always safe (rule I4).",
            outcomeUnknown,
            cause);
    }

    /// <summary>Runs a read (or an idempotent step when <paramref name="writes"/>) and turns a fault into <see cref="LedgerUnavailableException"/>.</summary>
    public static async Task<T> ReadAsync<T>(string doing, Func<Task<T>> read, CancellationToken cancellationToken, bool writes = false)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (IsFault(e, cancellationToken))
        {
            throw Unavailable(doing, outcomeUnknown: writes, e);
        }
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(exception.InnerException is { } i ? [i] : []);
        foreach (var e in inner)
        {
            foreach (var nested in Flatten(e))
            {
                yield return nested;
            }
        }
    }
}

/// <summary>
/// Says whether a session's commit was sent: Marten calls every transaction participant after the batch ran and just
/// before COMMIT. A fault before that point left nothing behind; after it, the outcome is unknown.
/// </summary>
internal sealed class CommitProbe : ITransactionParticipant
{
    private volatile bool _commitSent;

    /// <summary>True once the current attempt reached its COMMIT.</summary>
    public bool CommitSent => _commitSent;

    /// <summary>Watches the next attempt's session. A session that cannot be watched counts as committing (unknown).</summary>
    public void Watch(IDocumentSession session)
    {
        if (session is ITransactionParticipantRegistrar registrar)
        {
            _commitSent = false;
            registrar.AddTransactionParticipant(this);
        }
        else
        {
            _commitSent = true;
        }
    }

    public Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
    {
        _commitSent = true;
        return Task.CompletedTask;
    }
}
