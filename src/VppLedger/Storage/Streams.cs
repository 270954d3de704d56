namespace VppLedger.Storage;

/// <summary>Stream ids (ARCHITECTURE.md "Streams"): built from the host's ids, never from Apple IDs or serial numbers.</summary>
internal static class Streams
{
    public static string Token(TokenId token) => "token:" + token.Value;

    /// <summary>The tenant's one stream of token changes; its version is the lock of every upload, migration and deletion (T1, T4).</summary>
    public const string TenantTokens = "tenant:tokens";

    /// <summary>The tenant's alerts, raised and cleared (issue 15): transitions only.</summary>
    public const string TenantAlerts = "tenant:alerts";

    /// <summary>What Apple said of a token (client config, notifications, user states, assignment walks) and its reconciliation findings.</summary>
    public static string Apple(TokenId token) => "apple:" + token.Value;

    public static string Pool(PoolId pool) => $"pool:{pool.Token.Value}:{pool.AppKey}";

    public static string Assignment(PoolId pool, GroupId group) => $"assignment:{pool.Token.Value}:{pool.AppKey}:{group.Value}";

    public static string Group(GroupId group) => "group:" + group.Value;

    public static string User(UserId user) => "user:" + user.Value;

    public static string Device(DeviceId device) => "device:" + device.Value;

    public static string Operation(CommandId operation) => OperationRecords.StreamOf(operation);

    public static string Seat(PoolId pool, string holderKey) => $"{Pool(pool)}|{holderKey}";

    public static string Member(GroupId group, Directory.GroupMember member) => $"{Group(group)}|{member}";
}
