namespace VppLedger.Cli.Infrastructure;

/// <summary>An error a person can act on: one sentence that says what to do, and the exit code that goes with it.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public CliException(int exitCode, string message, Exception innerException)
        : base(message, innerException) => ExitCode = exitCode;

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.Unexpected;
}
