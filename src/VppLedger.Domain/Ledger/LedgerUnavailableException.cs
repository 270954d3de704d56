namespace VppLedger;

/// <summary>
/// The one exception the ledger throws for an infrastructure fault: the database could not be reached, went away
/// (a restart, a crash, a dropped connection, a timeout) or is starting up. The cause is the inner exception.
/// Bad input never produces it: bad input gets a typed <see cref="Rejection"/>.
/// </summary>
/// <remarks>
/// What to do is always the same: retry the command with the same command id once the database is back. That is
/// safe whatever happened (rule I4): a command that did commit returns its first outcome and writes nothing more; one
/// that did not is decided on the state it finds. <see cref="OutcomeUnknown"/> says which case a host is in when it
/// cannot retry (for example to tell a person "maybe" rather than "no").
/// </remarks>
public sealed class LedgerUnavailableException : Exception
{
    /// <summary>Creates the exception for a fault during a command or query.</summary>
    /// <param name="message">What was being done when the fault happened, and what to do.</param>
    /// <param name="outcomeUnknown">True when the connection dropped while or after the commit was sent.</param>
    /// <param name="innerException">The fault as the database driver reported it.</param>
    public LedgerUnavailableException(string message, bool outcomeUnknown, Exception innerException)
        : base(message, innerException)
    {
        OutcomeUnknown = outcomeUnknown;
    }

    /// <summary>Creates the exception with a message only; the outcome is unknown.</summary>
    /// <param name="message">The message.</param>
    public LedgerUnavailableException(string message)
        : base(message)
    {
        OutcomeUnknown = true;
    }

    /// <summary>Creates the exception with a message and its cause; the outcome is unknown.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LedgerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        OutcomeUnknown = true;
    }

    /// <summary>Creates the exception with no message; the outcome is unknown.</summary>
    public LedgerUnavailableException()
    {
        OutcomeUnknown = true;
    }

    /// <summary>
    /// True when the command may have been applied: the connection dropped while the commit was sent or before its
    /// answer came back, or an earlier part of a command written in several transactions was committed. False when
    /// it certainly was not applied (the fault came before the commit was sent, or it was a query). Either way, retry
    /// with the same command id (rule I4).
    /// </summary>
    public bool OutcomeUnknown { get; }

    /// <summary>True when the command certainly wrote nothing (the opposite of <see cref="OutcomeUnknown"/>).</summary>
    public bool CertainlyNotApplied => !OutcomeUnknown;
}
