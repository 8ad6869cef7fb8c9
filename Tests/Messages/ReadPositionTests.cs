using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;
using static RealtimeAspire.Tests.Messages.MyRoomsTestKit;

namespace RealtimeAspire.Tests.Messages;

/// <summary>
/// Read positions and receipts (protocol.md §7) through the Gateway across both replicas, over WebSocket, SignalR and
/// HTTP: forward only, synced to every device of the user, receipts throttled and only to the room's members.
/// </summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class ReadPositionTests(ServerApiAppFixture fixture)
{
    [Fact]
    public async Task A_read_position_only_moves_forward_and_never_past_the_last_message()
    {
        var (user, client) = await RegisterAsync(fixture);
        using var _ = client;
        var room = MessagesTestKit.NewRoom("forward");
        await using var ws = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await ws.JoinAsync(room);
        for (var i = 1; i <= 4; i++)
        {
            await ws.SendMessageAsync(room, $"m{i}");
        }

        var first = await PutReadAsync(client, room, 3);
        var back = await PutReadAsync(client, room, 1);
        var beyond = await PutReadAsync(client, room, 1_000);
        await ws.WaitForAsync(FrameTypes.Read, f => f.Long("seq") == 4);
        await ws.SendAsync(new ReadRequest(room, 2));
        var echoes = (await ws.DrainAsync()).Where(f => f.Text("type") == FrameTypes.Read).Select(f => f.Long("seq")).Append(4).ToList();

        Assert.Equal((3L, true), (first.Long("seq"), first.GetProperty("moved").GetBoolean()));
        Assert.Equal((3L, false), (back.Long("seq"), back.GetProperty("moved").GetBoolean()));
        Assert.Equal((4L, true), (beyond.Long("seq"), beyond.GetProperty("moved").GetBoolean()));
        Assert.Equal([3L, 4L], echoes); // the frame's 2 moved nothing, so nothing was sent for it
        Assert.Equal(4, Assert.Single(await ReadsAsync(client, room)).Long("seq"));
    }

    [Fact]
    public async Task Every_device_of_the_user_on_either_replica_gets_the_read_position_over_websocket_and_signalr()
    {
        var (user, client) = await RegisterAsync(fixture);
        using var _ = client;
        var room = MessagesTestKit.NewRoom("devices");
        await using var phone = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await using var laptop = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, user, replica => replica != phone.ReplicaId);
        await phone.JoinAsync(room);
        await laptop.JoinAsync(room);
        for (var i = 1; i <= 3; i++)
        {
            await phone.SendMessageAsync(room, $"m{i}");
        }

        await phone.SendAsync(new ReadRequest(room, 2));
        var onLaptop = await laptop.WaitForAsync(FrameTypes.Read, f => f.Text("room") == room);
        var onPhone = await phone.WaitForAsync(FrameTypes.Read, f => f.Text("room") == room);
        var answer = await laptop.Connection.InvokeCoreAsync<JsonElement?>("Read", [room, 3L]).WaitAsync(MyRoomsTestKit.Timeout);
        var fromLaptop = await phone.WaitForAsync(FrameTypes.Read, f => f.Long("seq") == 3);

        Assert.Equal((2L, 2L), (onLaptop.Long("seq"), onPhone.Long("seq")));
        Assert.Null(answer);
        Assert.Equal(room, fromLaptop.Text("room"));
    }

    [Fact]
    public async Task Receipts_are_throttled_per_user_and_room_and_the_last_position_follows_the_window()
    {
        var (reader, readerClient) = await RegisterAsync(fixture);
        var (watcher, _) = await RegisterAsync(fixture);
        using var __ = readerClient;
        var room = MessagesTestKit.NewRoom("receipts");
        await using var r = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, reader);
        await using var w = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, watcher, replica => replica != r.ReplicaId);
        await r.JoinAsync(room);
        await w.JoinAsync(room);
        for (var i = 1; i <= 10; i++)
        {
            await r.SendMessageAsync(room, $"m{i}");
        }

        // Ten positions in quick succession: a receipt per window, never one per position.
        for (var seq = 1; seq <= 10; seq++)
        {
            await PutReadAsync(readerClient, room, seq);
        }

        var receipts = new List<JsonElement>();
        while (receipts.Count == 0 || receipts[^1].Long("seq") != 10)
        {
            receipts.Add(await w.WaitForAsync(FrameTypes.Receipt, f => f.Text("room") == room, MyRoomsTestKit.Timeout));
        }

        var seqs = receipts.Select(f => f.Long("seq")).ToList();
        Assert.Equal(1, seqs[0]);
        Assert.True(seqs.Count < 10, $"one receipt per position: {string.Join(",", seqs)}");
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Distinct(), seqs);
        Assert.All(receipts, f => Assert.Equal((reader.UserId, reader.Username), (f.Text("userId"), f.Text("username"))));
    }

    [Fact]
    public async Task A_private_room_shows_its_reads_and_sends_receipts_to_members_only()
    {
        var (owner, ownerClient) = await RegisterAsync(fixture);
        var (outsider, outsiderClient) = await RegisterAsync(fixture);
        using var _ = ownerClient;
        using var __ = outsiderClient;
        var (member, memberClient) = await RegisterAsync(fixture);
        using var ___ = memberClient;
        var room = MessagesTestKit.NewRoom("secret");
        (await ownerClient.PostAsJsonAsync("/api/rooms", new { room, visibility = "private", members = new[] { member.Username } }).WaitAsync(MyRoomsTestKit.Timeout)).EnsureSuccessStatusCode();
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await using var m = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, member, replica => replica != o.ReplicaId);
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, outsider);
        await o.JoinAsync(room);
        await m.JoinAsync(room);
        await o.SendMessageAsync(room, "for members");
        await x.SendAsync(new JoinRequest(room));
        var refused = await x.WaitForAsync("error");

        await m.SendAsync(new ReadRequest(room, 1));
        var receipt = await o.WaitForAsync(FrameTypes.Receipt, f => f.Text("room") == room);
        using var outsiderRead = await outsiderClient.PutAsJsonAsync($"/api/rooms/{room}/read", new { seq = 1 }).WaitAsync(MyRoomsTestKit.Timeout);
        using var outsiderReads = await outsiderClient.GetAsync($"/api/rooms/{room}/reads").WaitAsync(MyRoomsTestKit.Timeout);
        await x.SendAsync(new ReadRequest(room, 1));
        var outsiderFrames = await x.DrainAsync();

        Assert.Equal("forbidden", refused.Text("code"));
        Assert.Equal((member.UserId, member.Username, 1L), (receipt.Text("userId"), receipt.Text("username"), receipt.Long("seq")));
        var read = Assert.Single(await ReadsAsync(ownerClient, room));
        Assert.Equal((member.UserId, member.Username, 1L), (read.Text("userId"), read.Text("username"), read.Long("seq")));
        Assert.Equal(HttpStatusCode.Forbidden, outsiderRead.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outsiderReads.StatusCode);
        Assert.DoesNotContain(outsiderFrames, f => f.Text("type") is FrameTypes.Receipt or FrameTypes.Read);
        Assert.Equal("not_joined", Assert.Single(outsiderFrames, f => f.Text("type") == "error").Text("code"));
        Assert.Null((await RoomsAsync(outsiderClient)).Find(room));
    }
}
