using System.Text.Json.Nodes;
using VppLedger.Apple.Tests.Fake;

namespace VppLedger.Apple.Tests;

/// <summary>The fake Apple's notifications, the fault the worker's tests and the demo lean on.</summary>
public sealed class the_fake_apple_pushes_asset_management_notifications_twice_and_out_of_order
{
    [Fact]
    public async Task a_completed_event_pushes_a_success_and_a_failure_per_error_delivered_as_configured()
    {
        await using var world = await AppleWorld.StartAsync();
        world.Apple.Assets.Add(new FakeAsset { AdamId = "1", TotalCount = 10 });
        world.Apple.FailingHolders["u2"] = 9709;
        var eventId = Assert.Single(await world.Client.AssociateAsync(AppleWorld.Token, [new AppleAssetRef("1", "STDQ")], [], ["u1", "u2"])).EventId!;
        Assert.Empty(world.Apple.TakeNotifications()); // nothing before Apple completes the event

        world.Apple.DuplicateNotifications = true;
        world.Apple.NotificationsOutOfOrder = true;
        world.Apple.CompleteAll();
        var delivered = world.Apple.TakeNotifications().Select(n => JsonNode.Parse(n)!.AsObject()).ToList();

        Assert.Equal(
            [("notification-2", "FAILURE"), ("notification-2", "FAILURE"), ("notification-1", "SUCCESS"), ("notification-1", "SUCCESS")],
            delivered.Select(n => ((string)n["notificationId"]!, (string)n["notification"]!["result"]!)));
        Assert.All(delivered, n => Assert.Equal(("ASSET_MANAGEMENT", eventId, "ASSOCIATE"), ((string)n["notificationType"]!, (string)n["notification"]!["eventId"]!, (string)n["notification"]!["type"]!)));
        Assert.Equal(9709, (int)delivered[0]["notification"]!["error"]!["errorNumber"]!);
        Assert.Equal("u2", (string)delivered[0]["notification"]!["assignments"]![0]!["clientUserId"]!);
        Assert.Equal("u1", (string)delivered[2]["notification"]!["assignments"]![0]!["clientUserId"]!);
        Assert.Empty(world.Apple.TakeNotifications()); // taken once

        var status = await world.Client.GetStatusAsync(AppleWorld.Token, eventId); // the poll after: complete, same result
        Assert.Equal(("COMPLETE", 1), (status.EventStatus, status.Failures.Count));
    }
}
