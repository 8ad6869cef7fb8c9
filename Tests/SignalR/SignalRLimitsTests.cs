using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeAspire.Tests.Client;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.SignalR;

[Collection(RealtimeAppCollection.Name)]
public sealed class SignalRLimitsTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task The_connection_limit_counts_hub_and_websocket_connections_together()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var hubs = new List<HubTestClient>();
        var sockets = new List<RealtimeTestClient>();
        try
        {
            // Oldest first: a hub connection, then two of each protocol. Connect times are in milliseconds: keep them apart.
            hubs.Add(await HubTestClient.ConnectAsync(fixture.GatewayUri, alice));
            for (var i = 0; i < 2; i++)
            {
                await Task.Delay(20);
                sockets.Add(await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice));
                await Task.Delay(20);
                hubs.Add(await HubTestClient.ConnectAsync(fixture.GatewayUri, alice));
            }

            await Task.Delay(20);
            sockets.Add(await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice));
            await hubs[0].Closed.WaitAsync(HubTestClient.Timeout);
            await Task.Delay(20);
            hubs.Add(await HubTestClient.ConnectAsync(fixture.GatewayUri, alice));
            var oldestSocketClose = await sockets[0].WaitForCloseAsync(HubTestClient.Timeout);

            Assert.Equal(HubConnectionState.Disconnected, hubs[0].Connection.State);
            Assert.Equal(4001, oldestSocketClose);
            foreach (var hub in hubs.Skip(1))
            {
                Assert.Equal(HubConnectionState.Connected, hub.Connection.State);
            }

            foreach (var socket in sockets.Skip(1))
            {
                Assert.Empty(await socket.DrainAsync());
                Assert.Equal(WebSocketState.Open, socket.Socket.State);
            }

            // The hub connections still left work.
            var room = RealtimeTestKit.NewRoom("limit");
            Assert.Equal("joined", (await hubs[^1].JoinAsync(room)).Type());
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }

            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_rate_limit_counts_a_users_hub_and_websocket_messages_together()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var hub = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, alice, replica => replica != socket.ReplicaId);
        await using var watcher = await HubTestClient.ConnectAsync(fixture.GatewayUri, bob);
        var room = RealtimeTestKit.NewRoom("rate");
        await socket.JoinAsync(room);
        await hub.JoinAsync(room);
        await watcher.JoinAsync(room);

        for (var i = 0; i < 50; i++)
        {
            await socket.SendMessageAsync(room, $"socket {i}");
            Assert.Equal("ack", (await hub.SendAsync(room, $"hub {i}", $"hub-{i}")).Type());
        }

        var limited = await hub.SendAsync(room, "the 101st", "over");
        var typing = await hub.TypingAsync(room);
        var seen = new List<long>();
        while (seen.Count < 100)
        {
            seen.Add((await watcher.WaitForAsync("message")).Seq());
        }

        Assert.Equal(("error", "rate_limited", "over"), (limited.Type(), limited.Str("code"), limited.Str("id")));
        Assert.InRange(limited.GetProperty("retryAfterMs").GetInt64(), 1, 60_000);
        Assert.Null(typing);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seen);
        Assert.DoesNotContain(await watcher.DrainAsync(), frame => frame.Type() == "message");
        Assert.Equal(HubConnectionState.Connected, hub.Connection.State);
    }

    [Fact]
    public async Task Private_rooms_forbid_outsiders_and_a_removed_member_leaves_over_the_hub_too()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var member = await RealtimeTestClient.CreateUserAsync(http, "member");
        var outsider = await RealtimeTestClient.CreateUserAsync(http, "outsider");
        var room = RealtimeTestKit.NewRoom("private");
        using (var create = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", owner, new { room, visibility = "private", members = new[] { member.Username } }))
        {
            Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(create).WaitAsync(HubTestClient.Timeout)).StatusCode);
        }

        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await using var m = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, member, replica => replica != o.ReplicaId);
        await using var x = await HubTestClient.ConnectAsync(fixture.GatewayUri, outsider);
        await o.JoinAsync(room);

        var outsiderJoin = await x.JoinAsync(room, 0);
        var outsiderPresence = await x.PresenceAsync(room);
        var memberJoined = await m.JoinAsync(room);
        var before = await o.SendMessageAsync(room, $"hello @{member.Username} and @{outsider.Username}");
        var received = await m.WaitForAsync("message");
        var mention = await m.WaitForAsync("notification");

        using (var removal = RealtimeTestKit.Authorized(HttpMethod.Delete, $"/api/rooms/{room}/members/{member.Username}", owner))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(removal).WaitAsync(HubTestClient.Timeout)).StatusCode);
        }

        var left = await m.WaitForAsync("left");
        await o.SendMessageAsync(room, "after the removal");
        var refused = await m.SendAsync(room, "still here?", "late");
        var rejoin = await m.JoinAsync(room);

        Assert.Equal(("error", "forbidden"), (outsiderJoin.Type(), outsiderJoin.Str("code")));
        Assert.Equal("not_joined", outsiderPresence.Str("code"));
        Assert.Equal("joined", memberJoined.Type());
        Assert.Equal(before.Seq(), received.Seq());
        Assert.Equal(before.Str("messageId"), mention.GetProperty("message").Str("messageId"));
        Assert.Equal(room, left.Str("room"));
        Assert.Equal(("not_joined", "late"), (refused.Str("code"), refused.Str("id")));
        Assert.Equal("forbidden", rejoin.Str("code"));
        Assert.DoesNotContain(await m.DrainAsync(), frame => frame.Type() == "message");
        Assert.Empty(await x.DrainAsync());
    }

    [Fact]
    public async Task An_automatic_reconnect_then_join_with_since_misses_nothing()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var relay = new TcpRelay(fixture.GatewayUri);
        await using var hub = await HubTestClient.ConnectAsync(relay.Url, alice, reconnect: true);
        await using var sender = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, bob);
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Connection.Reconnecting += _ => Task.FromResult(reconnecting.TrySetResult());
        hub.Connection.Reconnected += _ => Task.FromResult(reconnected.TrySetResult());
        var room = RealtimeTestKit.NewRoom("reconnect");
        await hub.JoinAsync(room);
        await sender.JoinAsync(room);

        var seen = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            await sender.SendMessageAsync(room, $"before {i}");
            seen.Add((await hub.WaitForAsync("message")).Seq());
        }

        relay.DropAll();
        await reconnecting.Task.WaitAsync(HubTestClient.Timeout);
        for (var i = 0; i < 5; i++)
        {
            await sender.SendMessageAsync(room, $"while away {i}");
        }

        await reconnected.Task.WaitAsync(HubTestClient.Timeout);
        var rejoined = await hub.JoinAsync(room, seen[^1]);
        await sender.SendMessageAsync(room, "after");
        while (seen.Count < 11)
        {
            seen.Add((await hub.WaitForAsync("message")).Seq());
        }

        Assert.Equal((10L, true), (rejoined.Seq(), rejoined.GetProperty("recovered").GetBoolean()));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), seen);
        Assert.DoesNotContain(await hub.DrainAsync(), frame => frame.Type() == "message");
    }
}
