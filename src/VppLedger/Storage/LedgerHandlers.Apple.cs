using Marten;
using VppLedger.Pools;

namespace VppLedger.Storage;

/// <summary>Apple's answers to the outbox's calls.</summary>
internal sealed partial class LedgerHandlers
{
    private async Task<Handled> AppleCallAnswerAsync(RecordAppleCallAnswer c)
    {
        if (AppleRequests.Check(c) is { } refused)
        {
            return refused;
        }

        var token = c.Token.Value;
        var docs = (await _session.LoadByKeysAsync<AppleRequestDoc>(c.RequestIds.Distinct(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false))
            .Where(d => d.TokenKey == token)
            .OrderBy(d => d.PoolKey, StringComparer.Ordinal)
            .ThenBy(d => d.Version)
            .ToList();
        var (marked, status, results) = AppleRequests.Answer(c, [.. docs.Select(d => (d.ToRequest(null), d.Status))]);
        foreach (var result in results)
        {
            var workspace = await context.PoolAsync(result.Pool, cancellationToken).ConfigureAwait(false);
            var decision = await workspace.DecideAsync(result, cancellationToken).ConfigureAwait(false);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }
        }

        var byId = docs.ToDictionary(d => d.Id, StringComparer.Ordinal);
        foreach (var id in marked)
        {
            _session.Store(byId[id] with
            {
                Status = status,
                AppleEventId = c.Answer.AppleEventId,
                ErrorNumber = c.Answer.ErrorNumber,
                ErrorMessage = c.Answer.ErrorMessage,
            });
        }

        return Handled.Done;
    }

    private async Task<Handled> AppleEventStatusAsync(RecordAppleEventStatus c)
    {
        var eventId = c.Status.AppleEventId;
        var rows = await _session.Query<AppleRequestDoc>()
            .Where(r => r.AppleEventId == eventId)
            .OrderBy(r => r.PoolKey)
            .ThenBy(r => r.Version)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var serials = await AppleOutboxStore.SerialsAsync(_session, rows, cancellationToken).ConfigureAwait(false);
        foreach (var result in AppleEventStatuses.Results(c, [.. rows.Select(r => r.ToRequest(serials.GetValueOrDefault(r.HolderKey)))]))
        {
            var workspace = await context.PoolAsync(result.Pool, cancellationToken).ConfigureAwait(false);
            var decision = await workspace.DecideAsync(result, cancellationToken).ConfigureAwait(false);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }
        }

        if (AppleEventStatuses.IsFinal(c.Status))
        {
            foreach (var row in rows.Where(r => r.Status == AppleRequestStatus.Sent))
            {
                _session.Store(row with { Status = AppleRequestStatus.Answered });
            }
        }

        return Handled.Done;
    }
}
