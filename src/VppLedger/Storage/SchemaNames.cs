namespace VppLedger.Storage;

/// <summary>
/// The PostgreSQL schema name of the ledger: checked where it enters (<see cref="VppLedgerOptions.SchemaName"/>,
/// the tool's <c>--schema</c>) and quoted in the SQL the ledger writes itself. A plain lower-case identifier only, so
/// that Marten's own DDL (which writes it unquoted) and our quoted SQL name the same schema.
/// </summary>
internal static class SchemaNames
{
    public const int MaxLength = 63;

    // PostgreSQL's reserved key words (Appendix C, "reserved" and "reserved (can be function or type)"): a schema of
    // that name could not be written unquoted.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary", "both",
        "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create", "cross",
        "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
        "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
        "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner",
        "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
        "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order", "outer",
        "overlaps", "placing", "primary", "references", "returning", "right", "select", "session_user", "similar",
        "some", "symmetric", "system_user", "table", "tablesample", "then", "to", "trailing", "true", "union", "unique",
        "user", "using", "variadic", "verbose", "when", "where", "window", "with",
    };

    /// <summary>Null when <paramref name="name"/> is a valid schema name, else the sentence that says what to write.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "The schema name is empty: give a PostgreSQL schema name such as vppledger.";
        }

        var valid = name.Length <= MaxLength
            && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
        if (!valid)
        {
            return $"Schema name '{Shorten(name)}' is not valid: use 1 to {MaxLength} lower-case letters, digits or '_', starting with a letter or '_' (for example vppledger).";
        }

        if (name.StartsWith("pg_", StringComparison.Ordinal) || Reserved.Contains(name))
        {
            return $"Schema name '{name}' is reserved by PostgreSQL: choose another one, for example vppledger.";
        }

        return null;
    }

    /// <summary>Returns <paramref name="name"/> when valid; else throws <see cref="ArgumentException"/> with the sentence of <see cref="Problem"/>.</summary>
    public static string Check(string? name, string parameterName) =>
        Problem(name) is { } problem ? throw new ArgumentException(problem, parameterName) : name!;

    /// <summary>The name as a quoted SQL identifier (valid names hold no quote, so none is doubled).</summary>
    public static string Quote(string name) => "\"" + name + "\"";

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "...";
}
