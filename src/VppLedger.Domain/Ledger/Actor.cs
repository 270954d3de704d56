namespace VppLedger;

/// <summary>What an actor may do (rule X1).</summary>
[Flags]
public enum Permissions
{
    /// <summary>No permission.</summary>
    None = 0,

    /// <summary>"Managed apps": upload, renew, configure, sync and delete location tokens.</summary>
    ManagedApps = 1,

    /// <summary>"Mobile apps": assign VPP apps and revoke their licenses.</summary>
    MobileApps = 2,

    /// <summary>Report directory facts (users, devices, groups); what a host's sync job holds.</summary>
    Directory = 4,

    /// <summary>
    /// Import history recorded elsewhere into a tenant (<c>ITenantAudit.ImportAsync</c>). Held apart from the others:
    /// an import writes tokens, pools and seats at once, so it is given to a migration job or an administrator, not to
    /// every role that manages apps.
    /// </summary>
    ImportHistory = 8,

    /// <summary>Every permission.</summary>
    All = ManagedApps | MobileApps | Directory | ImportHistory,
}

/// <summary>Who issues a command, with the permissions the host granted them (rule X1, I1).</summary>
/// <param name="Name">A name recorded in the log as the actor of every event the command writes.</param>
/// <param name="Permissions">The permissions the host has checked this actor holds.</param>
public sealed record Actor(string Name, Permissions Permissions)
{
    /// <summary>
    /// The name, checked when the actor is built: 1 to <see cref="InputRules.MaxNameLength"/> characters, no control
    /// character (a name is written in log lines and audit rows) and no lone UTF-16 surrogate; else <see cref="ArgumentException"/>.
    /// </summary>
    public string Name { get; } = CheckName(Name);


    /// <summary>True when the actor holds every permission in <paramref name="needed"/>.</summary>
    public bool Has(Permissions needed) => (Permissions & needed) == needed;

    private static string CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("Actor name is empty; name who issues the command (a user, a role or a job), as the log should show it.", nameof(Name));
        }

        var problem = InputRules.OneLineProblem(name, InputRules.MaxNameLength);
        return problem is null
            ? name
            : throw new ArgumentException($"Actor name {problem}; an actor name is 1 to {InputRules.MaxNameLength} characters of one line.", nameof(Name));
    }
}
