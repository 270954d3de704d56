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

    [CommandOption("--database <NAME=CONNECTION>")]
    [Description("A database of the ledger besides the control one (--connection), as the host adds it (docs/scale-out.md); repeat it for each. Tenants are then found in the registry of the control database.")]
    public string[] Databases { get; init; } = [];

    public override Spectre.Console.ValidationResult Validate()
    {
        var schema = SchemaOption.Validate(Schema);
        if (!schema.Successful)
        {
            return schema;
        }

        try
        {
            ConfigureDatabases(new VppLedgerOptions());
            return Spectre.Console.ValidationResult.Success();
        }
        catch (ArgumentException e)
        {
            return Spectre.Console.ValidationResult.Error($"--database: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }

    /// <summary>The schema and the databases of these options, as the host configures them; with <c>--database</c> the registry is used.</summary>
    public void Configure(VppLedgerOptions options)
    {
        options.SchemaName = Schema;
        ConfigureDatabases(options);
    }

    private void ConfigureDatabases(VppLedgerOptions options)
    {
        foreach (var database in Databases ?? [])
        {
            var at = database.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new ArgumentException($"'{database}' is not NAME=CONNECTION (for example --database \"db2=Host=db2;Username=vpp;Database=mdm\").");
            }

            options.Databases.Add(database[..at], database[(at + 1)..]);
        }

        if (Databases is { Length: > 0 })
        {
            options.Databases.UseRegistry();
        }
    }
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
