using System.Net.WebSockets;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Connection;

[Collection(RealtimeAppCollection.Name)]
public class RoomProtocolTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task Clients_on_different_replicas_chat_with_acks_and_increasing_seq()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "chat", "alice", "bob");
        var (alice, bob, a, b, room) = chat;

        var aliceJoined = await a.JoinAsync(room);
        var bobJoined = await b.JoinAsync(room);
        var first = await a.SendMessageAsync(room, "hello bob", "a-1");
        var second = await b.SendMessageAsync(room, "hello alice", "b-1");
        var atAlice = await a.WaitForAsync("message", m => m.Seq() == second.Seq());
        var atBob = await b.WaitForAsync("message", m => m.Seq() == first.Seq());
        var ownEcho = await b.WaitForAsync("message", m => m.Seq() == second.Seq());

        Assert.NotEqual(a.ReplicaId, b.ReplicaId);
        Assert.Equal((0L, false), (aliceJoined.Seq(), aliceJoined.GetProperty("recovered").GetBoolean()));
        Assert.Contains(bobJoined.GetProperty("members").EnumerateArray(), m => m.Str("userId") == alice.UserId && m.Str("username") == alice.Username);
        Assert.Equal(("a-1", room, 1L), (first.Str("id"), first.Str("room"), first.Seq()));
        Assert.Equal(2L, second.Seq());
        Assert.True(Guid.TryParse(first.Str("messageId"), out var messageId) && messageId.Version == 7);
        Assert.Equal((room, first.Str("messageId"), alice.UserId, alice.Username, "hello bob"),
            (atBob.Str("room"), atBob.Str("messageId"), atBob.Str("userId"), atBob.Str("username"), atBob.Str("content")));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", atBob.Str("timestamp"));
        Assert.Equal("hello alice", atAlice.Str("content"));
        Assert.Equal(second.Str("messageId"), ownEcho.Str("messageId"));
    }

    [Fact]
    public async Task Order_per_room_holds_on_every_connection_across_replicas()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "order");
        var (_, _, a, b, room) = chat;
        await chat.JoinBothAsync();

        // Both send at once, without waiting for acks: the room's order is the seq order, everywhere.
        for (var i = 0; i < 40; i++)
        {
            await a.SendAsync(new { type = "message", room, content = $"a{i}" });
            await b.SendAsync(new { type = "message", room, content = $"b{i}" });
        }

        foreach (var client in new[] { a, b })
        {
            var seqs = new List<long>();
            while (seqs.Count < 80)
            {
                var frame = await client.WaitForAsync("message");
                seqs.Add(frame.Seq());
            }

            Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), seqs);
        }
    }

    [Fact]
    public async Task Resending_a_client_id_returns_the_same_ack_and_is_delivered_once()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "idem");
        var (_, _, a, b, room) = chat;
        await chat.JoinBothAsync();

        var first = await a.SendMessageAsync(room, "once", "same-id");
        var again = await a.SendMessageAsync(room, "once", "same-id");
        var other = await a.SendMessageAsync(room, "twice", "other-id");
        var atBob = new List<long>();
        while (atBob.Count < 2)
        {
            atBob.Add((await b.WaitForAsync("message")).Seq());
        }

        Assert.Equal(first.ToString(), again.ToString());
        Assert.Equal([first.Seq(), other.Seq()], atBob);
        Assert.Equal(first.Seq() + 1, other.Seq());
        Assert.DoesNotContain(await b.DrainAsync(), f => f.Type() == "message");
    }

    [Fact]
    public async Task Join_leave_typing_and_presence_behave_as_the_protocol_says()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "presence");
        var (alice, bob, a, b, room) = chat;
        await a.JoinAsync(room);

        await b.JoinAsync(room);
        var joined = await a.WaitForAsync("user_joined");
        await b.SendAsync(new { type = "typing", room });
        var typing = await a.WaitForAsync("user_typing");
        await a.SendAsync(new { type = "presence", room });
        var presence = await a.WaitForAsync("presence");
        var bobSawNoOwnTyping = await b.DrainAsync();
        await b.SendAsync(new { type = "leave", room });
        var left = await b.WaitForAsync("left");
        var userLeft = await a.WaitForAsync("user_left");

        Assert.Equal((room, bob.UserId, bob.Username), (joined.Str("room"), joined.Str("userId"), joined.Str("username")));
        Assert.Equal((room, bob.UserId, bob.Username), (typing.Str("room"), typing.Str("userId"), typing.Str("username")));
        Assert.Equal(room, presence.Str("room"));
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(), presence.GetProperty("members").EnumerateArray().Select(m => m.Str("userId")).Order());
        Assert.DoesNotContain(bobSawNoOwnTyping, f => f.Type() == "user_typing");
        Assert.Equal(room, left.Str("room"));
        Assert.Equal((room, bob.UserId, bob.Username), (userLeft.Str("room"), userLeft.Str("userId"), userLeft.Str("username")));
    }

    [Fact]
    public async Task User_joined_and_left_follow_the_users_first_and_last_connection_even_when_it_drops()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        var bob = await RealtimeTestClient.CreateUserAsync(http);
        await using var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("firstlast");
        await a.JoinAsync(room);

        var b1 = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, bob);
        await using var b2 = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != b1.ReplicaId);
        await b1.JoinAsync(room);
        await b2.JoinAsync(room);
        var afterSecondJoin = await a.DrainAsync();
        b1.Socket.Abort();
        await b1.DisposeAsync();
        await b2.SendAsync(new { type = "presence", room });
        var stillThere = await b2.WaitForAsync("presence");
        var afterFirstDrop = await a.DrainAsync();
        await b2.SendAsync(new { type = "leave", room });
        var userLeft = await a.WaitForAsync("user_left");

        Assert.Single(afterSecondJoin, f => f.Type() == "user_joined");
        Assert.Contains(stillThere.GetProperty("members").EnumerateArray(), m => m.Str("userId") == bob.UserId);
        Assert.DoesNotContain(afterFirstDrop, f => f.Type() == "user_left");
        Assert.Equal(bob.UserId, userLeft.Str("userId"));
    }

    [Fact]
    public async Task Not_joined_rooms_answer_not_joined_and_nothing_is_delivered()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("notjoined");

        var codes = new List<(string Code, string? Id)>();
        foreach (var frame in new object[]
                 {
                     new { type = "message", room, content = "hi", id = "m-1" },
                     new { type = "typing", room },
                     new { type = "presence", room },
                     new { type = "leave", room },
                 })
        {
            await a.SendAsync(frame);
            var error = await a.ExpectAsync("error");
            codes.Add((error.Str("code"), error.TryGetProperty("id", out var id) ? id.GetString() : null));
        }

        await a.JoinAsync(room);
        var joined = await a.JoinAsync(room);

        Assert.Equal([("not_joined", "m-1"), ("not_joined", null), ("not_joined", null), ("not_joined", null)], codes);
        Assert.Equal(0, joined.Seq());
    }

    [Fact]
    public async Task Every_input_error_has_its_code_and_leaves_the_connection_open()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("errors");
        await a.JoinAsync(room);

        var cases = new (string Frame, string Code)[]
        {
            ("{not json", "invalid_json"),
            ("[1,2]", "invalid_message"),
            ("""{"type":"join","room":42}""", "invalid_message"),
            ("""{"type":"message","room":"x"}""", "invalid_message"),
            ("""{"type":"fly","room":"x"}""", "unknown_type"),
            ("""{"type":"join","room":"no spaces allowed"}""", "invalid_room"),
            ($$"""{"type":"message","room":"{{room}}","content":"{{new string('x', 4001)}}","id":"long"}""", "content_too_long"),
        };
        foreach (var (frame, code) in cases)
        {
            await a.SendTextAsync(frame);
            var error = await a.ExpectAsync("error");
            Assert.Equal(code, error.Str("code"));
            Assert.False(string.IsNullOrEmpty(error.Str("message")));
        }

        var ack = await a.SendMessageAsync(room, new string('y', 4000));

        Assert.Equal(1, ack.Seq());
        Assert.Equal(WebSocketState.Open, a.Socket.State);
    }

    [Fact]
    public async Task Oversized_frames_close_with_1009_and_binary_frames_with_1003()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var big = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var binary = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var largest = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);

        var padding = new string(' ', 64 * 1024 - """{"type":"ping"}""".Length);
        await largest.SendTextAsync("""{"type":"ping"}""" + padding);
        await largest.ExpectAsync("pong");
        await big.SendTextAsync("""{"type":"ping"}""" + padding + " ");
        await binary.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);

        Assert.Equal(1009, await big.WaitForCloseAsync());
        Assert.Equal(1003, await binary.WaitForCloseAsync());
        Assert.Equal(WebSocketState.Open, largest.Socket.State);
    }
}
