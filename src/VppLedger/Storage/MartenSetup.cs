using JasperFx;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Marten.Schema.Indexing.Unique;

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

        RegisterDocuments(options);

        ledger.ConfigureMarten?.Invoke(options);
    }

    /// <summary>
    /// Events per page when the daemon rebuilds a projection (<see cref="ILicenseLedger.RebuildAsync"/>). The daemon
    /// walks the whole log in pages of this size for every projection, even one that reads a few event types, so
    /// on a log of 5 million events Marten's default paid about 10,000 round trips per projection (the token
    /// states alone took 83 s to rebuild). Used only by rebuilds: inline projections apply in the command's transaction.
    /// </summary>
    internal const int RebuildPageSize = 5_000;

    internal static void Rebuild(JasperFx.Events.Projections.AsyncOptions options) => options.BatchSize = RebuildPageSize;

    /// <summary>Write states kept inline (what the next command needs), and the indexed rows commands read.</summary>
    private static void RegisterDocuments(StoreOptions options)
    {
        options.Projections.Add<TokenDocProjection>(ProjectionLifecycle.Inline, Rebuild);
        options.Projections.Add<PoolDocProjection>(ProjectionLifecycle.Inline, Rebuild);
        options.Projections.Add<AssignmentDocProjection>(ProjectionLifecycle.Inline, Rebuild);
        options.Projections.Add<UserDocProjection>(ProjectionLifecycle.Inline, Rebuild);
        options.Projections.Add<DeviceDocProjection>(ProjectionLifecycle.Inline, Rebuild);
        options.Projections.Add<GroupDocProjection>(ProjectionLifecycle.Inline, Rebuild);
        options.Projections.Add(new SeatsAndMembersProjection(), ProjectionLifecycle.Inline, "vpp_seats_and_members", Rebuild);

        options.Schema.For<TokenDoc>().Index(x => x.Location!);
        options.Schema.For<PoolDoc>().Index(x => x.TokenKey);
        options.Schema.For<AssignmentDoc>().Index(x => x.GroupKey).Index(x => x.PoolKey).Index(x => x.AdamKey);
        options.Schema.For<DeviceDoc>().Index(x => x.UserKey!);
        options.Schema.For<SeatDoc>()
            .Index([x => x.PoolKey, x => x.Status, x => x.QueuePosition])
            .Index([x => x.OwnerId, x => x.Type]);
        options.Schema.For<MemberDoc>().Index([x => x.GroupKey, x => x.Position]);
        options.Schema.For<CommandRecord>();
        options.Schema.For<TokenSecretDoc>();

        // The audit table, its hash chain and the import keys (issue 5: rules I1, I2, I5).
        AuditSchema.Register(options);

        // Rule T4: one tenant per location, enforced by the database across tenants.
        options.Schema.For<LocationClaimDoc>().UniqueIndex(UniqueIndexType.Computed, "vpp_location_claim_unique", TenancyScope.Global, x => x.Location);
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
