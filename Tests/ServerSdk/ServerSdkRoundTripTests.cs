using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RealtimeAspire.Server;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.ServerSdk;

/// <summary>A backend does what protocol.md §6's table lists through RealtimeAspire.Server, against the real system.</summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class ServerSdkRoundTripTests(ServerApiAppFixture fixture)
{
    private static readonly TimeSpan Timeout = RealtimeTestKit.Timeout;

    [Fact]
    public async Task A_backend_publishes_broadcasts_and_notifies_and_users_see_it_live_and_in_history()
    {
        var realtime = Backend();
        using var gateway = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(gateway, "sdk");
        var room = RealtimeTestKit.NewRoom("sdk");
        await using var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await socket.JoinAsync(room);

        var data = JsonSerializer.SerializeToElement(new { status = "shipped", order = 42 });
        var key = Guid.NewGuid().ToString("N");
        var published = await realtime.PublishAsync(room, new ServerMessage($"order for @{alice.Username}", data, key)).WaitAsync(Timeout);
        var again = await realtime.PublishAsync(room, new ServerMessage($"order for @{alice.Username}", data, key)).WaitAsync(Timeout);

        var live = await socket.WaitForAsync("message", frame => frame.Str("messageId") == published.MessageId);
        Assert.Equal(published, again);
        Assert.Equal(published.Seq, live.Seq());
        Assert.Equal($"client:{ServerApiAppFixture.BackendId}", live.Str("userId"));
        Assert.Equal(42, live.GetProperty("data").GetProperty("order").GetInt32());

        var history = await realtime.GetMessagesAsync(room, after: 0).WaitAsync(Timeout);
        Assert.Single(history, message => message.MessageId == published.MessageId);

        var others = new[] { RealtimeTestKit.NewRoom("sdk-b"), RealtimeTestKit.NewRoom("sdk-b") };
        var broadcast = await realtime.BroadcastAsync([room, .. others], new ServerMessage("to all")).WaitAsync(Timeout);
        Assert.Equal([room, .. others], broadcast.Select(result => result.Room));
        await socket.WaitForAsync("message", frame => frame.Str("messageId") == broadcast[0].MessageId);

        var notified = await realtime.NotifyUserAsync(alice.UserId, JsonSerializer.SerializeToElement(new { ping = true })).WaitAsync(Timeout);
        Assert.Equal(1, notified.Connections);
        var pushed = await socket.WaitForAsync("event");
        Assert.True(pushed.GetProperty("data").GetProperty("ping").GetBoolean());

        var presence = await realtime.GetPresenceAsync(room).WaitAsync(Timeout);
        Assert.Contains(presence.Members, member => member.UserId == alice.UserId);
    }

    [Fact]
    public async Task A_backend_administers_rooms_manages_webhooks_and_blocks_a_user()
    {
        var realtime = Backend();
        using var gateway = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(gateway, "sdko");
        var member = await RealtimeTestClient.CreateUserAsync(gateway, "sdkm");
        var room = RealtimeTestKit.NewRoom("sdk-private");

        await realtime.CreateRoomAsync(room, isPrivate: true, owner: owner.Username).WaitAsync(Timeout);
        await realtime.AddMemberAsync(room, member.Username).WaitAsync(Timeout);
        await using (var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, member))
        {
            Assert.Equal(room, (await socket.JoinAsync(room)).Str("room"));
        }

        await realtime.RemoveMemberAsync(room, member.Username).WaitAsync(Timeout);
        var stranger = await Assert.ThrowsAsync<RealtimeServerException>(() => realtime.AddMemberAsync(room, "nobody_" + Guid.NewGuid().ToString("N")[..8]).WaitAsync(Timeout));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, stranger.StatusCode);

        var hook = await realtime.CreateWebhookAsync(new Uri("http://127.0.0.1:9/realtime"), ["message.created"]).WaitAsync(Timeout);
        Assert.StartsWith("whsec_", hook.Secret);
        Assert.Contains(await realtime.ListWebhooksAsync().WaitAsync(Timeout), listed => listed.Id == hook.Id);
        await realtime.DeleteWebhookAsync(hook.Id).WaitAsync(Timeout);
        Assert.DoesNotContain(await realtime.ListWebhooksAsync().WaitAsync(Timeout), listed => listed.Id == hook.Id);

        await using var blocked = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await realtime.BlockUserAsync(owner.UserId, reason: "abuse").WaitAsync(Timeout);
        Assert.Equal(4403, await blocked.WaitForCloseAsync());
        await realtime.UnblockUserAsync(owner.UserId).WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_call_outside_the_clients_scopes_throws_the_apis_403()
    {
        var reader = Backend(ServerApiAppFixture.ReaderId, ServerApiAppFixture.ReaderSecret);

        var refused = await Assert.ThrowsAsync<RealtimeServerException>(() => reader.PublishAsync("lobby", new ServerMessage("x")).WaitAsync(Timeout));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private RealtimeServerClient Backend(string clientId = ServerApiAppFixture.BackendId, string secret = ServerApiAppFixture.BackendSecret)
    {
        var services = new ServiceCollection();
        services.AddRealtimeServerClient(options =>
        {
            options.BaseAddress = fixture.GatewayUri;
            options.ClientId = clientId;
            options.ClientSecret = secret;
        });
        return services.BuildServiceProvider().GetRequiredService<RealtimeServerClient>();
    }
}
