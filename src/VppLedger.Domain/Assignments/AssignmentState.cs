namespace VppLedger.Assignments;

/// <summary>The write state of one assignment stream. Immutable; safe to share between threads.</summary>
internal sealed record AssignmentState
{
    /// <summary>The pool whose app is assigned.</summary>
    public required PoolId Pool { get; init; }

    /// <summary>The targeted group.</summary>
    public required GroupId Group { get; init; }

    /// <summary>True from creation until removal.</summary>
    public bool Active { get; init; }

    /// <summary>User group or device group (meaningful while <see cref="Active"/>).</summary>
    public AssignmentTarget Target { get; init; }

    /// <summary>The intent (meaningful while <see cref="Active"/>).</summary>
    public AssignmentIntent Intent { get; init; }

    /// <summary>The license type (meaningful while <see cref="Active"/>).</summary>
    public LicenseType LicenseType { get; init; }

    /// <summary>True when the group's members are meant to hold licenses: active and not Uninstall (rule A4).</summary>
    public bool WantsLicenses => Active && Intent != AssignmentIntent.Uninstall;

    /// <summary>The state of an assignment with no event yet.</summary>
    public static AssignmentState Initial(PoolId pool, GroupId group) => new() { Pool = pool, Group = group };
}
