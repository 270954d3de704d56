using System.Globalization;

namespace VppLedger.Storage;

/// <summary>
/// Where a page of a large operation stops, as the text its operation record keeps (<see cref="Operations.OperationPageCommitted.Cursor"/>).
/// Two orders: a group's members by position (assignment fan-outs: <c>m/{assignment version}/{phase}/{position}</c>)
/// a token's pools by key (revocations and deletions: <c>s/{pool key}</c>, or <c>s/</c> for a sweep that starts again
/// from the first pool), and the pools whose queues are served (new counts, a renewal, control taken: <c>q/{pool key}</c>).
/// </summary>
internal static class PageCursor
{
    public static string Members(long assignmentVersion, int phase, long position) =>
        string.Create(CultureInfo.InvariantCulture, $"m/{assignmentVersion}/{phase}/{position}");

    public static string Seats(string? afterSeatId) => "s/" + afterSeatId;

    /// <summary>A queue service that stopped in a pool (<c>q/{pool key}</c>): the next page serves that pool's queue first.</summary>
    public static string Queue(string poolKey) => "q/" + poolKey;

    /// <summary>A queue cursor's pool key; null for no cursor, or for a cursor of another kind (the command's first page of queue service).</summary>
    public static string? ParseQueue(string? cursor) =>
        cursor is not null && cursor.StartsWith("q/", StringComparison.Ordinal) ? cursor[2..] : null;

    /// <summary>A member cursor's parts; null for no cursor (the first page).</summary>
    /// <exception cref="FormatException">Not a member cursor: a bug, or a record of another command.</exception>
    public static (long AssignmentVersion, int Phase, long Position)? ParseMembers(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        var parts = cursor.Split('/');
        if (parts.Length != 4 || parts[0] != "m")
        {
            throw new FormatException($"'{cursor}' is not a member cursor.");
        }

        return (long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    /// <summary>A seat cursor's seat id ("" to start again from the first seat); null for no cursor (the first page).</summary>
    /// <exception cref="FormatException">Not a seat cursor.</exception>
    public static string? ParseSeats(string? cursor) =>
        cursor is null ? null
        : cursor.StartsWith("s/", StringComparison.Ordinal) ? cursor[2..]
        : throw new FormatException($"'{cursor}' is not a seat cursor.");
}
