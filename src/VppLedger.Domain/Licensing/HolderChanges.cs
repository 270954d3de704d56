using VppLedger.Pools;

namespace VppLedger.Licensing;

/// <summary>Something that happened to a holder outside the assignment: does it reclaim the license? (rules R4, R5, R6)</summary>
internal enum HolderChange
{
    /// <summary>The user left the organization (rule R4): reclaimed.</summary>
    LeftOrganization = 0,

    /// <summary>The holder is no longer in any targeted group (rule R4): reclaimed.</summary>
    NoLongerTargeted = 1,

    /// <summary>The device was removed from management (rule R5): the license stays.</summary>
    DeviceRemovedFromManagement = 2,

    /// <summary>The end user deleted the app from the device (rule R6): the license stays.</summary>
    AppDeletedByUser = 3,
}

/// <summary>Which holder changes reclaim a license.</summary>
internal static class HolderChanges
{
    /// <summary>The reclaim reason <paramref name="change"/> calls for, or null when the holder keeps its license (R5, R6).</summary>
    public static ReclaimReason? ReclaimFor(HolderChange change) => change switch
    {
        HolderChange.LeftOrganization => ReclaimReason.LeftOrganization,
        HolderChange.NoLongerTargeted => ReclaimReason.NoLongerTargeted,
        HolderChange.DeviceRemovedFromManagement or HolderChange.AppDeletedByUser => null,
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown holder change."),
    };
}
