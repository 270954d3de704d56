using JasperFx;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using Marten;

namespace VppLedger.Storage;

/// <summary>Every Marten setting the ledger relies on, in one place.</summary>
internal static class MartenSetup
{
    public static void Apply(StoreOptions options, VppLedgerOptions ledger)
    {
        options.DatabaseSchemaName = ledger.SchemaName;
        options.Events.DatabaseSchemaName = ledger.SchemaName;
        options.AutoCreateSchemaObjects = ledger.Schema == SchemaCreation.None ? AutoCreate.None : AutoCreate.CreateOrUpdate;

        options.Serializer(new NewtonsoftSerializer());

        // Streams are named by the ledger ("pool:{token}:{adamId}"), never Guids.
        options.Events.StreamIdentity = StreamIdentity.AsString;

        // One database, many tenants: conjoined everywhere. Without it two tenants would share streams (rule X2).
        options.Events.TenancyStyle = TenancyStyle.Conjoined;
        options.Policies.AllDocumentsAreMultiTenanted();

        // Quick append: versions are assigned in the database; the timestamp is metadata, business time is OccurredAt.
        options.Events.AppendMode = EventAppendMode.Quick;
        options.Events.EnableBigIntEvents = true;

        // Aggregates are immutable records; the identity map would hand back a mutated instance.
        options.Events.UseIdentityMapForAggregates = false;
        options.Projections.UseIdentityMapForAggregates = false;

        // Rule I1: who, why and in which flow, on every event.
        options.Events.MetadataConfig.CorrelationIdEnabled = true;
        options.Events.MetadataConfig.CausationIdEnabled = true;
        options.Events.MetadataConfig.UserNameEnabled = true;
        options.Events.MetadataConfig.HeadersEnabled = true;

        // A ledger never skips an event: the daemon stops and says why (rule I2).
        foreach (var errors in new[] { options.Projections.Errors, options.Projections.RebuildErrors })
        {
            errors.SkipApplyErrors = false;
            errors.SkipSerializationErrors = false;
            errors.SkipUnknownEvents = false;
        }

        foreach (var (type, name) in EventNames.All)
        {
            options.Events.MapEventType(type, name);
        }

        ledger.ConfigureMarten?.Invoke(options);
    }

    public static DocumentStore CreateStore(string connectionString, VppLedgerOptions ledger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            Apply(options, ledger);
        });
    }
}
