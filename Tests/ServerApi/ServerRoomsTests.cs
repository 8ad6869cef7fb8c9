using System.Net;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using static RealtimeAspire.Tests.ServerApi.ServerApiTestKit;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>A backend reads and administers any room (protocol.md §6), private ones too, as the user API does for its owner.</summary>
[Collection(ServerApiAppCollection.Name)]
public class ServerRoomsTests(ServerApiAppFixture fixture)
{
    [Fact]
    public async Task A_backend_creates_a_private_room_with_a_named_owner_who_then_owns_it()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var member = await RealtimeTestClient.CreateUserAsync(http, "member");
        var later = await RealtimeTestClient.CreateUserAsync(http, "later");
        var room = RealtimeTestKit.NewRoom("srv-admin");
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsAdmin));

        var (status, body) = await PostAsync(backend, "/api/server/rooms",
            new { room, visibility = "private", members = new[] { member.Username }, owner = owner.Username });
        using var byOwner = RealtimeTestKit.Authorized(HttpMethod.Post, $"/api/rooms/{room}/members", owner, new { username = later.Username });
        using var ownerAdds = await http.SendAsync(byOwner).WaitAsync(ServerApiTestKit.Timeout);
        await using var ownerClient = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        var ownerJoined = await ownerClient.JoinAsync(room);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal((room, "private", owner.UserId), (body.Str("room"), body.Str("visibility"), body.Str("ownerId")));
        Assert.Equal(new[] { owner.Username, member.Username }.Order(), body.GetProperty("members").EnumerateArray().Select(m => m.Str("username")).Order());
        Assert.Equal(HttpStatusCode.NoContent, ownerAdds.StatusCode);
        Assert.Equal(room, ownerJoined.Str("room"));
    }

    [Fact]
    public async Task A_backend_changes_the_members_of_a_room_it_does_not_own_and_reads_it()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var added = await RealtimeTestClient.CreateUserAsync(http, "added");
        var room = await CreatePrivateRoomAsync(http, owner);
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await o.JoinAsync(room);
        var sent = await o.SendMessageAsync(room, "owner's secret");
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsAdmin, ServerScopes.RoomsRead));

        var add = await PostAsync(backend, $"/api/server/rooms/{room}/members", new { username = added.Username });
        await using var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, added);
        var addedJoined = await a.JoinAsync(room);
        var history = await HistoryAsync(backend, room);
        var presence = await SendAsync(backend, HttpMethod.Get, $"/api/server/rooms/{room}/presence");
        var removeOwner = await SendAsync(backend, HttpMethod.Delete, $"/api/server/rooms/{room}/members/{owner.Username}");
        var remove = await SendAsync(backend, HttpMethod.Delete, $"/api/server/rooms/{room}/members/{added.Username}");
        var left = await a.WaitForAsync("left");

        Assert.Equal(HttpStatusCode.NoContent, add.Status);
        Assert.Equal(room, addedJoined.Str("room"));
        Assert.Equal([sent.Str("messageId")], history.Select(m => m.Str("messageId")));
        Assert.Equal(HttpStatusCode.OK, presence.Status);
        Assert.Equal(new[] { owner.UserId, added.UserId }.Order(), presence.Body.GetProperty("members").EnumerateArray().Select(m => m.Str("userId")).Order());
        Assert.Equal(HttpStatusCode.BadRequest, removeOwner.Status);
        Assert.Equal(HttpStatusCode.NoContent, remove.Status);
        Assert.Equal(room, left.Str("room"));
    }
}
