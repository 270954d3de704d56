using System.ComponentModel;
using NodaTime;
using Spectre.Console;
using Spectre.Console.Cli;
using VppLedger.Cli.Infrastructure;
using VppLedger.Tokens;

namespace VppLedger.Cli.Commands;

/// <summary><c>vppledger token inspect FILE</c>: what a token file says, offline. Never the secret (rule T12).</summary>
internal sealed class TokenInspectCommand : CliCommand<TokenInspectCommand.Settings>
{
    internal sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The .vpptoken file downloaded from Apple Business Manager or Apple School Manager.")]
        public string File { get; init; } = "";
    }

    protected override async Task<int> RunAsync(CliHost host, Settings settings, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            var info = new FileInfo(settings.File);
            if (!info.Exists)
            {
                throw new CliException(ExitCodes.BadInputFile, $"Token file '{settings.File}' does not exist: pass the path of the .vpptoken file you downloaded.");
            }

            if (info.Length > VppTokenFile.MaxFileBytes)
            {
                throw new CliException(ExitCodes.BadInputFile, $"Token file '{settings.File}' is {info.Length:N0} bytes, more than a token file ever is ({VppTokenFile.MaxFileBytes:N0}): download the token again from Apple Business Manager > Preferences > Payments and Billing.");
            }

            content = await File.ReadAllBytesAsync(settings.File, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInputFile, $"Token file '{settings.File}' cannot be read ({e.Message}): check the path and its permissions.", e);
        }

        // Parsed as of the earliest instant so that an expired file still shows its facts; its state says it is expired.
        var parsed = VppTokenFile.Parse(content, Instant.MinValue);
        if (!parsed.IsValid)
        {
            throw new CliException(ExitCodes.BadInputFile, $"Token file '{settings.File}' is not a valid token file [{parsed.Rejection.Code}]: {parsed.Rejection.Message}");
        }

        var file = parsed.File;
        var now = host.Clock.GetCurrentInstant();
        var window = LedgerPolicy.Article.ExpiringSoonWindow;
        var state = file.ExpiresAt <= now ? TokenStatus.Expired
            : file.ExpiresAt - now <= window ? TokenStatus.ExpiringSoon
            : TokenStatus.Valid;
        var daysLeft = (int)Math.Floor((file.ExpiresAt - now).TotalDays);

        if (settings.Json)
        {
            Format.WriteJson(host, new
            {
                file = Path.GetFileName(settings.File),
                organization = file.OrganizationName,
                expiresAt = Format.Iso(file.ExpiresAt),
                state,
                daysLeft,
                fingerprint = file.Fingerprint.Hex,
                location = file.LocationFromOrganization.Value,
            });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("field").AddColumn("value");
        table.AddRow("Organization", Markup.Escape(file.OrganizationName));
        table.AddRow("Expires", $"{Format.When(file.ExpiresAt)} ({(daysLeft >= 0 ? $"in {daysLeft} days" : $"{-daysLeft} days ago")})");
        table.AddRow("State", StateMarkup(state));
        table.AddRow("Secret fingerprint", $"SHA-256 {file.Fingerprint.Short}… (the secret itself is never shown)");
        table.AddRow("Location key", Markup.Escape(file.LocationFromOrganization.Value));
        host.Console.Write(new Rule($"[bold]{Markup.Escape(Path.GetFileName(settings.File))}[/]").LeftJustified());
        host.Console.Write(table);
        return ExitCodes.Ok;
    }

    internal static string StateMarkup(TokenStatus state) => state switch
    {
        TokenStatus.Valid => "[green]Valid[/]",
        TokenStatus.ExpiringSoon => "[yellow]Expiring soon (rule T2: renew it)[/]",
        TokenStatus.Expired => "[red]Expired (rule T2: cannot sync or grant; renew it)[/]",
        TokenStatus.AssignedToExternalMdm => "[red]Assigned to another MDM (rule T3)[/]",
        TokenStatus.Duplicate => "[yellow]Duplicate (rule T4)[/]",
        TokenStatus.Deleted => "[grey]Deleted (rule T10)[/]",
        _ => state.ToString(),
    };
}
