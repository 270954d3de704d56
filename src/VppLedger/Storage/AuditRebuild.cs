using Marten;
using Npgsql;
using VppLedger.Audit;

namespace VppLedger.Storage;

/// <summary>
/// Rebuilds every projection from the log with Marten's daemon (rule I2). Projections that own their documents
/// (the write states) are torn down by Marten; the seat and member rows and the audit table are emptied here first,
/// so that nothing of the live state survives into the rebuilt one.
/// </summary>
internal static class AuditRebuild
{
    public static async Task RunAsync(DocumentStore store, VppLedgerOptions options, IProgress<RebuildProgress>? progress, CancellationToken cancellationToken)
    {
        var steps = new (string Name, Func<JasperFx.Events.Daemon.IProjectionDaemon, Task> Run)[]
        {
            ("TokenDoc", d => d.RebuildProjectionAsync<TokenDoc>(cancellationToken)),
            ("PoolDoc", d => d.RebuildProjectionAsync<PoolDoc>(cancellationToken)),
            ("AssignmentDoc", d => d.RebuildProjectionAsync<AssignmentDoc>(cancellationToken)),
            ("UserDoc", d => d.RebuildProjectionAsync<UserDoc>(cancellationToken)),
            ("DeviceDoc", d => d.RebuildProjectionAsync<DeviceDoc>(cancellationToken)),
            ("GroupDoc", d => d.RebuildProjectionAsync<GroupDoc>(cancellationToken)),
            ("vpp_seats_and_members", async d =>
            {
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(SeatDoc), cancellationToken).ConfigureAwait(false);
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(MemberDoc), cancellationToken).ConfigureAwait(false);
                await d.RebuildProjectionAsync("vpp_seats_and_members", cancellationToken).ConfigureAwait(false);
            }),
            (AuditSchema.ProjectionName, async d =>
            {
                await using (var connection = store.Storage.Database.CreateConnection())
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using var truncate = new NpgsqlCommand($"truncate {AuditSchema.Qualified(options.SchemaName)}", connection);
                    await truncate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await d.RebuildProjectionAsync(AuditSchema.ProjectionName, cancellationToken).ConfigureAwait(false);
            }),
        };

        using var daemon = await store.BuildProjectionDaemonAsync().ConfigureAwait(false);
        for (var i = 0; i < steps.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await steps[i].Run(daemon).ConfigureAwait(false);
            progress?.Report(new RebuildProgress(steps[i].Name, i + 1, steps.Length));
        }
    }
}
