using VppLedger.Pools;

namespace VppLedger.Assignments;

/// <summary>What an assignment change asks of the licenses of the group's members.</summary>
internal enum MemberLicenseAction
{
    /// <summary>The members' licenses stay as they are.</summary>
    LeaveAlone = 0,

    /// <summary>Grant each member's holders a license, in targeting order (rule A6).</summary>
    Grant = 1,

    /// <summary>Reclaim the members' licenses (rules A4, R2).</summary>
    Reclaim = 2,

    /// <summary>Move the members from user licenses to device licenses (rule L8).</summary>
    MigrateToDevice = 3,

    /// <summary>Withdraw the members' queue entries and leave granted licenses (a removal that reclaims nothing, rules R2, A6).</summary>
    WithdrawQueue = 4,
}

/// <summary>How the app reaches the device under an intent (rule A3). The ledger records licenses, not installs (rule A5).</summary>
public enum InstallMode
{
    /// <summary>Required: the app installs automatically.</summary>
    Automatic = 0,

    /// <summary>Available: the end user installs it from the Company Portal.</summary>
    FromCompanyPortal = 1,

    /// <summary>Uninstall: the app is removed (rule A4).</summary>
    Removed = 2,
}

/// <summary>What an assignment change does to its members' licenses, and which rule says so.</summary>
/// <param name="Action">Grant, reclaim, migrate or leave alone.</param>
/// <param name="LicenseType">The license type to grant, or the one to reclaim.</param>
/// <param name="Reason">The reclaim reason, for <see cref="MemberLicenseAction.Reclaim"/>; otherwise null.</param>
/// <param name="Rule">The rule id that decides it.</param>
internal sealed record MemberLicenseEffect(MemberLicenseAction Action, LicenseType LicenseType, ReclaimReason? Reason, string Rule);

/// <summary>Pure functions from assignment states to what happens to licenses and installs.</summary>
internal static class AssignmentEffects
{
    /// <summary>How an intent installs the app (rule A3, A4).</summary>
    public static InstallMode InstallFor(AssignmentIntent intent) => intent switch
    {
        AssignmentIntent.Required => InstallMode.Automatic,
        AssignmentIntent.Available => InstallMode.FromCompanyPortal,
        AssignmentIntent.Uninstall => InstallMode.Removed,
        _ => throw new ArgumentOutOfRangeException(nameof(intent), intent, "Unknown intent."),
    };

    /// <summary>
    /// What going from <paramref name="before"/> to <paramref name="after"/> asks of the members' licenses:
    /// a new or restored assignment grants (A1, A6); Uninstall reclaims (A4); removal reclaims when
    /// <see cref="LedgerPolicy.RemovingAssignmentReclaims"/> (R2, the article), else withdraws only the queue and
    /// leaves granted licenses alone until an Uninstall; user to device migrates (L8); Available to Required and back changes no license (A3).
    /// </summary>
    public static MemberLicenseEffect OnMembers(AssignmentState before, AssignmentState after, LedgerPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(policy);

        if (after.WantsLicenses)
        {
            if (!before.WantsLicenses)
            {
                return new(MemberLicenseAction.Grant, after.LicenseType, null, "A6");
            }

            return before.LicenseType == LicenseType.User && after.LicenseType == LicenseType.Device
                ? new(MemberLicenseAction.MigrateToDevice, LicenseType.Device, ReclaimReason.MigratedToDeviceLicense, "L8")
                : new(MemberLicenseAction.LeaveAlone, after.LicenseType, null, "A3");
        }

        if (after.Active)
        {
            // Intent Uninstall, whether newly created or changed to: the license goes back (rule A4).
            return before.Active && before.Intent == AssignmentIntent.Uninstall
                ? new(MemberLicenseAction.LeaveAlone, after.LicenseType, null, "A4")
                : new(MemberLicenseAction.Reclaim, after.LicenseType, ReclaimReason.UninstallIntent, "A4");
        }

        if (before.WantsLicenses && policy.RemovingAssignmentReclaims)
        {
            return new(MemberLicenseAction.Reclaim, before.LicenseType, ReclaimReason.AssignmentRemoved, "R2");
        }

        // Removal under a policy that reclaims nothing: granted licenses stay, but nobody waits for a license the
        // removed assignment would have granted (rules R2, A6).
        return before.WantsLicenses
            ? new(MemberLicenseAction.WithdrawQueue, before.LicenseType, ReclaimReason.AssignmentRemoved, "R2")
            : new(MemberLicenseAction.LeaveAlone, before.LicenseType, null, "R2");
    }
}
