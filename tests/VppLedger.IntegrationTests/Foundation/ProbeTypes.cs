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
    LicenceType Type,
    IReadOnlyList<Holder> Holders,
    Instant? NotYet);

public sealed record ProbeStarted(string Name, Instant OccurredAt) : ILedgerEvent;

public sealed record ProbeCounted(int By, Instant OccurredAt) : ILedgerEvent;

/// <summary>Read model kept by an inline projection.</summary>
public sealed record ProbeTotal(string Id, string Name, int Total, Instant LastAt);

public sealed class ProbeTotalProjection : SingleStreamProjection<ProbeTotal, string>
{
    public static ProbeTotal Create(JasperFx.Events.IEvent<ProbeStarted> e) => new(e.StreamKey!, e.Data.Name, 0, e.Data.OccurredAt);

    public static ProbeTotal Apply(ProbeCounted e, ProbeTotal total) => total with { Total = total.Total + e.By, LastAt = e.OccurredAt };
}
