using Marten;
using Npgsql;
using VppLedger.Audit;

namespace VppLedger.Storage;

/// <summary>
/// Rebuilds every projection from the log with Marten's daemon (rule I2). Projections that own their documents
/// (the write states) are torn down by Marten; the seat and member rows and the audit table are emptied here first,
/// so that nothing of the live state survives into the rebuilt one. The hash chain is not a projection: it is the
/// evidence that the log was not changed, so a rebuild keeps it and then seals what was not sealed yet. Rebuilt
/// audit rows equal the live ones, so the kept chain verifies over them; a changed event stays detected.
/// </summary>
internal static class AuditRebuild
{
    public static async Task RunAsync(DocumentStore store, VppLedgerOptions options, AuditSealer sealer, IProgress<RebuildProgress>? progress, CancellationToken cancellationToken)
    {
        var steps = new (string Name, Func<JasperFx.Events.Daemon.IProjectionDaemon, Task> Run)[]
        {
            ("TokenDoc", d => d.RebuildProjectionAsync<TokenDoc>(options.RebuildShardTimeout, cancellationToken)),
            ("PoolDoc", d => d.RebuildProjectionAsync<PoolDoc>(options.RebuildShardTimeout, cancellationToken)),
            ("AssignmentDoc", d => d.RebuildProjectionAsync<AssignmentDoc>(options.RebuildShardTimeout, cancellationToken)),
            ("UserDoc", d => d.RebuildProjectionAsync<UserDoc>(options.RebuildShardTimeout, cancellationToken)),
            ("DeviceDoc", d => d.RebuildProjectionAsync<DeviceDoc>(options.RebuildShardTimeout, cancellationToken)),
            ("GroupDoc", d => d.RebuildProjectionAsync<GroupDoc>(options.RebuildShardTimeout, cancellationToken)),
            ("vpp_seats_and_members", async d =>
            {
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(SeatDoc), cancellationToken).ConfigureAwait(false);
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(MemberDoc), cancellationToken).ConfigureAwait(false);
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(ReleaseDoc), cancellationToken).ConfigureAwait(false);
                await d.RebuildProjectionAsync("vpp_seats_and_members", options.RebuildShardTimeout, cancellationToken).ConfigureAwait(false);
            }),
            ("AppleSideDoc", d => d.RebuildProjectionAsync<AppleSideDoc>(options.RebuildShardTimeout, cancellationToken)),
            (AppleSideRowsProjection.Name, async d =>
            {
                foreach (var type in new[] { typeof(AppleSeatDoc), typeof(AppleUserDoc), typeof(AppleNotificationDoc), typeof(FindingDoc) })
                {
                    await store.Advanced.Clean.DeleteDocumentsByTypeAsync(type, cancellationToken).ConfigureAwait(false);
                }

                await d.RebuildProjectionAsync(AppleSideRowsProjection.Name, options.RebuildShardTimeout, cancellationToken).ConfigureAwait(false);
            }),
            (AuditSchema.ProjectionName, async d =>
            {
                await using (var connection = store.Storage.Database.CreateConnection())
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using var truncate = new NpgsqlCommand($"truncate {AuditSchema.Qualified(options.SchemaName)}", connection);
                    await truncate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await d.RebuildProjectionAsync(AuditSchema.ProjectionName, options.RebuildShardTimeout, cancellationToken).ConfigureAwait(false);
            }),
        };

        using var daemon = await store.BuildProjectionDaemonAsync().ConfigureAwait(false);
        var schema = SchemaNames.Quote(options.SchemaName);
        var events = await ScalarAsync(store, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", null, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < steps.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = i * events;
            var step = steps[i];
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var poll = progress is null ? Task.CompletedTask : PollAsync(store, schema, step.Name, i, steps.Length, before, events, progress, stop.Token);
            try
            {
                await step.Run(daemon).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await poll.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            progress?.Report(new RebuildProgress(step.Name, i + 1, steps.Length) { EventsDone = before + events, EventsTotal = steps.Length * events });
        }

        // Seal the rest of the log (no command is in flight, so every gap is dead and the loop ends).
        while ((await sealer.SealAsync(cancellationToken).ConfigureAwait(false)).Blocked)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }

    // How far the daemon has read the log for one projection (its shards' progression), a few times a second.
    private static async Task PollAsync(DocumentStore store, string schema, string projection, int index, int total, long before, long events, IProgress<RebuildProgress> progress, CancellationToken cancellationToken)
    {
        var sql = $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name like @projection";
        var read = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);

            // The daemon resets its progression rows while a rebuild runs: progress never goes back.
            read = Math.Max(read, await ScalarAsync(store, sql, projection + ":%", cancellationToken).ConfigureAwait(false));
            progress.Report(new RebuildProgress(projection, index, total) { EventsDone = before + Math.Min(read, events), EventsTotal = total * events });
        }
    }

    private static async Task<long> ScalarAsync(DocumentStore store, string sql, string? projection, CancellationToken cancellationToken)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        if (projection is not null)
        {
            command.Parameters.AddWithValue("projection", projection);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
