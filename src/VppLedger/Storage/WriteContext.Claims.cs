using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>The location claims (rule T4) one attempt of a command took; the runner settles them after the attempt, committed or not.</summary>
internal sealed partial class WriteContext
{
    /// <summary>The global location guard; null in contexts that claim nothing.</summary>
    public LocationGuard? Guard { get; init; }

    /// <summary>The claims this attempt took, each with the ticket its transaction carries.</summary>
    public List<ClaimTicket> ClaimTickets { get; } = [];

    /// <summary>True while a test hook simulates a crash: the runner then leaves the claims as a dead process would.</summary>
    public bool Crashing { get; set; }

    /// <summary>
    /// Takes the location's claim for this command (rule T4): false when another tenant holds it. A preview takes
    /// nothing and only looks.
    /// </summary>
    public async Task<bool> ClaimAsync(LocationKey location, CancellationToken cancellationToken)
    {
        if (Guard is null)
        {
            throw new InvalidOperationException("This command claims a location but its context has no location guard.");
        }

        if (IsPreview)
        {
            return !await Guard.ClaimedElsewhereAsync(Session.TenantId, location, cancellationToken).ConfigureAwait(false);
        }

        var ticket = await Guard.AcquireAsync(Session, Session.TenantId, location, Command.Id.Value, cancellationToken).ConfigureAwait(false);
        if (ticket is null)
        {
            return false;
        }

        ClaimTickets.Add(ticket);
        SimulateFault("claimed");
        return true;
    }

    /// <summary>Runs the guard's test hook at <paramref name="point"/>; a throw from it is a crash there.</summary>
    public void SimulateFault(string point)
    {
        if (Guard?.Fault is { } fault)
        {
            Crashing = true;
            fault(point);
            Crashing = false;
        }
    }
}
