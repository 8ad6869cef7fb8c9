using System.Net;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Connection;

[Collection(RealtimeAppCollection.Name)]
public class PrivateRoomTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task A_private_room_forbids_outsiders_and_leaks_nothing_to_them()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var outsider = await RealtimeTestClient.CreateUserAsync(http, "outsider");
        var room = await CreatePrivateRoomAsync(http, owner);
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, outsider);
        var ownerJoined = await o.JoinAsync(room);

        await x.SendAsync(new { type = "join", room, since = 0 });
        var forbidden = await x.ExpectAsync("error");
        await o.SendAsync(new { type = "typing", room });
        await o.SendMessageAsync(room, $"secret for nobody, not even @{outsider.Username}");
        await x.SendAsync(new { type = "presence", room });
        var notJoined = await x.ExpectAsync("error");

        Assert.Equal(0, ownerJoined.Seq());
        Assert.Equal("forbidden", forbidden.Str("code"));
        Assert.Equal("not_joined", notJoined.Str("code"));
        Assert.Empty(await x.DrainAsync());
    }

    [Fact]
    public async Task Mentions_notify_the_users_who_may_read_the_room_only()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var member = await RealtimeTestClient.CreateUserAsync(http, "member");
        var outsider = await RealtimeTestClient.CreateUserAsync(http, "outsider");
        var room = await CreatePrivateRoomAsync(http, owner, member.Username);
        var publicRoom = RealtimeTestKit.NewRoom("public");
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await using var m = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, member, replica => replica != o.ReplicaId);
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, outsider);
        await o.JoinAsync(room);
        await o.JoinAsync(publicRoom);

        var ack = await o.SendMessageAsync(room, $"hey @{member.Username} and @{outsider.Username}");
        var notification = await m.WaitForAsync("notification");
        await o.SendMessageAsync(publicRoom, $"@{outsider.Username} look");
        var publicNotification = await x.WaitForAsync("notification");

        Assert.Equal("mention", notification.Str("kind"));
        var message = notification.GetProperty("message");
        Assert.Equal((room, ack.Str("messageId"), ack.Seq(), owner.Username), (message.Str("room"), message.Str("messageId"), message.Seq(), message.Str("username")));
        Assert.Equal(publicRoom, publicNotification.GetProperty("message").Str("room"));
        Assert.Empty(await x.DrainAsync());
    }

    [Fact]
    public async Task Removing_a_member_makes_their_connections_on_every_replica_leave_at_once()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var member = await RealtimeTestClient.CreateUserAsync(http, "member");
        var room = await CreatePrivateRoomAsync(http, owner, member.Username);
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        var (m1, m2) = await RealtimeTestKit.ConnectOnTwoReplicasAsync(fixture.GatewayUri, member, member);
        await using var _ = m1;
        await using var __ = m2;
        await o.JoinAsync(room);
        await m1.JoinAsync(room);
        await m2.JoinAsync(room);

        using var removal = RealtimeTestKit.Authorized(HttpMethod.Delete, $"/api/rooms/{room}/members/{member.Username}", owner);
        var removed = await http.SendAsync(removal).WaitAsync(RealtimeTestKit.Timeout);
        var left1 = await m1.WaitForAsync("left");
        var left2 = await m2.WaitForAsync("left");
        var userLeft = await o.WaitForAsync("user_left");
        await o.SendMessageAsync(room, "after the removal");
        await m1.SendAsync(new { type = "message", room, content = "still here?", id = "late" });
        var refused = await m1.WaitForAsync("error");
        await m2.SendAsync(new { type = "join", room });
        var rejoin = await m2.WaitForAsync("error");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.NotEqual(m1.ReplicaId, m2.ReplicaId);
        Assert.Equal((room, room), (left1.Str("room"), left2.Str("room")));
        Assert.Equal(member.UserId, userLeft.Str("userId"));
        Assert.Equal(("not_joined", "late"), (refused.Str("code"), refused.Str("id")));
        Assert.Equal("forbidden", rejoin.Str("code"));
        Assert.DoesNotContain(await m1.DrainAsync(), f => f.Type() == "message");
    }

    private static async Task<string> CreatePrivateRoomAsync(HttpClient http, TestUser owner, params string[] members)
    {
        var room = RealtimeTestKit.NewRoom("private");
        using var request = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", owner, new { room, visibility = "private", members });
        var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return room;
    }
}
