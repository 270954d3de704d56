using Marten.Events.Aggregation;
using NodaTime;

namespace VppLedger.IntegrationTests.Foundation;

/// <summary>A document carrying every kind of value the ledger stores.</summary>
public sealed record SerializationProbe(
    string Id,
    Instant At,
    LocalDate Day,
    Duration Grace,
    TokenId Token,
    AdamId App,
    Holder Holder,
    LicenseType Type,
    IReadOnlyList<Holder> Holders,
    Instant? NotYet);

public sealed record ProbeStarted(string Name, Instant OccurredAt) : ILedgerEvent;

public sealed record ProbeCounted(int By, Instant OccurredAt) : ILedgerEvent;

/// <summary>Read model kept by an inline projection.</summary>
public sealed record ProbeTotal(string Id, string Name, int Total, Instant LastAt);

/// <summary>The shape every ledger write model uses: a pure evolve function behind Marten's Evolve hook.</summary>
public sealed class ProbeTotalProjection : SingleStreamProjection<ProbeTotal, string>
{
    public override ProbeTotal? Evolve(ProbeTotal? snapshot, string id, JasperFx.Events.IEvent e) => e.Data switch
    {
        ProbeStarted started => new ProbeTotal(id, started.Name, 0, started.OccurredAt),
        ProbeCounted counted when snapshot is not null => snapshot with { Total = snapshot.Total + counted.By, LastAt = counted.OccurredAt },
        _ => snapshot,
    };
}
