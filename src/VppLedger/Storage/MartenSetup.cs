using Microsoft.Extensions.Logging;
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
    /// Before the ledger configures a host's store: refuses a store whose serializer the host already chose, since the
    /// ledger would replace it for every document of the host (the ledger's events need its own serializer).
    /// </summary>
    public static void CheckBeforeAdding(StoreOptions options)
    {
        var serializer = options.Serializer();
        if (serializer is not NewtonsoftSerializer && serializer.GetType().Name != "SystemTextJsonSerializer")
        {
            throw new InvalidOperationException(
                $"This Marten store already uses the serializer {serializer.GetType().FullName}; AddVppLedger() would replace it for every document of the store. " +
                "Give the ledger a store of its own with services.AddVppLedger(connectionString) or LicenseLedger.Create(...), which leaves this store alone.");
        }
    }

    /// <summary>
    /// When the ledger starts on a host's store: every setting the ledger relies on must still hold (a host may have
    /// changed one after <c>AddVppLedger()</c>). Throws one error naming each conflict and what to do.
    /// </summary>
    public static void CheckHostStore(StoreOptions options, VppLedgerOptions ledger)
    {
        var conflicts = new List<string>();
        if (options.Serializer() is not NewtonsoftSerializer)
        {
            conflicts.Add($"the serializer is {options.Serializer().GetType().Name}, the ledger needs its own (set by AddVppLedger)");
        }

        if (options.Events.StreamIdentity != StreamIdentity.AsString)
        {
            conflicts.Add($"event streams are identified {options.Events.StreamIdentity}, the ledger names its streams (AsString)");
        }

        if (options.Events.TenancyStyle != TenancyStyle.Conjoined)
        {
            conflicts.Add($"event tenancy is {options.Events.TenancyStyle}, the ledger keeps tenants apart in one database (Conjoined, rule X2)");
        }

        if (options.Events.AppendMode != EventAppendMode.Quick)
        {
            conflicts.Add($"events are appended {options.Events.AppendMode}, the ledger's read checks need Quick");
        }

        if (!string.Equals(options.Events.DatabaseSchemaName, ledger.SchemaName, StringComparison.Ordinal))
        {
            conflicts.Add($"the event schema is {options.Events.DatabaseSchemaName}, the ledger's options say {ledger.SchemaName} (pass the same options to AddVppLedger() and AddVppLedgerOnHostStore())");
        }

        if (conflicts.Count > 0)
        {
            throw new InvalidOperationException(
                "The host's Marten store conflicts with the ledger: " + string.Join("; ", conflicts) +
                ". Do not change these after options.AddVppLedger(), or give the ledger a store of its own with services.AddVppLedger(connectionString).");
        }
    }

    /// <summary>Write states kept inline (what the next command needs), and the indexed rows commands read.</summary>
    private static void RegisterDocuments(StoreOptions options)
    {
        options.Projections.Add<TokenDocProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<PoolDocProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<AssignmentDocProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<UserDocProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<DeviceDocProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<GroupDocProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add(new SeatsAndMembersProjection(), ProjectionLifecycle.Inline, "vpp_seats_and_members");
        options.Projections.Add<AppleSideDocProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add(new AppleSideRowsProjection(), ProjectionLifecycle.Inline, AppleSideRowsProjection.Name);

        options.Schema.For<TokenDoc>().Index(x => x.Location!);
        options.Schema.For<PoolDoc>().Index(x => x.TokenKey);
        options.Schema.For<AssignmentDoc>().Index(x => x.GroupKey).Index(x => x.PoolKey).Index(x => x.AdamKey);
        options.Schema.For<DeviceDoc>().Index(x => x.UserKey!);
        options.Schema.For<SeatDoc>()
            .Index([x => x.PoolKey, x => x.Status, x => x.QueuePosition])
            .Index([x => x.OwnerId, x => x.Type]);
        options.Schema.For<MemberDoc>().Index([x => x.GroupKey, x => x.Position]);
        options.Schema.For<ReleaseDoc>().Index(x => x.PoolKey);
        options.Schema.For<AppleRequestDoc>()
            .Index([x => x.TokenKey, x => x.Status, x => x.PoolKey, x => x.Version])
            .Index(x => x.AppleEventId!);
        options.Schema.For<DeviceDoc>().Index(x => x.SerialKey!);
        options.Schema.For<SeatDoc>().Index([x => x.TokenKey, x => x.Status]);
        options.Schema.For<AppleSideDoc>();
        options.Schema.For<AppleSeatDoc>().Index([x => x.TokenKey, x => x.WalkId]);
        options.Schema.For<AppleUserDoc>().Index(x => x.TokenKey);
        options.Schema.For<AppleNotificationDoc>();
        options.Schema.For<FindingDoc>().Index(x => x.TokenKey);
        options.Schema.For<CommandRecord>();
        options.Schema.For<OperationDoc>();
        options.Schema.For<TokenSecretDoc>();

        // The audit table, its hash chain and the import keys (issue 5: rules I1, I2, I5).
        AuditSchema.Register(options);

        // The change feed's checkpoints (issue 15).
        MartenChangeFeed.Register(options);

        // Every fact a command reads is checked at commit (ARCHITECTURE.md "Commands"; issue 10, item 14).
        ReadGuards.Register(options);

        // Rule T4: one tenant per location, across tenants and databases: claims in the control database, tickets in each.
        LocationGuard.Register(options);

        // A tenant's writes stop in its database while it moves to another (docs/scale-out.md).
        TenantGate.Register(options);
    }

    public static DocumentStore CreateStore(string connectionString, VppLedgerOptions ledger, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ledger.Databases.Validate();
        var withPreparing = WithAutoPrepare(connectionString);
        return DocumentStore.For(options =>
        {
            Apply(options, ledger);
            UseDatabases(options, ledger, withPreparing, null);
            UseLoggers(options, loggers);
        });
    }

    public static DocumentStore CreateStore(Npgsql.NpgsqlDataSource dataSource, VppLedgerOptions ledger, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        ledger.Databases.Validate();
        return DocumentStore.For(options =>
        {
            Apply(options, ledger);
            UseDatabases(options, ledger, null, dataSource);
            UseLoggers(options, loggers);
        });
    }

    /// <summary>
    /// Where the store's tenants live (docs/scale-out.md). One database: the connection given, as always. Several (a
    /// static map, the registry, or both): the ledger's <see cref="LedgerTenancy"/>, an <see cref="Marten.Storage.ITenancy"/>
    /// over Marten's own databases. Not Marten's <c>MultiTenantedDatabases</c> static tenancy: in Marten 9.58 its
    /// <c>IsTenantStoredInCurrentDatabase</c> looks the tenant id up among the database names, so every nested
    /// <c>ForTenant</c> of a conjoined tenant (the seat projection's, the rebuild's) fails with
    /// <c>InvalidTenantForDatabaseException</c> (tenants_spread_over_several_databases showed it); nor can it be given
    /// the host's data source.
    /// </summary>
    private static void UseDatabases(StoreOptions options, VppLedgerOptions ledger, string? connectionString, Npgsql.NpgsqlDataSource? dataSource)
    {
        if (!ledger.Databases.IsMultiple)
        {
            if (dataSource is not null)
            {
                options.Connection(dataSource);
            }
            else
            {
                options.Connection(connectionString!);
            }

            return;
        }

        options.Tenancy = new LedgerTenancy(options, ledger, dataSource ?? Npgsql.NpgsqlDataSource.Create(connectionString!), ownsControl: dataSource is null);
    }

    /// <summary>Statements a connection of the ledger's own pool keeps prepared when the host's connection string does not say.</summary>
    public const int DefaultMaxAutoPrepare = 100;

    /// <summary>
    /// The host's connection string with Npgsql's automatic preparation on (<c>Max Auto Prepare</c>), unless it sets
    /// it itself (<c>Max Auto Prepare=0</c> turns it off, e.g. behind a pooler that cannot keep prepared statements).
    /// A command sends the same few statements every time (loads by id, the append, the upserts, the read checks):
    /// prepared, the server plans them once per connection instead of once per command, which halved the server's
    /// CPU per single-license grant (docs/benchmarks.md, issue 11).
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        // The keys as written (NpgsqlConnectionStringBuilder.ContainsKey says whether a keyword is known, not set).
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (written.ContainsKey("Max Auto Prepare") || written.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare };
        return builder.ConnectionString;
    }

    // Marten logs through the host's logging (its schema changes, the daemon of a rebuild) under the category "Marten".
    private static void UseLoggers(StoreOptions options, Microsoft.Extensions.Logging.ILoggerFactory? loggers)
    {
        if (loggers is not null)
        {
            options.Logger(new MartenLogging(loggers.CreateLogger("Marten")));
        }
    }
}
