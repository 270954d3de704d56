namespace VppLedger;

/// <summary>The fixed limits a host sizes its commands by.</summary>
public static class LedgerLimits
{
    /// <summary>
    /// The most members one <see cref="Directory.AddGroupMembers"/> or <see cref="Directory.RemoveGroupMembers"/>
    /// names; send larger changes in batches of this size, in targeting order (rule A6).
    /// </summary>
    public const int MaxGroupMembersPerCommand = 5000;
}
