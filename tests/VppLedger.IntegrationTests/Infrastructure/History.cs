namespace VppLedger.IntegrationTests.Infrastructure;

/// <summary>Lines of an import file (docs/audit.md) for a token and its pool 555, in 2024 business time.</summary>
public static class History
{
    public static PoolId PoolOf(string token) => new(new TokenId(token), new AdamId("555"));

    /// <summary>A history every live rule accepts: 4 users, 2 licenses, ann and bob granted, cat queued then promoted when ann's is revoked, dan queued.</summary>
    public static string Valid(string token) => string.Join('\n',
        Uploaded(token, $"apple:loc-import-{token}"),
        Users("ann", "bob", "cat", "dan"),
        Counts(token, purchased: 2),
        Granted(token, "u.ann.managed"),
        Granted(token, "u.bob.managed"),
        Queued(token, "u.cat.managed", 1, at: "2024-05-03T08:00:00Z"),
        Reclaimed(token, "u.ann.managed"),
        Granted(token, "u.cat.managed", reason: "PromotedFromQueue", at: "2024-06-01T08:00:00Z"),
        Queued(token, "u.dan.managed", 2, at: "2024-06-02T08:00:00Z"));

    public static string Uploaded(string token, string location) =>
        $$$"""{"event":"vpp.token.uploaded.v1","stream":"token:{{{token}}}","actor":"legacy-mdm","data":{"OccurredAt":"2024-04-30T08:00:00Z","Token":"{{{token}}}","Location":"{{{location}}}","File":{"OrganizationName":"Contoso Ltd","ExpiresAt":"2025-04-30T08:00:00Z","Fingerprint":"471f937e5cb27966885927976f9b94f62d860044ac6181b89d71a9d19a84f8ab"},"ManagedAppleId":{"Value":"vpp-admin@contoso.example","Kind":"Managed"},"Settings":{"Name":"Legacy","CountryCode":"US","AccountType":"Business","AutomaticAppUpdates":true},"Programme":"AppsAndBooks","TookControlFromOtherMdm":false,"DuplicateOf":null}}""";

    /// <summary>One recorded user per id, each with a managed Apple ID (u.{id}.managed).</summary>
    public static string Users(params string[] ids) => string.Join('\n', ids.Select(id =>
        $$$"""{"event":"vpp.user.recorded.v1","stream":"user:{{{id}}}","actor":"legacy-mdm","data":{"OccurredAt":"2024-04-30T08:00:00Z","User":"{{{id}}}","PersonalAppleId":null,"ManagedAppleId":{"Value":"{{{id}}}@contoso.example","Kind":"Managed"}} }"""));

    public static string Deleted(string token, string at = "2024-05-03T08:00:00Z") =>
        $$$"""{"event":"vpp.token.deleted.v1","stream":"token:{{{token}}}","actor":"legacy-mdm","data":{"OccurredAt":"{{{at}}}","RevocationRequested":false}}""";

    public static string Counts(string token, int purchased, int retired = 0) =>
        $$$"""{"event":"vpp.pool.apple_counts_applied.v1","stream":"pool:{{{token}}}:555","actor":"legacy-mdm","data":{"Pool":{{{Pool(token)}}},"Product":"App","PurchasedCount":{{{purchased}}},"RetiredCount":{{{retired}}},"AppleAssignedCount":null,"OccurredAt":"2024-05-01T08:00:00Z"}}""";

    public static string Granted(string token, string holder, string reason = "Targeted", string at = "2024-05-02T08:00:00Z") =>
        $$$"""{"event":"vpp.pool.license_granted.v1","stream":"pool:{{{token}}}:555","actor":"legacy-mdm","data":{"Pool":{{{Pool(token)}}},"Holder":"{{{holder}}}","Reason":"{{{reason}}}","Rule":"A6","OccurredAt":"{{{at}}}"}}""";

    public static string Queued(string token, string holder, long position, string at = "2024-05-02T08:00:00Z") =>
        $$$"""{"event":"vpp.pool.holder_queued.v1","stream":"pool:{{{token}}}:555","actor":"legacy-mdm","data":{"Pool":{{{Pool(token)}}},"Holder":"{{{holder}}}","Position":{{{position}}},"Rule":"A6","OccurredAt":"{{{at}}}"}}""";

    public static string Reclaimed(string token, string holder, string at = "2024-06-01T08:00:00Z") =>
        $$$"""{"event":"vpp.pool.license_reclaimed.v1","stream":"pool:{{{token}}}:555","actor":"auditor-import","data":{"Pool":{{{Pool(token)}}},"Holder":"{{{holder}}}","Reason":"Revoked","Rule":"R3","OccurredAt":"{{{at}}}"}}""";

    private static string Pool(string token) => $"{{\"Token\":\"{token}\",\"AdamId\":\"555\"}}";
}
