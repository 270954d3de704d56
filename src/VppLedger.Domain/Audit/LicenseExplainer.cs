using System.Globalization;
using NodaTime;
using NodaTime.Text;
using VppLedger.Pools;

namespace VppLedger.Audit;

/// <summary>
/// Explains why a holder has, or has not, a license of a pool at an instant, from the pool's events in log order.
/// Pure: it folds the pool's counters with <see cref="PoolDecider.Evolve"/> and keeps only the queue positions it
/// needs to say how many waited ahead. Not thread-safe: one per question.
/// </summary>
/// <param name="holder">The holder.</param>
/// <param name="pool">The pool.</param>
/// <param name="asOf">The business instant.</param>
internal sealed class LicenseExplainer(Holder holder, PoolId pool, Instant asOf)
{
    private readonly List<ExplanationStep> _steps = [];
    private readonly SortedSet<long> _queuedPositions = [];
    private readonly Dictionary<string, long> _queuedAt = new(StringComparer.Ordinal);
    private PoolState _state = PoolState.Initial(pool);
    private long _eventCount;
    private string _lastCause = "a license was freed";
    private SeatStatus _status;
    private long _position;

    /// <summary>Folds the next event of the pool stream (log order); events after the instant are skipped.</summary>
    /// <param name="version">The event's version in the pool stream.</param>
    /// <param name="eventName">The stable event name.</param>
    /// <param name="event">The event.</param>
    public void Apply(long version, string eventName, IPoolEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event.OccurredAt > asOf)
        {
            return;
        }

        var before = _state;
        _state = PoolDecider.Evolve(_state, @event);
        _eventCount++;
        var mine = @event switch
        {
            LicenseGranted g => g.Holder.Key == holder.Key,
            HolderQueued q => q.Holder.Key == holder.Key,
            LicenseReclaimed r => r.Holder.Key == holder.Key,
            HolderLeftQueue l => l.Holder.Key == holder.Key,
            AppleAssociationConfirmed a => a.Holder.Key == holder.Key,
            AppleAssociationFailed a => a.Holder.Key == holder.Key,
            AppleDisassociationRequested a => a.Holder.Key == holder.Key,
            AppleDisassociationConfirmed a => a.Holder.Key == holder.Key,
            AppleDisassociationFailed a => a.Holder.Key == holder.Key,
            AppleAssociationRequestedAgain a => a.Holder.Key == holder.Key,
            AppleReleaseRequested a => a.Holder.Key == holder.Key,
            _ => false,
        };

        var sentence = mine || (@event is PoolOrphaned && _status == SeatStatus.Granted)
            ? Sentence(@event, before)
            : null;
        Track(@event);
        if (sentence is not null)
        {
            _steps.Add(new ExplanationStep(@event.OccurredAt, version, eventName, RuleOf(@event), sentence));
        }
    }

    /// <summary>The explanation of everything folded so far.</summary>
    public LicenseExplanation Result() =>
        new(holder, pool, asOf, _status, _status == SeatStatus.Queued ? _position : 0, [.. _steps], Summary());

    private string Sentence(IPoolEvent @event, PoolState before) => @event switch
    {
        LicenseGranted { Reason: GrantReason.Targeted } g =>
            $"Granted when targeted: license {_state.UsedCount.ToString(CultureInfo.InvariantCulture)} of {_state.TotalCount.ToString(CultureInfo.InvariantCulture)} (rule {g.Rule}).",
        LicenseGranted { Reason: GrantReason.PromotedFromQueue } g =>
            $"Granted from the queue (position {_position.ToString(CultureInfo.InvariantCulture)}) when {_lastCause} (rule {g.Rule}).",
        LicenseGranted g =>
            $"Granted a device license in place of the user's user license (rule {g.Rule}).",
        HolderQueued q => q.Rule == "S4"
            ? $"Queued at position {q.Position.ToString(CultureInfo.InvariantCulture)} behind {before.QueuedCount.ToString(CultureInfo.InvariantCulture)} waiting holder(s): the pool was over-allocated, {before.UsedCount.ToString(CultureInfo.InvariantCulture)} licenses in use for {before.TotalCount.ToString(CultureInfo.InvariantCulture)} (rule S4)."
            : $"Queued at position {q.Position.ToString(CultureInfo.InvariantCulture)} behind {before.QueuedCount.ToString(CultureInfo.InvariantCulture)} waiting holder(s): all {before.TotalCount.ToString(CultureInfo.InvariantCulture)} licenses were in use (rule {q.Rule}).",
        LicenseReclaimed r => $"Reclaimed: {Why(r.Reason)} (rule {r.Rule}).",
        HolderLeftQueue l => $"Left the queue without a license: {Why(l.Reason)} (rule {l.Rule}).",
        PoolOrphaned => "The token was deleted: the license is orphaned and can no longer be revoked (rule T10).",
        AppleAssociationConfirmed a => $"Apple confirmed the association (Apple event {a.AppleEventId}).",
        AppleAssociationFailed a =>
            $"Apple refused the association (Apple event {a.AppleEventId}, error {a.ErrorNumber.ToString(CultureInfo.InvariantCulture)}: {a.ErrorMessage}): the seat was freed for the queue (rule A6).",
        AppleDisassociationRequested => "Apple held the seat: the ledger freed it and asked Apple to take it back.",
        AppleDisassociationConfirmed a => $"Apple confirmed taking the seat back (Apple event {a.AppleEventId}).",
        AppleDisassociationFailed a =>
            $"Apple refused to take the seat back (Apple event {a.AppleEventId}, error {a.ErrorNumber.ToString(CultureInfo.InvariantCulture)}: {a.ErrorMessage}): Apple still holds a seat the ledger freed.",
        AppleAssociationRequestedAgain a => a.WasConfirmed
            ? "Apple no longer showed the seat it had confirmed: the ledger asked Apple for it again (reconciliation, rule S2)."
            : "Apple had not confirmed the seat for too long: the ledger asked Apple for it again (reconciliation, rule S2).",
        AppleReleaseRequested => "Apple held an extra seat the ledger does not grant: the ledger asked Apple to take it back (reconciliation, rule S2).",
        _ => @event.GetType().Name,
    };

    private void Track(IPoolEvent @event)
    {
        switch (@event)
        {
            case AppleCountsApplied c:
                _lastCause = $"{c.PurchasedCount.ToString(CultureInfo.InvariantCulture)} licenses were bought";
                break;
            case LicenseReclaimed r:
                _lastCause = $"a license was freed ({Why(r.Reason)})";
                Seat(r.Holder, SeatStatus.None, 0);
                break;
            case HolderLeftQueue l:
                Seat(l.Holder, SeatStatus.None, 0);
                break;
            case HolderQueued q:
                Seat(q.Holder, SeatStatus.Queued, q.Position);
                break;
            case LicenseGranted g:
                Seat(g.Holder, SeatStatus.Granted, 0);
                break;
            case AppleAssociationFailed a:
                _lastCause = $"Apple refused an association (Apple event {a.AppleEventId}, error {a.ErrorNumber.ToString(CultureInfo.InvariantCulture)})";
                Seat(a.Holder, SeatStatus.None, 0);
                break;
        }
    }

    private void Seat(Holder who, SeatStatus status, long position)
    {
        if (_queuedAt.Remove(who.Key, out var old))
        {
            _queuedPositions.Remove(old);
        }

        if (status == SeatStatus.Queued)
        {
            _queuedAt[who.Key] = position;
            _queuedPositions.Add(position);
        }

        if (who.Key == holder.Key)
        {
            _status = status;
            _position = status == SeatStatus.Queued ? position : status == SeatStatus.Granted ? _position : 0;
        }
    }

    private string Summary()
    {
        var at = InstantPattern.General.Format(asOf);
        var what = $"a license of app {pool.AdamId.Value} under token {pool.Token.Value}";
        if (_eventCount == 0)
        {
            return $"At {at}, {holder.Key} had no {what[2..]}: the pool had no event by then.";
        }

        var last = _steps.Count == 0 ? null : _steps[^1];
        var since = last is null ? "" : $" since {InstantPattern.General.Format(last.At)}";
        return _status switch
        {
            SeatStatus.Granted =>
                $"At {at}, {holder.Key} held {what}{since}. {string.Join(" ", _steps.Select(s => s.Sentence))}",
            SeatStatus.Queued =>
                $"At {at}, {holder.Key} had no {what[2..]}: it waited at queue position {_position.ToString(CultureInfo.InvariantCulture)} with {_queuedPositions.GetViewBetween(long.MinValue, _position - 1).Count.ToString(CultureInfo.InvariantCulture)} holder(s) ahead, while {_state.UsedCount.ToString(CultureInfo.InvariantCulture)} of {_state.TotalCount.ToString(CultureInfo.InvariantCulture)} licenses were in use (rule A6). {string.Join(" ", _steps.Select(s => s.Sentence))}",
            _ when last is null =>
                $"At {at}, {holder.Key} had no {what[2..]} and never waited for one: no event of the pool names it (it was never targeted by an assignment of this app).",
            _ => $"At {at}, {holder.Key} had no {what[2..]}{since}. {string.Join(" ", _steps.Select(s => s.Sentence))}",
        };
    }

    private static string? RuleOf(IPoolEvent @event) => @event switch
    {
        LicenseGranted g => g.Rule,
        HolderQueued q => q.Rule,
        LicenseReclaimed r => r.Rule,
        HolderLeftQueue l => l.Rule,
        PoolOrphaned => "T10",
        AppleAssociationFailed => "A6",
        _ => null,
    };

    private static string Why(ReclaimReason reason) => reason switch
    {
        ReclaimReason.AssignmentRemoved => "the assignment was removed",
        ReclaimReason.Revoked => "an administrator revoked it",
        ReclaimReason.NoLongerTargeted => "no longer targeted",
        ReclaimReason.LeftOrganization => "the user left the organization",
        ReclaimReason.UninstallIntent => "the assignment's intent was set to Uninstall",
        ReclaimReason.MigratedToDeviceLicense => "replaced by device licenses",
        _ => reason.ToString(),
    };
}
