using System.Net.Http.Json;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using static RealtimeAspire.Tests.Messages.MyRoomsTestKit;

namespace RealtimeAspire.Tests.Messages;

/// <summary>
/// "My rooms" (protocol.md §7) through the Gateway across both replicas: what puts a room on a user's list and what
/// takes it off, the unread counts and the order by activity.
/// </summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class MyRoomsTests(ServerApiAppFixture fixture)
{
    [Fact]
    public async Task A_joined_room_is_on_the_list_of_every_session_of_the_user()
    {
        var (user, client) = await RegisterAsync(fixture);
        using var _ = client;
        using var otherSession = await SignInAgainAsync(fixture, user);
        var room = MessagesTestKit.NewRoom("mine");

        await using (var ws = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user))
        {
            await ws.JoinAsync(room);
        }

        var entry = (await RoomsAsync(otherSession)).Find(room);
        Assert.NotNull(entry);
        Assert.Equal("public", entry.Value.Text("visibility"));
        Assert.Equal((0L, 0L, 0L), (entry.Value.Long("lastSeq"), entry.Value.Long("readSeq"), entry.Value.Long("unread")));
    }

    [Fact]
    public async Task Leave_with_forget_takes_the_room_off_and_a_later_join_on_any_replica_puts_it_back()
    {
        var (user, client) = await RegisterAsync(fixture);
        using var _ = client;
        var room = MessagesTestKit.NewRoom("forget");
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await using var y = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, user, replica => replica != x.ReplicaId);
        await x.JoinAsync(room);
        await y.JoinAsync(room);

        await x.SendAsync(new LeaveRequest(room, Forget: true));
        await x.WaitForAsync("left", frame => frame.Text("room") == room);
        var forgotten = await RoomsAsync(client);

        // y's replica had granted this join a moment ago: the forget must reach its cache too.
        await y.SendAsync(new LeaveRequest(room));
        await y.WaitForAsync("left", frame => frame.Text("room") == room);
        await y.JoinAsync(room);
        var back = await RoomsAsync(client);

        Assert.Null(forgotten.Find(room));
        Assert.NotNull(back.Find(room));
    }

    [Fact]
    public async Task Forget_without_a_join_takes_the_room_off_and_a_plain_leave_keeps_it()
    {
        var (user, client) = await RegisterAsync(fixture);
        using var _ = client;
        var kept = MessagesTestKit.NewRoom("kept");
        var dropped = MessagesTestKit.NewRoom("dropped");
        await using var ws = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await ws.JoinAsync(kept);
        await ws.JoinAsync(dropped);
        await ws.SendAsync(new LeaveRequest(kept));
        await ws.WaitForAsync("left", frame => frame.Text("room") == kept);
        await ws.SendAsync(new LeaveRequest(dropped));
        await ws.WaitForAsync("left", frame => frame.Text("room") == dropped);

        await ws.SendAsync(new LeaveRequest(dropped, Forget: true));
        await ws.WaitForAsync("left", frame => frame.Text("room") == dropped);
        var rooms = await RoomsAsync(client);

        Assert.NotNull(rooms.Find(kept));
        Assert.Null(rooms.Find(dropped));
    }

    [Fact]
    public async Task Being_added_to_a_private_room_puts_it_on_the_list_and_removal_takes_it_off()
    {
        var (owner, ownerClient) = await RegisterAsync(fixture);
        var (member, memberClient) = await RegisterAsync(fixture);
        using var _ = ownerClient;
        using var __ = memberClient;
        var room = MessagesTestKit.NewRoom("private");
        (await ownerClient.PostAsJsonAsync("/api/rooms", new { room, visibility = "private" }).WaitAsync(MyRoomsTestKit.Timeout)).EnsureSuccessStatusCode();
        var before = await RoomsAsync(memberClient);

        (await ownerClient.PostAsJsonAsync($"/api/rooms/{room}/members", new { username = member.Username }).WaitAsync(MyRoomsTestKit.Timeout)).EnsureSuccessStatusCode();
        var added = await RoomsAsync(memberClient);
        (await ownerClient.DeleteAsync($"/api/rooms/{room}/members/{member.Username}").WaitAsync(MyRoomsTestKit.Timeout)).EnsureSuccessStatusCode();
        var removed = await RoomsAsync(memberClient);

        Assert.Equal("private", (await RoomsAsync(ownerClient)).Find(room)?.Text("visibility"));
        Assert.Null(before.Find(room));
        Assert.Equal("private", added.Find(room)?.Text("visibility"));
        Assert.Null(removed.Find(room));
    }

    [Fact]
    public async Task Unread_counts_the_messages_of_others_after_the_read_position_and_rooms_come_by_latest_activity()
    {
        var (alice, aliceClient) = await RegisterAsync(fixture);
        var (bob, bobClient) = await RegisterAsync(fixture);
        using var _ = aliceClient;
        using var __ = bobClient;
        var busy = MessagesTestKit.NewRoom("busy");
        var latest = MessagesTestKit.NewRoom("latest");
        var quiet = MessagesTestKit.NewRoom("quiet");
        await using var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var b = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != a.ReplicaId);
        await a.JoinAsync(quiet);
        foreach (var room in new[] { busy, latest })
        {
            await a.JoinAsync(room);
            await b.JoinAsync(room);
        }

        // busy: bob 1–3, alice 4–5; then latest: bob 1.
        for (var i = 1; i <= 3; i++)
        {
            await b.SendMessageAsync(busy, $"bob {i}");
        }

        await a.SendMessageAsync(busy, "alice 4");
        await a.SendMessageAsync(busy, "alice 5");
        await b.SendMessageAsync(latest, "bob in latest");

        var rooms = await RoomsWhenAsync(aliceClient, list => list.Find(busy)?.Long("lastSeq") == 5 && list.Find(latest)?.Long("lastSeq") == 1);
        await PutReadAsync(aliceClient, busy, 2);
        var afterRead = await RoomsAsync(aliceClient);

        Assert.Equal([latest, busy, quiet], rooms.Select(r => r.Text("room")).Where(r => r == busy || r == latest || r == quiet));
        Assert.Equal(3, rooms.Find(busy)!.Value.Long("unread"));
        Assert.Equal(1, rooms.Find(latest)!.Value.Long("unread"));
        Assert.Equal(0, rooms.Find(quiet)!.Value.Long("unread"));
        var last = rooms.Find(busy)!.Value.GetProperty("lastMessage");
        Assert.Equal(("alice 5", 5L, alice.UserId), (last.Text("content"), last.Long("seq"), last.Text("userId")));
        Assert.Equal((2L, 1L), (afterRead.Find(busy)!.Value.Long("readSeq"), afterRead.Find(busy)!.Value.Long("unread")));
        Assert.Equal(2, (await RoomsAsync(bobClient)).Find(busy)!.Value.Long("unread"));
    }
}
