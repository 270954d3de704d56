using System.Net.Sockets;
using Marten.Exceptions;
using Npgsql;
using VppLedger.Storage;

namespace VppLedger.ReliabilityTests;

/// <summary>
/// The classification behind <see cref="LedgerUnavailableException"/>: a PostgreSQL error that the same input would
/// raise again (a value PostgreSQL refuses, a constraint, a bug) is never an infrastructure fault, even wrapped by
/// Marten; a lost connection, a restart, a timeout or a refused login is.
/// </summary>
public sealed class bad_input_is_never_taken_for_an_unavailable_database
{
    [Theory]
    [Trait("Rule", "I3")]
    [InlineData("57P01", true)] // terminating connection due to administrator command, or an unexpected postmaster exit
    [InlineData("57P02", true)]
    [InlineData("57P03", true)] // the database system is starting up
    [InlineData("08006", true)]
    [InlineData("08001", true)]
    [InlineData("53300", true)] // too many connections
    [InlineData("28P01", true)] // password authentication failed
    [InlineData("3D000", true)] // no such database
    [InlineData("22P05", false)] // unsupported Unicode escape sequence: a NUL in a value
    [InlineData("22021", false)] // invalid byte sequence
    [InlineData("23505", false)] // unique violation: a conflict, decided again by the runner
    [InlineData("40001", false)] // serialization failure: a conflict
    [InlineData("42P01", false)] // no such table: the schema step was not run
    [InlineData("XX000", false)] // internal error: a bug
    public void a_postgres_error_is_a_fault_only_for_the_states_of_an_unavailable_database(string sqlState, bool fault)
    {
        var postgres = new PostgresException("message", "ERROR", "ERROR", sqlState);
        Assert.Equal(fault, InfrastructureFaults.IsFault(postgres, CancellationToken.None));
        Assert.Equal(fault, InfrastructureFaults.IsFault(new MartenCommandException(new NpgsqlCommand("select 1"), postgres), CancellationToken.None));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_broken_connection_a_timeout_and_a_transaction_disposed_by_a_broken_connection_are_faults()
    {
        Assert.True(InfrastructureFaults.IsFault(new NpgsqlException("Exception while reading from stream", new IOException("broken", new SocketException(104))), CancellationToken.None));
        Assert.True(InfrastructureFaults.IsFault(new NpgsqlException("The operation has timed out", new TimeoutException()), CancellationToken.None));
        Assert.True(InfrastructureFaults.IsFault(new ObjectDisposedException("NpgsqlTransaction"), CancellationToken.None));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_bug_a_disposed_store_and_the_callers_own_cancellation_are_not_faults()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.False(InfrastructureFaults.IsFault(new InvalidOperationException("a bug"), CancellationToken.None));
        Assert.False(InfrastructureFaults.IsFault(new ArgumentException("bad value"), CancellationToken.None));
        Assert.False(InfrastructureFaults.IsFault(new ObjectDisposedException("NpgsqlDataSource"), CancellationToken.None));
        Assert.False(InfrastructureFaults.IsFault(new OperationCanceledException(cancelled.Token), cancelled.Token));
    }

    [Fact]
    [Trait("Rule", "I4")]
    public void the_message_says_what_to_do_and_never_carries_a_value_of_the_command()
    {
        var e = InfrastructureFaults.Unavailable("RecordUser 'cmd-1' ran", outcomeUnknown: true, new PostgresException("duplicate key value (secret-value)", "FATAL", "FATAL", "57P01"));
        Assert.True(e.OutcomeUnknown);
        Assert.Contains("same command id", e.Message, StringComparison.Ordinal);
        Assert.Contains("57P01", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", e.Message, StringComparison.Ordinal);
    }
}
