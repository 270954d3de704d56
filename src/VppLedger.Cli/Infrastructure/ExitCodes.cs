namespace VppLedger.Cli.Infrastructure;

/// <summary>The process exit codes of <c>vppledger</c>; docs/cli.md lists them for scripts. Never renumbered.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The ledger rejected a command, or a verification found a difference.</summary>
    public const int Rejected = 1;

    /// <summary>Unknown command or option, missing or malformed argument.</summary>
    public const int Usage = 2;

    /// <summary>No database is configured, or it cannot be reached.</summary>
    public const int NoDatabase = 3;

    /// <summary>An input file is missing, unreadable or malformed (a token file, an import file).</summary>
    public const int BadInputFile = 4;

    /// <summary>The tenant named by <c>--tenant</c> has recorded nothing in this database.</summary>
    public const int UnknownTenant = 5;

    /// <summary>The database is reachable but the ledger's tables are not there: run <c>vppledger db apply</c>.</summary>
    public const int SchemaMissing = 6;

    /// <summary>Anything else: a bug or an infrastructure failure; <c>--verbose</c> shows the stack trace.</summary>
    public const int Unexpected = 70;

    /// <summary>Cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
