namespace VppLedger.IntegrationTests.Model;

/// <summary>
/// The model test's vocabulary: host actions over a small universe of ids (indices), so that shrinking keeps the
/// sequences readable. <see cref="ModelCommands"/> turns each into the ledger's public command.
/// </summary>
public abstract record Op
{
    /// <summary>Who runs it: the narrow actor the command needs, or (when false) an actor without that permission.</summary>
    public bool RightActor { get; init; } = true;

    public sealed record UploadToken(int Token, int ValidDays) : Op;

    public sealed record RenewToken(int Token, int ValidDays) : Op;

    public sealed record DeleteToken(int Token) : Op;

    public sealed record ChangeTokenSettings(int Token, bool AutomaticUpdates) : Op;

    public sealed record RecordTokenSync(int Token, bool Succeeded) : Op;

    /// <summary>Apple's counts for app <paramref name="App"/> under a token (apps 0-2 are apps, 3 is a book).</summary>
    public sealed record AppleCounts(int Token, int App, int Purchased, int Retired, int? AppleAssigned) : Op;

    public sealed record RecordUser(int User, bool Personal, bool Managed) : Op;

    public sealed record UserLeft(int User) : Op;

    public sealed record RecordDevice(int Device, int? Owner, bool UserEnrollment, bool AppStoreBlocked, bool Mac) : Op;

    public sealed record RetireDevice(int Device) : Op;

    /// <summary>Groups 0 and 1 are user groups, 2 and 3 device groups.</summary>
    public sealed record CreateGroup(int Group) : Op;

    /// <summary>Members by index: users for a user group, devices for a device group.</summary>
    public sealed record AddMembers(int Group, int[] Members) : Op;

    public sealed record RemoveMembers(int Group, int[] Members) : Op;

    public sealed record CreateAssignment(int Token, int App, int Group, AssignmentIntent Intent, LicenseType LicenseType) : Op;

    public sealed record ChangeAssignment(int Token, int App, int Group, AssignmentIntent Intent, LicenseType LicenseType) : Op;

    public sealed record RemoveAssignment(int Token, int App, int Group) : Op;

    /// <summary>A direct grant; a holder is a user index with an Apple ID kind, or a device index (Kind null).</summary>
    public sealed record Grant(int Token, int App, (int Owner, AppleIdKind? Kind)[] Holders) : Op;

    public sealed record RevokeApp(int Token, int App) : Op;

    /// <summary>Apple's answer to an association (issue 13): holders confirmed, holders refused (holders as in <see cref="Grant"/>).</summary>
    public sealed record AppleAnswer(int Token, int App, (int Owner, AppleIdKind? Kind)[] Confirmed, (int Owner, AppleIdKind? Kind)[] Failed) : Op;

    public sealed record RevokeUser(int User) : Op;

    public sealed record RevokeDevice(int Device) : Op;

    public sealed record RevokeToken(int Token) : Op;

    /// <summary>Apple reports the token bound to another MDM (rule T3).</summary>
    public sealed record MarkExternal(int Token) : Op;

    /// <summary>Take the token back from the other MDM (rule T3).</summary>
    public sealed record TakeControl(int Token) : Op;

    /// <summary>Remove the app from the MDM's catalogue: refused for iOS (rule S3), nothing recorded for macOS.</summary>
    public sealed record RemoveApp(int Token, int App, bool Mac) : Op;

    /// <summary>Several users and devices in one command (RecordDirectory), each as its own RecordUser or RecordDevice.</summary>
    public sealed record RecordDirectory(RecordUser[] Users, RecordDevice[] Devices) : Op;

    /// <summary>Not a command: the host's time moves on (and may pass a token's expiry).</summary>
    public sealed record AdvanceClock(int Days) : Op;

    /// <summary>Two commands of one sequence at the same moment.</summary>
    public sealed record Concurrently(Op First, Op Second) : Op;

    public sealed override string ToString() => this switch
    {
        AddMembers m => $"AddMembers(g{m.Group}, [{string.Join(",", m.Members)}]){Who}",
        RemoveMembers m => $"RemoveMembers(g{m.Group}, [{string.Join(",", m.Members)}]){Who}",
        Grant g => $"Grant(t{g.Token}, a{g.App}, [{string.Join(",", g.Holders.Select(h => h.Kind is null ? $"d{h.Owner}" : $"u{h.Owner}.{h.Kind}"))}]){Who}",
        AppleAnswer a => $"AppleAnswer(t{a.Token}, a{a.App}, confirmed [{HolderList(a.Confirmed)}], failed [{HolderList(a.Failed)}]){Who}",
        Concurrently c => $"Concurrently({c.First}, {c.Second})",
        RecordDirectory r => $"RecordDirectory([{string.Join(", ", r.Users.Select(u => u.ToString()))}], [{string.Join(", ", r.Devices.Select(d => d.ToString()))}]){Who}",
        _ => PrintMembers(),
    };

    private string Who => RightActor ? "" : " by a wrong actor";

    private static string HolderList((int Owner, AppleIdKind? Kind)[] holders) =>
        string.Join(",", holders.Select(h => h.Kind is null ? $"d{h.Owner}" : $"u{h.Owner}.{h.Kind}"));

    private string PrintMembers()
    {
        var text = new System.Text.StringBuilder();
        PrintMembers(text);
        return $"{GetType().Name}({text.ToString().Replace("RightActor = True, ", "", StringComparison.Ordinal).Replace("RightActor = True", "", StringComparison.Ordinal)})";
    }
}
