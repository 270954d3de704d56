using System.ComponentModel;
using Spectre.Console.Cli;

namespace VppLedger.Cli.Infrastructure;

/// <summary>Options every command takes.</summary>
internal class GlobalSettings : CommandSettings
{
    [CommandOption("--verbose")]
    [Description("Show the full exception (stack trace) when something fails.")]
    public bool Verbose { get; init; }
}

/// <summary>Options of the commands that print something a script may read.</summary>
internal class OutputSettings : GlobalSettings
{
    [CommandOption("--json")]
    [Description("Write JSON to standard output instead of tables.")]
    public bool Json { get; init; }
}

/// <summary>Options of the commands that use a database.</summary>
internal class DatabaseSettings : OutputSettings
{
    [CommandOption("-c|--connection <CONNECTION>")]
    [Description("An Npgsql connection string. Default: VPPLEDGER_CONNECTION, else the PG* variables when PGHOST is set.")]
    public string? Connection { get; init; }

    [CommandOption("--schema <SCHEMA>")]
    [Description("The PostgreSQL schema of the ledger's tables.")]
    [DefaultValue("vppledger")]
    public string Schema { get; init; } = "vppledger";

    public override Spectre.Console.ValidationResult Validate() => SchemaOption.Validate(Schema);
}

/// <summary>The <c>--schema</c> option, checked where it enters, by the same rule as <see cref="VppLedgerOptions.SchemaName"/>.</summary>
internal static class SchemaOption
{
    public static Spectre.Console.ValidationResult Validate(string? schema)
    {
        try
        {
            _ = new VppLedgerOptions { SchemaName = schema! };
            return Spectre.Console.ValidationResult.Success();
        }
        catch (ArgumentException e)
        {
            return Spectre.Console.ValidationResult.Error($"--schema: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }
}

/// <summary>Options of the commands that read one tenant.</summary>
internal class TenantSettings : DatabaseSettings
{
    [CommandOption("-t|--tenant <TENANT>")]
    [Description("The tenant (MDM customer) id.")]
    public string? Tenant { get; init; }

    public override Spectre.Console.ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Tenant)
            ? Spectre.Console.ValidationResult.Error("--tenant is required: pass the tenant id, for example --tenant contoso.")
            : base.Validate();
}
