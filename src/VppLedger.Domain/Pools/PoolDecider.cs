using NodaTime;
using VppLedger.Directory;
using VppLedger.Licensing;

namespace VppLedger.Pools;

/// <summary>
/// The pure decider of a pool stream (<c>pool:{tokenId}:{adamId}</c>): the consistency boundary for seats.
/// No clock, no I/O; the same inputs always decide the same events.
/// </summary>
internal static class PoolDecider
{
    /// <summary>
    /// Decides what <paramref name="command"/> changes in the pool. Checks, in order: the
    /// pool's life (synced, orphaned), the command's own rules; then decides the events. A rejected command and a
    /// command already applied decide no events (rule I4).
    /// </summary>
    /// <param name="command">The command; its <see cref="IPoolCommand.Pool"/> must be <paramref name="state"/>'s pool (rule L10).</param>
    /// <param name="state">The pool's counters, folded with <see cref="Evolve"/>.</param>
    /// <param name="lookup">
    /// A per-command slice of the holder set, so a decision costs O(holders in the command), never O(pool size):
    /// <see cref="PoolLookup.Seats"/> holds the current seat of each holder of <see cref="HoldersNamedIn"/>
    /// (absent = none), and <see cref="PoolLookup.QueueHead"/> the first <see cref="QueueHeadNeeded"/> queue
    /// entries in ascending position. A storage layer fills both from indexed rows of the pool's holders.
    /// </param>
    /// <param name="now">The business time stamped on every event decided.</param>
    /// <returns>The events to append in one transaction, or a rejection.</returns>
    /// <exception cref="ArgumentException">The command is for another pool, or of an unknown type.</exception>
    /// <exception cref="InvalidOperationException">The lookup's queue head is shorter than <see cref="QueueHeadNeeded"/> promised: a storage bug.</exception>
    public static Decision<IPoolEvent> Decide(IPoolCommand command, PoolState state, PoolLookup lookup, Instant now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(lookup);
        if (command.Pool != state.Pool)
        {
            // Rule L10: a pool is per (token, app); deciding one pool's command on another's state is a bug.
            throw new ArgumentException($"Command for pool {command.Pool} was given the state of pool {state.Pool}.", nameof(command));
        }

        return command switch
        {
            ApplyAppleCounts c => DecideCounts(c, state, lookup, now),
            GrantLicenses c => DecideGrant(c, state, lookup, now),
            ReclaimLicenses c => DecideReclaim(c, state, lookup, now),
            RevokeAllLicenses c => DecideRevokeAll(c, state, lookup, now),
            MigrateToDeviceLicenses c => DecideMigration(c, state, lookup, now),
            OrphanPool c => DecideOrphan(c, state, now),
            RemoveAppFromMdm c => DecideRemoveApp(c),
            ServeQueue => DecideServeQueue(state, lookup, now),
            RecordAppleEventResult c => DecideAppleResult(c, state, lookup, now),
            RequestAppleAssociationAgain c => DecideAskAgain(c, lookup, now),
            ReleaseAtApple c => DecideReleaseAtApple(c, lookup, now),
            RecordAppleAssetFacts c => DecideAssetFacts(c, state, now),
            _ => throw new ArgumentException($"Unknown pool command {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>Folds one event into the pool's counters. Never validates, never throws.</summary>
    public static PoolState Evolve(PoolState state, IPoolEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            AppleCountsApplied e => state with
            {
                Synced = true,
                Product = e.Product,
                PurchasedCount = e.PurchasedCount,
                RetiredCount = e.RetiredCount,
                AppleAssignedCount = e.AppleAssignedCount ?? state.AppleAssignedCount,
                UsedCountAtLastComparison = e.AppleAssignedCount is null ? state.UsedCountAtLastComparison : state.UsedCount,
            },
            AssignedCountDriftRecorded e => state with { UsedCountAtLastComparison = e.LedgerUsedCount },
            LicenseGranted e => Counted(state, e.Holder.Type, +1) with
            {
                QueuedCount = e.Reason == GrantReason.PromotedFromQueue ? state.QueuedCount - 1 : state.QueuedCount,
            },
            LicenseReclaimed e => Counted(state, e.Holder.Type, -1),
            HolderQueued e => state with
            {
                QueuedCount = state.QueuedCount + 1,
                LastQueuePosition = Math.Max(state.LastQueuePosition, e.Position),
            },
            HolderLeftQueue => state with { QueuedCount = state.QueuedCount - 1 },
            PoolOrphaned => state with { Orphaned = true },
            AppleAssociationConfirmed => state with { ConfirmedCount = state.ConfirmedCount + 1 },
            AppleAssociationFailed e => Counted(state, e.Holder.Type, -1) with { FailedCount = state.FailedCount + 1 },
            AppleDisassociationRequested => state with
            {
                ConfirmedCount = state.ConfirmedCount - 1,
                ReleasePendingCount = state.ReleasePendingCount + 1,
            },
            AppleDisassociationConfirmed or AppleDisassociationFailed => state with { ReleasePendingCount = state.ReleasePendingCount - 1 },
            AppleAssociationRequestedAgain e => e.WasConfirmed ? state with { ConfirmedCount = state.ConfirmedCount - 1 } : state,
            AppleAssetFactsRecorded e => state with { AssetFacts = e.Facts },
            _ => state,
        };
    }

    /// <summary>The holders whose seats <paramref name="command"/> reads: the keys <see cref="PoolLookup.Seats"/> must answer.</summary>
    public static IReadOnlyList<Holder> HoldersNamedIn(IPoolCommand command) => command switch
    {
        GrantLicenses c => c.Holders,
        ReclaimLicenses c => c.Holders,
        RevokeAllLicenses c => c.Holders,
        MigrateToDeviceLicenses c => [c.From, .. c.To],
        RecordAppleEventResult c => [.. c.Completed, .. c.Failures.Select(f => f.Holder)],
        RequestAppleAssociationAgain c => c.Holders,
        ReleaseAtApple c => c.Holders,
        _ => [],
    };

    /// <summary>
    /// How many queue entries, from the head, <see cref="PoolLookup.QueueHead"/> must hold for
    /// <paramref name="command"/>: enough for every seat the command could free or find free, plus the named
    /// holders that could leave the queue. Never more than <see cref="PoolState.QueuedCount"/>.
    /// </summary>
    public static int QueueHeadNeeded(PoolState state, IPoolCommand command)
    {
        ArgumentNullException.ThrowIfNull(state);
        var seats = command switch
        {
            ApplyAppleCounts c => c.PurchasedCount >= 0 && c.RetiredCount >= 0
                ? Math.Max(0, checked(c.PurchasedCount - c.RetiredCount) - state.UsedCount)
                : 0,
            GrantLicenses => state.AvailableCount,
            ReclaimLicenses c => checked(state.AvailableCount + c.Holders.Count),
            MigrateToDeviceLicenses => checked(state.AvailableCount + 1),
            ServeQueue => state.AvailableCount,
            RecordAppleEventResult c => checked(state.AvailableCount + c.Failures.Count),
            _ => 0,
        };
        // Rule L6: where Apple says the asset is not device-assignable, queued devices leave the queue as their turn
        // comes, so a free seat may need any number of entries; such a pool loads its whole queue to serve it.
        return seats > 0 && !state.DeviceAssignable ? state.QueuedCount : Math.Min(state.QueuedCount, seats);
    }

    /// <summary>The rule id recorded on a reclaim for this reason (rule I1).</summary>
    public static string RuleOf(ReclaimReason reason) => reason switch
    {
        ReclaimReason.AssignmentRemoved => "R2",
        ReclaimReason.Revoked => "R3",
        ReclaimReason.NoLongerTargeted or ReclaimReason.LeftOrganization => "R4",
        ReclaimReason.UninstallIntent => "A4",
        ReclaimReason.MigratedToDeviceLicense => "L8",
        ReclaimReason.NotDeviceAssignable => "L6",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown reclaim reason."),
    };

    private static PoolState Counted(PoolState state, LicenseType type, int delta) => type == LicenseType.Device
        ? state with { DeviceLicenseCount = state.DeviceLicenseCount + delta }
        : state with { UserLicenseCount = state.UserLicenseCount + delta };

    private static Decision<IPoolEvent> DecideCounts(ApplyAppleCounts c, PoolState state, PoolLookup lookup, Instant now)
    {
        if (state.Orphaned)
        {
            return PoolRejections.PoolOrphanedTokenDeleted(c.Pool);
        }

        if (c.PurchasedCount < 0 || c.RetiredCount < 0 || c.RetiredCount > c.PurchasedCount || c.AppleAssignedCount < 0)
        {
            return PoolRejections.InvalidAppleCounts(c.Pool, c.PurchasedCount, c.RetiredCount, c.AppleAssignedCount);
        }

        // The same counts again record nothing (rule I4), but still serve a queue that seats are free for.
        var unchanged = state.Synced
            && state.Product == c.Product
            && state.PurchasedCount == c.PurchasedCount
            && state.RetiredCount == c.RetiredCount
            && (c.AppleAssignedCount is null || c.AppleAssignedCount == state.AppleAssignedCount);
        var plan = new Plan(state, lookup, now);
        if (!unchanged)
        {
            plan.Add(new AppleCountsApplied(c.Pool, c.Product, c.PurchasedCount, c.RetiredCount, c.AppleAssignedCount, now));
            if (c.AppleAssignedCount is { } apple && apple != state.UsedCount)
            {
                // Rule S2: Apple is the truth for totals, but a different assigned count is reported, not copied over.
                plan.Add(new AssignedCountDriftRecorded(c.Pool, apple, state.UsedCount, now));
            }
        }

        else if (c.AppleAssignedCount is { } same && same != state.UsedCount && state.UsedCountAtLastComparison != state.UsedCount)
        {
            // Rule S2: Apple's figures did not move but the ledger's used count did since they were last compared.
            plan.Add(new AssignedCountDriftRecorded(c.Pool, same, state.UsedCount, now));
        }

        plan.TotalCount = checked(c.PurchasedCount - c.RetiredCount);
        plan.PromoteQueue(); // rule A6: bought licenses serve the queue first-in-first-out
        return plan.Decision();
    }

    private static Decision<IPoolEvent> DecideGrant(GrantLicenses c, PoolState state, PoolLookup lookup, Instant now)
    {
        if (state.Orphaned)
        {
            return PoolRejections.PoolOrphanedTokenDeleted(c.Pool);
        }

        if (!state.Synced)
        {
            return PoolRejections.PoolNotSynced(c.Pool);
        }

        if (c.Holders.Any(h => h.Type == LicenseType.Device) && state.RefuseDeviceLicense() is { } noDevices)
        {
            return noDevices; // rule L6: a book, or an asset Apple says is not device-assignable
        }

        var plan = new Plan(state, lookup, now);
        plan.PromoteQueue(); // those already waiting come before new holders (rule A6)
        foreach (var holder in c.Holders)
        {
            plan.Place(holder, GrantReason.Targeted, "A6");
        }

        return plan.Decision();
    }

    private static Decision<IPoolEvent> DecideReclaim(ReclaimLicenses c, PoolState state, PoolLookup lookup, Instant now)
    {
        if (state.Orphaned)
        {
            return PoolRejections.LicensesOrphanedTokenDeleted(c.Pool); // rule R7
        }

        if (c.Reason == ReclaimReason.Revoked && state.RefuseRevoke() is { } notRevocable
            && c.Holders.Any(h => lookup.SeatOf(h).Status == SeatStatus.Granted))
        {
            return notRevocable; // rule R3: Apple says the asset is not revocable
        }

        var plan = new Plan(state, lookup, now);
        var rule = RuleOf(c.Reason);
        foreach (var holder in c.Holders)
        {
            plan.Release(holder, c.Reason, rule);
        }

        plan.PromoteQueue(); // rule A6: freed licenses go to the queue head in the same decision
        return plan.Decision();
    }

    private static Decision<IPoolEvent> DecideRevokeAll(RevokeAllLicenses c, PoolState state, PoolLookup lookup, Instant now)
    {
        if (state.Orphaned)
        {
            return PoolRejections.LicensesOrphanedTokenDeleted(c.Pool); // rule R7
        }

        if (state.RefuseRevoke() is { } notRevocable && c.Holders.Any(h => lookup.SeatOf(h).Status == SeatStatus.Granted))
        {
            return notRevocable; // rule R3: Apple says the asset is not revocable
        }

        var plan = new Plan(state, lookup, now);
        foreach (var holder in c.Holders)
        {
            plan.Release(holder, ReclaimReason.Revoked, "R1");
        }

        return plan.Decision();
    }

    private static Decision<IPoolEvent> DecideMigration(MigrateToDeviceLicenses c, PoolState state, PoolLookup lookup, Instant now)
    {
        if (c.From.Type == LicenseType.Device)
        {
            return LicensingRejections.DeviceToUserMigrationNotSupported(c.Pool.AdamId); // rule L8
        }

        if (c.To.Count == 0 || c.To.Any(h => h.Type != LicenseType.Device))
        {
            return PoolRejections.MigrationNeedsDeviceHolders(c.Pool);
        }

        if (state.Orphaned)
        {
            return PoolRejections.LicensesOrphanedTokenDeleted(c.Pool); // rule R7
        }

        if (!state.Synced)
        {
            return PoolRejections.PoolNotSynced(c.Pool);
        }

        if (state.RefuseDeviceLicense() is { } noDevices)
        {
            return noDevices; // rule L6: a book, or an asset Apple says is not device-assignable
        }

        if (lookup.SeatOf(c.From).Status == SeatStatus.None)
        {
            return c.To.All(h => lookup.SeatOf(h).Status != SeatStatus.None)
                ? Decision<IPoolEvent>.Nothing // already migrated (rule I4)
                : PoolRejections.UserLicenseNotHeld(c.Pool, c.From);
        }

        // Rule L8: the user's seat passes to its devices before the queue sees it; no grant exceeds total (S4).
        var plan = new Plan(state, lookup, now);
        plan.Release(c.From, ReclaimReason.MigratedToDeviceLicense, "L8");
        foreach (var device in c.To)
        {
            plan.Place(device, GrantReason.MigratedFromUserLicense, "L8");
        }

        plan.PromoteQueue();
        return plan.Decision();
    }

    private static Decision<IPoolEvent> DecideServeQueue(PoolState state, PoolLookup lookup, Instant now)
    {
        if (state.Orphaned || !state.Synced)
        {
            return Decision<IPoolEvent>.Nothing;
        }

        var plan = new Plan(state, lookup, now);
        plan.PromoteQueue(); // rule A6: those who waited while grants were held (T2) come first
        return plan.Decision();
    }

    private static Decision<IPoolEvent> DecideAppleResult(RecordAppleEventResult c, PoolState state, PoolLookup lookup, Instant now)
    {
        var completed = c.Completed.Select(h => h.Key).ToHashSet(StringComparer.Ordinal);
        if (c.Failures.FirstOrDefault(f => completed.Contains(f.Holder.Key)) is { } both)
        {
            return PoolRejections.AppleAnswerContradictsItself(c.Pool, c.AppleEventId, both.Holder);
        }

        // Apple's answer is a fact about Apple: recorded even while the token holds grants back; only the seats it
        // frees wait for the queue until grants are allowed again (rule T2).
        var plan = new Plan(state, lookup, now);
        if (c.EventType == AppleEventType.Associate)
        {
            foreach (var holder in c.Completed)
            {
                plan.ConfirmAssociation(holder, c.AppleEventId);
            }

            foreach (var failure in c.Failures)
            {
                plan.FailAssociation(failure, c.AppleEventId);
            }

            if (state.Synced && !state.Orphaned)
            {
                plan.PromoteQueue(); // rule A6: a seat Apple refused goes to the queue head
            }
        }
        else
        {
            foreach (var holder in c.Completed)
            {
                plan.EndRelease(holder, c.AppleEventId, failure: null);
            }

            foreach (var failure in c.Failures)
            {
                plan.EndRelease(failure.Holder, c.AppleEventId, failure);
            }
        }

        return plan.Decision();
    }

    private static Decision<IPoolEvent> DecideAskAgain(RequestAppleAssociationAgain c, PoolLookup lookup, Instant now)
    {
        // Only a granted seat can be asked again; anything else is left alone, so the same plan run twice asks once per seat still granted.
        var events = new List<IPoolEvent>();
        foreach (var holder in c.Holders.DistinctBy(h => h.Key))
        {
            var seat = lookup.SeatOf(holder);
            if (seat.Status == SeatStatus.Granted)
            {
                events.Add(new AppleAssociationRequestedAgain(c.Pool, holder, seat.Apple == AppleSeatState.Confirmed, now));
            }
        }

        return events.Count == 0 ? Decision<IPoolEvent>.Nothing : Decision<IPoolEvent>.Accept(events);
    }

    private static Decision<IPoolEvent> DecideReleaseAtApple(ReleaseAtApple c, PoolLookup lookup, Instant now)
    {
        var events = new List<IPoolEvent>();
        foreach (var holder in c.Holders.DistinctBy(h => h.Key))
        {
            if (lookup.SeatOf(holder).Status == SeatStatus.Granted)
            {
                return PoolRejections.SeatHeldByTheLedger(c.Pool, holder);
            }

            events.Add(new AppleReleaseRequested(c.Pool, holder, now));
        }

        return events.Count == 0 ? Decision<IPoolEvent>.Nothing : Decision<IPoolEvent>.Accept(events);
    }

    private static Decision<IPoolEvent> DecideAssetFacts(RecordAppleAssetFacts c, PoolState state, Instant now) =>
        state.AssetFacts == c.Facts ? Decision<IPoolEvent>.Nothing : Decision<IPoolEvent>.Accept(new AppleAssetFactsRecorded(c.Pool, c.Facts, now));

    private static Decision<IPoolEvent> DecideOrphan(OrphanPool c, PoolState state, Instant now)
    {
        return state.Orphaned
            ? Decision<IPoolEvent>.Nothing
            : Decision<IPoolEvent>.Accept(new PoolOrphaned(c.Pool, now));
    }

    private static Decision<IPoolEvent> DecideRemoveApp(RemoveAppFromMdm c)
    {
        // Rule S3: an iOS VPP app cannot be deleted from the MDM. A macOS app's pool keeps its licenses recorded.
        return c.Platform == Platform.macOS
            ? Decision<IPoolEvent>.Nothing
            : PoolRejections.VppAppCannotBeRemovedFromMdm(c.Pool, c.Platform);
    }

    /// <summary>The counters of one decision in progress, and the seats it has changed so far.</summary>
    private sealed class Plan(PoolState state, PoolLookup lookup, Instant now)
    {
        private readonly List<IPoolEvent> events = [];
        private readonly Dictionary<string, HolderSeat> changed = new(StringComparer.Ordinal);
        private int userCount = state.UserLicenseCount;
        private int deviceCount = state.DeviceLicenseCount;
        private int queuedCount = state.QueuedCount;
        private long lastPosition = state.LastQueuePosition;
        private int headIndex;

        public int TotalCount { get; set; } = state.TotalCount;

        private int UsedCount => checked(userCount + deviceCount);

        private int AvailableCount => Math.Max(0, TotalCount - UsedCount);

        public void Add(IPoolEvent @event) => events.Add(@event);

        public Decision<IPoolEvent> Decision() =>
            events.Count == 0 ? Decision<IPoolEvent>.Nothing : Decision<IPoolEvent>.Accept(events);

        /// <summary>Grants a free license to the holder, or queues it (rules A6, S4, T2); a holder that holds or waits is left alone.</summary>
        public void Place(Holder holder, GrantReason reason, string rule)
        {
            if (SeatOf(holder).Status != SeatStatus.None)
            {
                return;
            }

            if (AvailableCount > 0 && lookup.GrantsAllowed)
            {
                Grant(holder, reason, rule);
                return;
            }

            lastPosition = checked(lastPosition + 1);
            queuedCount = checked(queuedCount + 1);
            Set(holder, HolderSeat.Queued(lastPosition));
            events.Add(new HolderQueued(state.Pool, holder, lastPosition, lookup.GrantsHeldBy ?? (UsedCount > TotalCount ? "S4" : "A6"), now));
        }

        /// <summary>Reclaims the holder's license (never a book's, rule L6), or takes it out of the queue; a holder with neither is left alone.</summary>
        public void Release(Holder holder, ReclaimReason reason, string rule)
        {
            switch (SeatOf(holder).Status)
            {
                case SeatStatus.Granted when state.Product == ProductKind.Book:
                    // Rule L6: a book, once assigned, stays with its user; it cannot pass to another, so the seat
                    // stays used and nobody in the queue is served from it.
                    break;
                case SeatStatus.Granted:
                    var pending = SeatOf(holder).PendingReleaseCount;
                    if (SeatOf(holder).ConfirmedByApple)
                    {
                        // Apple holds this seat: the ledger frees it now, and Apple's disassociation is pending.
                        pending = checked(pending + 1);
                        events.Add(new AppleDisassociationRequested(state.Pool, holder, now));
                    }

                    Count(holder.Type, -1);
                    changed[holder.Key] = HolderSeat.None with { PendingReleaseCount = pending };
                    events.Add(new LicenseReclaimed(state.Pool, holder, reason, rule, now));
                    break;
                case SeatStatus.Queued:
                    queuedCount = checked(queuedCount - 1);
                    Set(holder, HolderSeat.None);
                    events.Add(new HolderLeftQueue(state.Pool, holder, reason, rule, now));
                    break;
            }
        }

        /// <summary>Grants free licenses to the queue head, oldest first (rule A6); none while the token holds grants back (rule T2).</summary>
        public void PromoteQueue()
        {
            var promoted = 0;
            while (promoted < lookup.MaxPromotions && lookup.GrantsAllowed && AvailableCount > 0 && queuedCount > 0)
            {
                if (headIndex >= lookup.QueueHead.Count)
                {
                    throw new InvalidOperationException(
                        $"Pool {state.Pool}: the lookup's queue head holds {lookup.QueueHead.Count} entries, fewer than this decision needs; load PoolDecider.QueueHeadNeeded entries.");
                }

                var next = lookup.QueueHead[headIndex++];
                if (changed.TryGetValue(next.Holder.Key, out var seat) && seat.Status != SeatStatus.Queued)
                {
                    continue; // left the queue earlier in this decision
                }

                queuedCount = checked(queuedCount - 1);
                if (next.Holder.Type == LicenseType.Device && !state.DeviceAssignable)
                {
                    // Rule L6: Apple's assets snapshot since said the asset takes no device license; the device
                    // would wait for ever, so it leaves the queue and the next holder is served. It counts against
                    // the page's bound as a promotion does: the storage read that many entries of the head.
                    promoted++;
                    Set(next.Holder, HolderSeat.None);
                    events.Add(new HolderLeftQueue(state.Pool, next.Holder, ReclaimReason.NotDeviceAssignable, "L6", now));
                    continue;
                }

                promoted++;
                Grant(next.Holder, GrantReason.PromotedFromQueue, "A6");
            }
        }

        private void Grant(Holder holder, GrantReason reason, string rule)
        {
            Count(holder.Type, +1);
            Set(holder, HolderSeat.Granted);
            events.Add(new LicenseGranted(state.Pool, holder, reason, rule, now));
        }

        private void Count(LicenseType type, int delta)
        {
            if (type == LicenseType.Device)
            {
                deviceCount = checked(deviceCount + delta);
            }
            else
            {
                userCount = checked(userCount + delta);
            }
        }

        /// <summary>Apple confirmed the association of a requested seat; any other seat is left alone (rule I4).</summary>
        public void ConfirmAssociation(Holder holder, string eventId)
        {
            var seat = SeatOf(holder);
            if (seat.Status == SeatStatus.Granted && seat.Apple == AppleSeatState.Requested)
            {
                changed[holder.Key] = seat with { Apple = AppleSeatState.Confirmed };
                events.Add(new AppleAssociationConfirmed(state.Pool, holder, eventId, now));
            }
        }

        /// <summary>Apple refused the association of a requested seat: the seat is freed (rule A6 serves it next).</summary>
        public void FailAssociation(AppleHolderFailure failure, string eventId)
        {
            var seat = SeatOf(failure.Holder);
            if (seat.Status == SeatStatus.Granted && seat.Apple == AppleSeatState.Requested)
            {
                Count(failure.Holder.Type, -1);
                Set(failure.Holder, HolderSeat.None);
                events.Add(new AppleAssociationFailed(state.Pool, failure.Holder, eventId, failure.ErrorNumber, failure.ErrorMessage, now));
            }
        }

        /// <summary>Apple answered a pending release: confirmed when <paramref name="failure"/> is null, else refused.</summary>
        public void EndRelease(Holder holder, string eventId, AppleHolderFailure? failure)
        {
            var seat = SeatOf(holder);
            if (seat.PendingReleaseCount == 0)
            {
                return;
            }

            changed[holder.Key] = seat with { PendingReleaseCount = seat.PendingReleaseCount - 1 };
            events.Add(failure is null
                ? new AppleDisassociationConfirmed(state.Pool, holder, eventId, now)
                : new AppleDisassociationFailed(state.Pool, holder, eventId, failure.ErrorNumber, failure.ErrorMessage, now));
        }

        /// <summary>Sets the holder's seat, keeping its pending releases (they outlive the seat).</summary>
        private void Set(Holder holder, HolderSeat seat) =>
            changed[holder.Key] = seat with { PendingReleaseCount = SeatOf(holder).PendingReleaseCount };

        private HolderSeat SeatOf(Holder holder) =>
            changed.TryGetValue(holder.Key, out var seat) ? seat : lookup.SeatOf(holder);
    }
}
