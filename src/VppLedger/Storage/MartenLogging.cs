using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace VppLedger.Storage;

/// <summary>
/// Marten's logging through the host's <see cref="ILogger"/> (category <c>Marten</c>): schema changes at Information,
/// failed commands at Warning, each statement at Trace. Parameter values are never logged (they hold personal data).
/// </summary>
internal sealed partial class MartenLogging(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => SchemaChanged(logger, sql);

    public void LogSuccess(NpgsqlCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        StatementRan(logger, command.CommandText);
    }

    public void LogSuccess(NpgsqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (logger.IsEnabled(LogLevel.Trace))
        {
            StatementRan(logger, string.Join(";\n", batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText)));
        }
    }

    public void LogFailure(NpgsqlCommand command, Exception ex)
    {
        ArgumentNullException.ThrowIfNull(command);
        StatementFailed(logger, ex, command.CommandText);
    }

    public void LogFailure(NpgsqlBatch batch, Exception ex)
    {
        ArgumentNullException.ThrowIfNull(batch);
        StatementFailed(logger, ex, string.Join(";\n", batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText)));
    }

    public void LogFailure(Exception ex, string message) => Failed(logger, ex, message);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
    {
    }

    public void OnBeforeExecute(NpgsqlCommand command)
    {
    }

    public void OnBeforeExecute(NpgsqlBatch batch)
    {
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Marten applied a schema change:\n{Sql}")]
    private static partial void SchemaChanged(ILogger logger, string sql);

    [LoggerMessage(EventId = 101, Level = LogLevel.Trace, Message = "Marten ran:\n{Sql}")]
    private static partial void StatementRan(ILogger logger, string sql);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Marten's statement failed:\n{Sql}")]
    private static partial void StatementFailed(ILogger logger, Exception error, string sql);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Marten: {Message}")]
    private static partial void Failed(ILogger logger, Exception error, string message);
}
