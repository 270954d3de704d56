using NodaTime;
using Spectre.Console;

namespace VppLedger.Cli.Infrastructure;

/// <summary>What every command gets from the entry point: where to write, the environment to read, the clock.</summary>
/// <param name="Console">The console for data (tables for people) on standard output.</param>
/// <param name="Output">The raw standard output, for JSON and exports.</param>
/// <param name="Error">Where errors go: one sentence each.</param>
/// <param name="Environment">Reads an environment variable.</param>
/// <param name="Clock">The current time.</param>
internal sealed record CliHost(IAnsiConsole Console, TextWriter Output, TextWriter Error, Func<string, string?> Environment, IClock Clock)
{
    /// <summary>
    /// The console for progress and status on standard error (what a script piping the data does not want); the data
    /// console when none was given.
    /// </summary>
    public IAnsiConsole Status { get; init; } = Console;
}
