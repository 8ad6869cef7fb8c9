using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>
/// Webhooks (protocol.md §6) end to end: events from the real system to a receiver in the test process, signed as
/// Standard Webhooks says (verified with the StandardWebhooks package), retried with one webhook-id, in order per room.
/// </summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class WebhookDeliveryTests(ServerApiAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_event_type_reaches_the_endpoint_signed_with_its_secret()
    {
        await using var endpoint = await WebhookTestEndpoint.RegisterAsync(fixture, [.. WebhookEventTypes.All]);
        var receiver = endpoint.Receiver;
        using var gateway = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(gateway, "who");
        var member = await RealtimeTestClient.CreateUserAsync(gateway, "whm");
        var room = $"wh-all-{Guid.NewGuid():N}"[..24];

        await WebhookEndpoints.CreateRoomAsync(gateway, owner, room, "private");
        await WebhookEndpoints.ChangeMemberAsync(gateway, owner, room, member.Username, add: true);
        await using (var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner))
        {
            await client.JoinAsync(room);
            await client.SendMessageAsync(room, "hello webhooks");
            await client.SendAsync(new LeaveRequest(room));
            await client.WaitForAsync("left", frame => frame.GetProperty("room").GetString() == room);
        }

        await WebhookEndpoints.ChangeMemberAsync(gateway, owner, room, member.Username, add: false);

        bool OfRoom(ReceivedWebhook w) => w.Data.TryGetProperty("room", out var r) && r.GetString() == room;
        bool OfOwner(ReceivedWebhook w) => w.Data.GetProperty("userId").GetString() == owner.UserId;

        var created = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.RoomCreated && OfRoom(w), Timeout);
        Assert.Equal("private", created.Data.GetProperty("visibility").GetString());
        Assert.Equal(owner.UserId, created.Data.GetProperty("ownerId").GetString());

        var added = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.RoomMemberAdded && OfRoom(w), Timeout);
        Assert.Equal(member.Username, added.Data.GetProperty("username").GetString());
        var removed = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.RoomMemberRemoved && OfRoom(w), Timeout);
        Assert.Equal(member.UserId, removed.Data.GetProperty("userId").GetString());

        var message = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.MessageCreated && OfRoom(w), Timeout);
        Assert.Equal("hello webhooks", message.Data.GetProperty("content").GetString());
        Assert.Equal(1, message.Data.GetProperty("seq").GetInt64());
        Assert.Equal(owner.Username, message.Data.GetProperty("username").GetString());

        var occupied = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.RoomOccupied && OfRoom(w), Timeout);
        Assert.Equal(owner.UserId, occupied.Data.GetProperty("userId").GetString());
        await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.RoomVacated && OfRoom(w), Timeout);

        var online = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.UserOnline && OfOwner(w), Timeout);
        Assert.Equal(owner.Username, online.Data.GetProperty("username").GetString());
        await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.UserOffline && OfOwner(w), Timeout);

        var ours = receiver.Received.Where(w => OfRoom(w) || (w.Type.StartsWith("user.", StringComparison.Ordinal) && OfOwner(w))).ToList();
        Assert.Equal(WebhookEventTypes.All.Order(), ours.Select(w => w.Type).Distinct().Order());
        Assert.All(ours, w =>
        {
            Assert.True(w.SignatureValid, w.VerificationError);
            Assert.StartsWith("msg_", w.WebhookId);
            Assert.True(w.Json.TryGetProperty("timestamp", out _));
        });

        // Each event once: distinct webhook-ids, one per event.
        Assert.Equal(ours.Count, ours.Select(w => w.WebhookId).Distinct().Count());
    }

    [Fact]
    public async Task A_receiver_answering_500_three_times_gets_the_event_four_times_with_one_webhook_id()
    {
        var room = $"wh-retry-{Guid.NewGuid():N}"[..24];
        await using var endpoint = await WebhookTestEndpoint.RegisterAsync(fixture, [WebhookEventTypes.MessageCreated], [room],
            request => Task.FromResult(request.Index < 3 ? 500 : 200));
        var receiver = endpoint.Receiver;
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "whr");
        await using (var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user))
        {
            await client.JoinAsync(room);
            await client.SendMessageAsync(room, "retry me");
        }

        var delivered = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.MessageCreated, Timeout);

        Assert.Equal([500, 500, 500, 200], receiver.Received.Select(w => w.Answer));
        Assert.Single(receiver.Received.Select(w => w.WebhookId).Distinct());
        Assert.All(receiver.Received, w => Assert.True(w.SignatureValid, w.VerificationError));
        Assert.Single(receiver.Received.Select(w => w.Body).Distinct());

        var listed = await WaitForDeliveryAsync(endpoint, "delivered");
        Assert.Equal(delivered.WebhookId, listed.GetProperty("webhookId").GetString());
        Assert.Equal(4, listed.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_rooms_events_reach_an_endpoint_in_order_even_when_the_first_is_retried()
    {
        // The first message's first attempt fails: the later ones must wait for it rather than overtake it.
        var room = $"wh-order-{Guid.NewGuid():N}"[..24];
        await using var endpoint = await WebhookTestEndpoint.RegisterAsync(fixture, [WebhookEventTypes.MessageCreated], [room],
            request => Task.FromResult(request.Index == 0 ? 503 : 200));
        var receiver = endpoint.Receiver;
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "who");
        const int count = 8;
        await using (var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user))
        {
            await client.JoinAsync(room);
            for (var i = 1; i <= count; i++)
            {
                await client.SendMessageAsync(room, $"m{i}");
            }
        }

        await receiver.WaitForAsync(w => w.Data.GetProperty("seq").GetInt64() == count, Timeout);

        var deliveredSeqs = receiver.Received.Where(w => w.Answer == 200).Select(w => w.Data.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), deliveredSeqs);
        Assert.Equal(503, receiver.Received[0].Answer);
        Assert.Equal(1, receiver.Received[0].Data.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task An_endpoint_with_room_prefixes_gets_only_those_rooms_events()
    {
        var prefix = $"wh-pf-{Guid.NewGuid():N}"[..18];
        await using var endpoint = await WebhookTestEndpoint.RegisterAsync(fixture, [WebhookEventTypes.MessageCreated], [$"{prefix}.a"]);
        var receiver = endpoint.Receiver;
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "whp");
        await using (var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user))
        {
            await client.JoinAsync($"{prefix}.b1");
            await client.JoinAsync($"{prefix}.a1");
            await client.SendMessageAsync($"{prefix}.b1", "not for this endpoint");
            await client.SendMessageAsync($"{prefix}.a1", "for this endpoint");
        }

        var delivered = await receiver.WaitForAsync(w => w.Type == WebhookEventTypes.MessageCreated, Timeout);
        Assert.Equal($"{prefix}.a1", delivered.Data.GetProperty("room").GetString());

        // The b1 message was stored no later than a1's, and deliveries are made when an event is stored.
        var deliveries = await endpoint.DeliveriesAsync();
        Assert.Single(deliveries);
        Assert.All(receiver.Received, w => Assert.Equal($"{prefix}.a1", w.Data.GetProperty("room").GetString()));
    }

    [Fact]
    public async Task A_delivery_still_failing_after_the_retry_window_is_kept_as_failed_and_listed()
    {
        var room = $"wh-fail-{Guid.NewGuid():N}"[..24];
        await using var endpoint = await WebhookTestEndpoint.RegisterAsync(fixture, [WebhookEventTypes.MessageCreated], [room],
            _ => Task.FromResult(500));
        var receiver = endpoint.Receiver;
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "whf");
        await using (var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user))
        {
            await client.JoinAsync(room);
            await client.SendMessageAsync(room, "nobody takes this");
        }

        var failed = await WaitForDeliveryAsync(endpoint, "failed", TimeSpan.FromSeconds(90));
        Assert.Equal(WebhookEventTypes.MessageCreated, failed.GetProperty("type").GetString());
        Assert.Equal(500, failed.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(receiver.Received.Count, failed.GetProperty("attempts").GetInt32());
        Assert.True(receiver.Received.Count > 1);
        Assert.Single(receiver.Received.Select(w => w.WebhookId).Distinct());

        var listed = await endpoint.Server.GetFromJsonAsync<JsonElement>("/api/server/webhooks").WaitAsync(Timeout);
        var webhook = listed.GetProperty("webhooks").EnumerateArray().Single(w => w.GetProperty("id").GetString() == endpoint.Id);
        Assert.Equal(1, webhook.GetProperty("failed").GetInt32());
        Assert.Equal(0, webhook.GetProperty("pending").GetInt32());
    }

    /// <summary>Polls the endpoint's deliveries until one has <paramref name="status"/>.</summary>
    public static async Task<JsonElement> WaitForDeliveryAsync(WebhookTestEndpoint endpoint, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? Timeout);
        while (true)
        {
            var deliveries = await endpoint.DeliveriesAsync(status);
            if (deliveries.Count > 0)
            {
                return deliveries[0];
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"No {status} delivery of webhook {endpoint.Id}");
            }

            await Task.Delay(250);
        }
    }
}
