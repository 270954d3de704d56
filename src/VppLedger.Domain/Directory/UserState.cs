namespace VppLedger.Directory;

/// <summary>What the directory knows of one user, folded by <see cref="UserDecider.Evolve"/>. Immutable.</summary>
internal sealed record UserState
{
    /// <summary>The state of a stream with no event.</summary>
    public static UserState Initial { get; } = new();

    /// <summary>The user's id; null until recorded.</summary>
    public UserId? Id { get; init; }

    /// <summary>True once recorded.</summary>
    public bool Recorded => Id is not null;

    /// <summary>True after the user left the organization, until recorded again (rule R4).</summary>
    public bool LeftOrganization { get; init; }

    /// <summary>The personal Apple ID, if known.</summary>
    public AppleId? PersonalAppleId { get; init; }

    /// <summary>The managed Apple ID, if known.</summary>
    public AppleId? ManagedAppleId { get; init; }

    /// <summary>
    /// The license holders of this user: one per Apple ID kind known, personal first. A user with both Apple IDs
    /// is two holders and uses two licenses of the same app (rule L4). None for an unknown user or one who left.
    /// </summary>
    public IReadOnlyList<Holder> Holders()
    {
        if (Id is not { } user || LeftOrganization)
        {
            return [];
        }

        var holders = new List<Holder>(2);
        if (PersonalAppleId is not null)
        {
            holders.Add(Holder.ForUser(user, AppleIdKind.Personal));
        }

        if (ManagedAppleId is not null)
        {
            holders.Add(Holder.ForUser(user, AppleIdKind.Managed));
        }

        return holders;
    }
}
