using System.Net;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;
using static RealtimeAspire.Tests.ServerApi.ServerApiTestKit;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>A backend's messages (protocol.md §6): the path of a user's message, from the hand-off to history and recovery.</summary>
[Collection(ServerApiAppCollection.Name)]
public class ServerPublishTests(ServerApiAppFixture fixture)
{
    [Fact]
    public async Task A_server_message_reaches_websocket_and_signalr_clients_on_both_replicas_with_one_seq()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "ws");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "hub");
        var room = RealtimeTestKit.NewRoom("server-pub");
        await using var ws = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var hub = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != ws.ReplicaId);
        await ws.JoinAsync(room);
        await hub.JoinAsync(room);
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish));

        var answer = await PublishAsync(backend, room, "order 42 shipped");
        var overWs = await ws.WaitForAsync("message", frame => frame.Str("room") == room);
        var overHub = await hub.WaitForAsync("message", frame => frame.Str("room") == room);

        Assert.Equal(1, answer.Seq());
        Assert.Equal((answer.Str("messageId"), 1L), (overWs.Str("messageId"), overWs.Seq()));
        Assert.Equal(overWs.Raw(), overHub.Raw());
        Assert.Equal(ServerClients.Subject(ServerApiAppFixture.BackendId), overWs.Str("userId"));
        Assert.Equal("order 42 shipped", overWs.Str("content"));
    }

    [Fact]
    public async Task A_server_message_carries_data_live_and_in_history_and_needs_content_or_data()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "data");
        var room = RealtimeTestKit.NewRoom("server-data");
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await client.JoinAsync(room);
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish, ServerScopes.RoomsRead));

        var (status, answer) = await PostAsync(backend, $"/api/server/rooms/{room}/messages", new { data = new { symbol = "EURUSD", bid = 1.0841 } });
        var live = await client.WaitForAsync("message", frame => frame.Str("room") == room);
        var empty = await PostAsync(backend, $"/api/server/rooms/{room}/messages", new { idempotencyKey = "nothing" });
        var tooLarge = await PostAsync(backend, $"/api/server/rooms/{room}/messages", new { data = new { blob = new string('x', 16 * 1024) } });
        var history = await HistoryAsync(backend, room);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(answer.Str("messageId"), live.Str("messageId"));
        Assert.False(live.TryGetProperty("content", out _));
        Assert.Equal("""{"symbol":"EURUSD","bid":1.0841}""", live.GetProperty("data").GetRawText());
        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.InvalidMessage), (empty.Status, empty.Body.Str("code")));
        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.DataTooLarge), (tooLarge.Status, tooLarge.Body.Str("code")));
        // jsonb keeps keys in its own order; protocol.md §5: "exactly as sent (key order aside)".
        Assert.True(JsonElement.DeepEquals(live.GetProperty("data"), Assert.Single(history).GetProperty("data")));
    }

    [Fact]
    public async Task A_resent_idempotency_key_gets_the_first_answer_and_the_message_is_stored_once()
    {
        var room = RealtimeTestKit.NewRoom("server-idem");
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync());
        var key = Guid.NewGuid().ToString("N");

        var first = await PublishAsync(backend, room, "price 101.5", key);
        var again = await PublishAsync(backend, room, "price 101.5", key);
        var other = await PublishAsync(backend, room, "price 102");
        var history = await HistoryAsync(backend, room);

        Assert.Equal(first.GetRawText(), again.GetRawText());
        Assert.Equal([1L, 2L], history.Select(message => message.Seq()));
        Assert.Equal([first.Str("messageId"), other.Str("messageId")], history.Select(message => message.Str("messageId")));
    }

    [Fact]
    public async Task Server_messages_missed_while_away_are_recovered_with_since()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "away");
        var room = RealtimeTestKit.NewRoom("server-since");
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish));
        await PublishAsync(backend, room, "before");

        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        var missed = await PublishAsync(backend, room, "missed one");
        await PublishAsync(backend, room, "missed two");
        var joined = await client.JoinAsync(room, since: 1);
        var first = await client.WaitForAsync("message", frame => frame.Str("room") == room);
        var second = await client.WaitForAsync("message", frame => frame.Str("room") == room);

        Assert.True(joined.GetProperty("recovered").GetBoolean());
        Assert.Equal([("missed one", 2L), ("missed two", 3L)], [(first.Str("content"), first.Seq()), (second.Str("content"), second.Seq())]);
        Assert.Equal(missed.Str("messageId"), first.Str("messageId"));
    }

    [Fact]
    public async Task A_mention_in_a_server_message_notifies_the_user()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "named");
        var room = RealtimeTestKit.NewRoom("server-mention");
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish));

        var answer = await PublishAsync(backend, room, $"@{user.Username} your build is green");
        var notification = await client.WaitForAsync("notification");

        Assert.Equal("mention", notification.Str("kind"));
        Assert.Equal((room, answer.Str("messageId")), (notification.GetProperty("message").Str("room"), notification.GetProperty("message").Str("messageId")));
    }

    [Fact]
    public async Task A_server_message_to_a_private_room_reaches_its_members_only()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var member = await RealtimeTestClient.CreateUserAsync(http, "member");
        var outsider = await RealtimeTestClient.CreateUserAsync(http, "outsider");
        var room = await CreatePrivateRoomAsync(http, owner, member.Username);
        await using var m = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, member);
        await using var x = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, outsider, replica => replica != m.ReplicaId);
        await m.JoinAsync(room);
        await x.SendAsync(new { type = "join", room });
        var refused = await x.ExpectAsync("error");
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish));

        var answer = await PublishAsync(backend, room, $"for members only, not @{outsider.Username}");
        var delivered = await m.WaitForAsync("message", frame => frame.Str("room") == room);

        Assert.Equal("forbidden", refused.Str("code"));
        Assert.Equal(answer.Str("messageId"), delivered.Str("messageId"));
        Assert.Empty(await x.DrainAsync());
    }

    [Fact]
    public async Task A_broadcast_puts_one_message_into_every_room_in_one_call()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "dash");
        var rooms = Enumerable.Range(0, 100).Select(_ => RealtimeTestKit.NewRoom("bc")).ToArray();
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await client.JoinAsync(rooms[0]);
        await client.JoinAsync(rooms[99]);
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish, ServerScopes.RoomsRead));

        var (status, body) = await PostAsync(backend, "/api/server/broadcast", new { rooms, content = "tick", idempotencyKey = "tick-1" });
        var resent = await PostAsync(backend, "/api/server/broadcast", new { rooms, content = "tick", idempotencyKey = "tick-1" });
        var first = await client.WaitForAsync("message", frame => frame.Str("room") == rooms[0]);
        var last = await client.WaitForAsync("message", frame => frame.Str("room") == rooms[99]);
        var results = body.GetProperty("results").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(rooms, results.Select(result => result.Str("room")));
        Assert.All(results, result => Assert.Equal(1, result.Seq()));
        Assert.Equal(body.GetRawText(), resent.Body.GetRawText());
        Assert.Equal((results[0].Str("messageId"), results[99].Str("messageId")), (first.Str("messageId"), last.Str("messageId")));
        Assert.Single(await HistoryAsync(backend, rooms[42]));
    }

    [Fact]
    public async Task A_broadcast_with_one_invalid_room_appends_to_none()
    {
        var good = RealtimeTestKit.NewRoom("bc-good");
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync());

        var (status, body) = await PostAsync(backend, "/api/server/broadcast", new { rooms = new[] { good, "not a room!" }, content = "x" });
        var tooMany = await PostAsync(backend, "/api/server/broadcast",
            new { rooms = Enumerable.Range(0, 101).Select(i => $"{good}-{i}").ToArray(), content = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(ErrorCodes.InvalidRoom, body.Str("code"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Empty(await HistoryAsync(backend, good));
    }
}
