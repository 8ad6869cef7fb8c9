using System.Net;
using Microsoft.AspNetCore.Http.Connections;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.SignalR;

[Collection(RealtimeAppCollection.Name)]
public sealed class SignalRTransportTests(RealtimeAppFixture fixture)
{
    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task Each_transport_joins_sends_and_receives_across_replicas_through_the_gateway(HttpTransportType transport)
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var a = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice, transport);
        await using var b = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != a.ReplicaId, transport);
        var room = RealtimeTestKit.NewRoom("hub");

        var aliceJoined = await a.JoinAsync(room);
        var bobJoined = await b.JoinAsync(room);
        var bobArrived = await a.WaitForAsync("user_joined");
        var ack = await a.SendAsync(room, "hello over " + transport, "first");
        var atAlice = await a.WaitForAsync("message");
        var atBob = await b.WaitForAsync("message");
        var bobAck = await b.SendAsync(room, "hello back", null);
        var reply = await a.WaitForAsync("message");
        var typingAnswer = await b.TypingAsync(room);
        var typing = await a.WaitForAsync("user_typing");
        var presence = await a.PresenceAsync(room);
        var left = await b.LeaveAsync(room);
        var bobLeft = await a.WaitForAsync("user_left");

        Assert.NotEqual(a.ReplicaId, b.ReplicaId);
        Assert.Equal(("joined", room, 0L, false), (aliceJoined.Type(), aliceJoined.Str("room"), aliceJoined.Seq(), aliceJoined.GetProperty("recovered").GetBoolean()));
        Assert.Equal(2, bobJoined.GetProperty("members").GetArrayLength());
        Assert.Equal(bob.UserId, bobArrived.Str("userId"));
        Assert.Equal(("ack", "first", room, 1L), (ack.Type(), ack.Str("id"), ack.Str("room"), ack.Seq()));
        Assert.Equal(atAlice.Raw(), atBob.Raw());
        Assert.Equal((ack.Str("messageId"), alice.Username, "hello over " + transport), (atAlice.Str("messageId"), atAlice.Str("username"), atAlice.Str("content")));
        Assert.False(bobAck.TryGetProperty("id", out _));
        Assert.Equal((2L, "hello back", bob.UserId), (reply.Seq(), reply.Str("content"), reply.Str("userId")));
        Assert.Null(typingAnswer);
        Assert.Equal((room, bob.Username), (typing.Str("room"), typing.Str("username")));
        Assert.Equal(("presence", 2), (presence.Type(), presence.GetProperty("members").GetArrayLength()));
        Assert.Equal(("left", room), (left.Type(), left.Str("room")));
        Assert.Equal(bob.UserId, bobLeft.Str("userId"));
    }

    [Theory]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task A_client_that_keeps_no_cookie_stays_on_the_replica_that_issued_its_connection(HttpTransportType transport)
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var a = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice, transport, keepCookies: false);
        await using var b = await SignalRTestKit.ConnectOnReplicaAsync(
            fixture.GatewayUri, bob, replica => replica != a.ReplicaId, transport, keepCookies: false);
        var room = RealtimeTestKit.NewRoom("cookieless");

        await a.JoinAsync(room);
        await b.JoinAsync(room);
        var acks = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            acks.Add((await a.SendAsync(room, $"from a {i}", $"a-{i}")).Seq());
            acks.Add((await b.SendAsync(room, $"from b {i}", $"b-{i}")).Seq());
        }

        var atA = new List<long>();
        var atB = new List<long>();
        for (var i = 0; i < acks.Count; i++)
        {
            atA.Add((await a.WaitForAsync("message")).Seq());
            atB.Add((await b.WaitForAsync("message")).Seq());
        }

        Assert.NotEqual(a.ReplicaId, b.ReplicaId);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), acks);
        Assert.Equal(acks, atA);
        Assert.Equal(acks, atB);
    }

    [Fact]
    public async Task A_hub_client_and_a_websocket_client_in_one_room_see_the_same_messages_with_the_same_seq()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var hub = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != socket.ReplicaId);
        var room = RealtimeTestKit.NewRoom("mixed");
        await socket.JoinAsync(room);
        await hub.JoinAsync(room);

        var acks = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            acks.Add((await socket.SendMessageAsync(room, $"from the socket {i}")).Seq());
            acks.Add((await hub.SendAsync(room, $"from the hub {i}", $"hub-{i}")).Seq());
        }

        var atSocket = new List<string>();
        var atHub = new List<string>();
        var seqs = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            var frame = await socket.WaitForAsync("message");
            atSocket.Add(frame.Raw());
            seqs.Add(frame.Seq());
            atHub.Add((await hub.WaitForAsync("message")).Raw());
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), acks);
        Assert.Equal(acks, seqs);
        Assert.Equal(atSocket, atHub);
        Assert.DoesNotContain(await hub.DrainAsync(), frame => frame.Type() == "message");
    }

    [Fact]
    public async Task The_hub_refuses_connections_without_a_valid_token()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var forged = alice with { AccessToken = alice.AccessToken[..^4] + "AAAA" };

        var anonymous = await http.PostAsync("/hub/negotiate?negotiateVersion=1", null).WaitAsync(HubTestClient.Timeout);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => HubTestClient.ConnectAsync(fixture.GatewayUri, forged));
        await using var accepted = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("joined", (await accepted.JoinAsync(RealtimeTestKit.NewRoom("auth"))).Type());
    }

    [Fact]
    public async Task Hub_errors_are_the_call_results_with_the_websocket_protocols_codes()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        await using var hub = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("errors");

        var notJoined = await hub.SendAsync(room, "not yet", "early");
        var badRoom = await hub.JoinAsync("no spaces allowed");
        await hub.JoinAsync(room);
        var tooLong = await hub.SendAsync(room, new string('x', 4_001), "long");
        var typingElsewhere = await hub.TypingAsync(RealtimeTestKit.NewRoom("elsewhere"));
        var ok = await hub.SendAsync(room, "fine", "ok");

        Assert.Equal(("error", "not_joined", "early"), (notJoined.Type(), notJoined.Str("code"), notJoined.Str("id")));
        Assert.Equal(("error", "invalid_room"), (badRoom.Type(), badRoom.Str("code")));
        Assert.Equal(("content_too_long", "long"), (tooLong.Str("code"), tooLong.Str("id")));
        Assert.Equal("not_joined", typingElsewhere!.Value.Str("code"));
        Assert.Equal(("ack", 1L), (ok.Type(), ok.Seq()));
    }
}
