using NodaTime;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.IntegrationTests.Infrastructure;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.IntegrationTests.Docs;

/// <summary>The README's quick start, compiled and run: if this test changes, the README changes with it.</summary>
public sealed class the_readme_quick_start_runs
{
    [Fact]
    [Trait("Rule", "A6")]
    public async Task the_quick_start_grants_two_and_queues_the_third()
    {
        var connectionString = await TestServer.ConnectionStringAsync();
        var schema = "readme_" + Guid.NewGuid().ToString("N")[..8];
        var tokenFile = VppTokenFile.Create("Contoso Ltd", "secret-from-apple", SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(365));

        // README: quick start
        await using var ledger = LicenseLedger.Create(connectionString, o => o.SchemaName = schema);
        var contoso = ledger.ForTenant(new TenantId("contoso"));
        var admin = new Actor("admin@contoso.example", Permissions.All);

        var token = new TokenId("main");
        await contoso.ExecuteAsync(new UploadTokenFile(
            token, tokenFile, Location: null,
            new AppleId("vpp@contoso.example", AppleIdKind.Managed),
            new TokenSettings("Main", "US", TokenAccountType.Business, AutomaticAppUpdates: true),
            ConsentToSendDataToApple: true, TakeControlFromOtherMdm: false,
            CommandId.New(), admin));

        var pages = new PoolId(token, new AdamId("361309726"));
        await contoso.ExecuteAsync(new ApplyAppleCounts(pages, ProductKind.App, PurchasedCount: 2, RetiredCount: 0, AppleAssignedCount: null, CommandId.New(), admin));

        foreach (var name in new[] { "ann", "bob", "cat" })
        {
            await contoso.ExecuteAsync(new RecordUser(new UserId(name), null, new AppleId($"{name}@contoso.example", AppleIdKind.Managed), CommandId.New(), admin));
        }

        var sales = new GroupId("sales");
        await contoso.ExecuteAsync(new CreateGroup(sales, GroupKind.User, CommandId.New(), admin));
        await contoso.ExecuteAsync(new AddGroupMembers(sales, [.. new[] { "ann", "bob", "cat" }.Select(n => GroupMember.ForUser(new UserId(n)))], CommandId.New(), admin));

        var outcome = await contoso.ExecuteAsync(new CreateAssignment(
            pages, sales, AssignmentIntent.Required, LicenseType.User, CommandId.New(), admin));

        var pool = await contoso.GetPoolAsync(pages);
        Console.WriteLine($"{pool!.UsedCount} of {pool.TotalCount} used, {pool.QueuedCount} queued"); // 2 of 2 used, 1 queued
        // README: end

        Assert.Equal(CommandStatus.Applied, outcome.Status);
        Assert.Equal((2, 2, 1), (pool.UsedCount, pool.TotalCount, pool.QueuedCount));
        await TestServer.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {schema} CASCADE");
    }
}

public sealed class the_readme_shows_the_compiled_quick_start
{
    [Fact]
    public void the_readme_block_is_the_tested_code()
    {
        var test = File.ReadAllText(Here());
        var start = test.IndexOf("// README: quick start\n", StringComparison.Ordinal) + "// README: quick start\n".Length;
        var end = test.IndexOf("        // README: end", StringComparison.Ordinal);
        var code = string.Join('\n', test[start..end].TrimEnd('\n').Split('\n').Select(l => l.StartsWith("        ", StringComparison.Ordinal) ? l[8..] : l));
        var readme = File.ReadAllText(Path.Combine(Path.GetDirectoryName(Here())!, "../../../README.md")).ReplaceLineEndings("\n");

        Assert.Contains("```csharp\n" + code + "\n```", readme, StringComparison.Ordinal);
    }

    private static string Here([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
