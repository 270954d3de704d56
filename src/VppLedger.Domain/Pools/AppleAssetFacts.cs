using NodaTime;

namespace VppLedger.Pools;

/// <summary>What Apple's assets snapshot says of a pool's asset besides its counts.</summary>
/// <param name="DeviceAssignable">Apple's <c>deviceAssignable</c> (false for books, rule L6).</param>
/// <param name="Revocable">Apple's <c>revocable</c> (false for books).</param>
/// <param name="SupportedPlatforms">Apple's <c>supportedPlatforms</c>, sorted.</param>
public sealed record AppleAssetFacts(bool DeviceAssignable, bool Revocable, IReadOnlyList<string> SupportedPlatforms)
{
    /// <inheritdoc/>
    public bool Equals(AppleAssetFacts? other) =>
        other is not null && DeviceAssignable == other.DeviceAssignable && Revocable == other.Revocable && SupportedPlatforms.SequenceEqual(other.SupportedPlatforms);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(DeviceAssignable, Revocable, SupportedPlatforms.Count);
}

/// <summary>Apple's facts of the pool's asset changed (an assets snapshot, docs/apple.md).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Facts">The facts Apple reports now.</param>
/// <param name="OccurredAt">When the snapshot was recorded.</param>
public sealed record AppleAssetFactsRecorded(PoolId Pool, AppleAssetFacts Facts, Instant OccurredAt) : IPoolEvent;

/// <summary>Record Apple's facts of the pool's asset: a step of an assets snapshot. Internal.</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Facts">The facts.</param>
/// <param name="Id">The snapshot's idempotency key.</param>
/// <param name="Actor">Who recorded the snapshot.</param>
[RequiresPermission(Permissions.ManagedApps)]
internal sealed record RecordAppleAssetFacts(PoolId Pool, AppleAssetFacts Facts, CommandId Id, Actor Actor) : IPoolCommand;
