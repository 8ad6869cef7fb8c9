using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using RealtimeAspire.Contracts;
using RealtimeAspire.MessageService;
using RealtimeAspire.MessageService.Rooms;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Messages;

/// <summary>The rooms API through the Gateway with real tokens: creation, membership, and the private-room rules.</summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class RoomsApiTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = MessagesTestKit.Timeout;

    [Fact]
    public async Task Every_rooms_endpoint_needs_a_valid_access_token()
    {
        using var anonymous = fixture.CreateGatewayClient();
        using var forged = fixture.CreateGatewayClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");

        foreach (var client in new[] { anonymous, forged })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/rooms", new { room = "r1", visibility = "public" }).WaitAsync(Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/rooms/r1/messages").WaitAsync(Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/rooms/r1/presence").WaitAsync(Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/rooms/r1/members", new { username = "someone" }).WaitAsync(Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.DeleteAsync("/api/rooms/r1/members/someone").WaitAsync(Timeout)).StatusCode);
        }
    }

    [Fact]
    public async Task Creating_a_room_makes_the_caller_its_owner_and_a_member_and_a_second_create_conflicts()
    {
        using var owner = await TestUsers.RegisterAsync(fixture);
        using var member = await TestUsers.RegisterAsync(fixture);
        var room = MessagesTestKit.NewRoom("created");

        using var created = await owner.Client.PostAsJsonAsync("/api/rooms", new { room, visibility = "private", members = new[] { member.Username } }).WaitAsync(Timeout);
        using var again = await member.Client.PostAsJsonAsync("/api/rooms", new { room, visibility = "public" }).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/rooms/{room}", created.Headers.Location?.OriginalString);
        var body = await created.Content.ReadFromJsonAsync<RoomResponse>().WaitAsync(Timeout);
        Assert.Equal(room, body!.Room);
        Assert.Equal("private", body.Visibility);
        Assert.Equal(owner.UserId, body.OwnerId);
        Assert.Equal(
            new[] { owner.UserId, member.UserId }.Order(),
            body.Members.Select(m => m.UserId).Order());
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "Room exists");
    }

    [Fact]
    public async Task A_public_room_in_use_but_never_created_exists_and_has_no_owner()
    {
        using var joiner = await TestUsers.RegisterAsync(fixture);
        using var latecomer = await TestUsers.RegisterAsync(fixture);
        var room = MessagesTestKit.NewRoom("joined");
        await using (var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, joiner.AsTestUser()))
        {
            // Joined, which brings it into being, and written to.
            await client.JoinAsync(room);
            await client.SendMessageAsync(room, "first");
        }

        await AssertProblemAsync(await latecomer.Client.PostAsJsonAsync("/api/rooms", new { room, visibility = "private" }), HttpStatusCode.Conflict, "Room exists");
        await AssertProblemAsync(await joiner.Client.PostAsJsonAsync($"/api/rooms/{room}/members", new { username = latecomer.Username }), HttpStatusCode.Forbidden, "Not the room owner");
        Assert.Equal(HttpStatusCode.OK, (await latecomer.Client.GetAsync($"/api/rooms/{room}/messages").WaitAsync(Timeout)).StatusCode);
    }

    [Theory]
    [InlineData("has space", "public")]
    [InlineData("slash/room", "public")]
    [InlineData("user:someone", "public")]
    [InlineData("user:", "private")]
    [InlineData("fine-room", "secret")]
    [InlineData("fine-room", null)]
    public async Task Invalid_rooms_reserved_ids_and_unknown_visibility_are_rejected(string room, string? visibility)
    {
        using var user = await TestUsers.RegisterAsync(fixture);

        using var response = await user.Client.PostAsJsonAsync("/api/rooms", new { room, visibility }).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Room_ids_longer_than_128_characters_and_unknown_members_are_rejected()
    {
        using var user = await TestUsers.RegisterAsync(fixture);

        using var tooLong = await user.Client.PostAsJsonAsync("/api/rooms", new { room = new string('r', 129), visibility = "public" }).WaitAsync(Timeout);
        using var unknownMember = await user.Client.PostAsJsonAsync("/api/rooms",
            new { room = MessagesTestKit.NewRoom("unknown-member"), visibility = "public", members = new[] { "nobody_by_this_name" } }).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownMember.StatusCode);
    }

    [Fact]
    public async Task Only_the_owner_adds_and_removes_members()
    {
        using var owner = await TestUsers.RegisterAsync(fixture);
        using var member = await TestUsers.RegisterAsync(fixture);
        using var outsider = await TestUsers.RegisterAsync(fixture);
        var room = await CreateRoomAsync(owner, "private");

        await AssertProblemAsync(await outsider.Client.PostAsJsonAsync($"/api/rooms/{room}/members", new { username = outsider.Username }), HttpStatusCode.Forbidden, "Not the room owner");
        await AssertProblemAsync(await owner.Client.PostAsJsonAsync($"/api/rooms/{room}/members", new { username = "nobody_by_this_name" }), HttpStatusCode.NotFound, "User not found");
        await AssertProblemAsync(await owner.Client.PostAsJsonAsync($"/api/rooms/{MessagesTestKit.NewRoom("missing")}/members", new { username = member.Username }), HttpStatusCode.NotFound, "Room not found");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PostAsJsonAsync($"/api/rooms/{room}/members", new { username = member.Username }).WaitAsync(Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PostAsJsonAsync($"/api/rooms/{room}/members", new { username = member.Username }).WaitAsync(Timeout)).StatusCode);

        await AssertProblemAsync(await member.Client.DeleteAsync($"/api/rooms/{room}/members/{owner.Username}"), HttpStatusCode.Forbidden, "Not the room owner");
        await AssertProblemAsync(await outsider.Client.DeleteAsync($"/api/rooms/{room}/members/{member.Username}"), HttpStatusCode.Forbidden, "Not the room owner");
        await AssertProblemAsync(await owner.Client.DeleteAsync($"/api/rooms/{room}/members/{outsider.Username}"), HttpStatusCode.NotFound, "Member not found");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/rooms/{room}/members/{member.Username}").WaitAsync(Timeout)).StatusCode);
        await AssertProblemAsync(await owner.Client.DeleteAsync($"/api/rooms/{room}/members/{member.Username}"), HttpStatusCode.NotFound, "Member not found");
    }

    [Fact]
    public async Task Private_history_and_presence_are_forbidden_to_everyone_but_owner_and_members()
    {
        using var owner = await TestUsers.RegisterAsync(fixture);
        using var member = await TestUsers.RegisterAsync(fixture);
        using var outsider = await TestUsers.RegisterAsync(fixture);
        var room = await CreateRoomAsync(owner, "private", member.Username);
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        await kit.HandOffAsync(room, 1, "for members only").WaitAsync(Timeout);
        await kit.WaitForStoredAsync([room], 1, TimeSpan.FromSeconds(60));

        foreach (var reader in new[] { owner, member })
        {
            var page = await reader.Client.GetFromJsonAsync<MessagesPage>($"/api/rooms/{room}/messages").WaitAsync(Timeout);
            Assert.Equal("for members only", Assert.Single(page!.Messages).Content);
            Assert.Equal(HttpStatusCode.OK, (await reader.Client.GetAsync($"/api/rooms/{room}/presence").WaitAsync(Timeout)).StatusCode);
        }

        await AssertProblemAsync(await outsider.Client.GetAsync($"/api/rooms/{room}/messages?after=0"), HttpStatusCode.Forbidden, "Room is private");
        await AssertProblemAsync(await outsider.Client.GetAsync($"/api/rooms/{room}/presence"), HttpStatusCode.Forbidden, "Room is private");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/rooms/{room}/members/{member.Username}").WaitAsync(Timeout)).StatusCode);
        await AssertProblemAsync(await member.Client.GetAsync($"/api/rooms/{room}/messages"), HttpStatusCode.Forbidden, "Room is private");
        await AssertProblemAsync(await member.Client.GetAsync($"/api/rooms/{room}/presence"), HttpStatusCode.Forbidden, "Room is private");
    }

    [Fact]
    public async Task Reserved_user_rooms_are_readable_by_their_user_only()
    {
        using var user = await TestUsers.RegisterAsync(fixture);
        using var other = await TestUsers.RegisterAsync(fixture);

        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/api/rooms/user:{user.UserId}/messages").WaitAsync(Timeout)).StatusCode);
        await AssertProblemAsync(await other.Client.GetAsync($"/api/rooms/user:{user.UserId}/messages"), HttpStatusCode.Forbidden, "Room is private");
    }

    [Fact]
    public async Task Removing_a_member_orders_every_replica_to_kick_that_user_from_the_room()
    {
        using var owner = await TestUsers.RegisterAsync(fixture);
        using var member = await TestUsers.RegisterAsync(fixture);
        var room = await CreateRoomAsync(owner, "private", member.Username);
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var orders = await kit.Redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisKeys.ControlChannel)).WaitAsync(Timeout);
        using var messageService = fixture.App.CreateHttpClient("message-service", "http");

        var before = await messageService.GetFromJsonAsync<RoomAccessResponse>($"/internal/rooms/{room}/access?userId={member.UserId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/rooms/{room}/members/{member.Username}").WaitAsync(Timeout)).StatusCode);
        var after = await messageService.GetFromJsonAsync<RoomAccessResponse>($"/internal/rooms/{room}/access?userId={member.UserId}").WaitAsync(Timeout);

        Assert.Equal(new RoomAccessResponse(room, true, "private", true), before);
        Assert.Equal(new RoomAccessResponse(room, true, "private", false), after);
        var kick = await NextKickForAsync(orders, room);
        Assert.Equal(member.UserId, kick.GetProperty("userId").GetString());
        await orders.UnsubscribeAsync();
    }

    [Fact]
    public async Task Access_answers_for_uncreated_public_and_private_rooms()
    {
        using var owner = await TestUsers.RegisterAsync(fixture);
        var publicRoom = await CreateRoomAsync(owner, "public");
        var privateRoom = await CreateRoomAsync(owner, "private");
        var uncreated = MessagesTestKit.NewRoom("uncreated");
        using var messageService = fixture.App.CreateHttpClient("message-service", "http");

        async Task<RoomAccessResponse?> AccessAsync(string room, string userId) =>
            await messageService.GetFromJsonAsync<RoomAccessResponse>($"/internal/rooms/{room}/access?userId={userId}").WaitAsync(Timeout);

        Assert.Equal(new RoomAccessResponse(uncreated, false, "public", true), await AccessAsync(uncreated, "anyone"));
        Assert.Equal(new RoomAccessResponse(publicRoom, true, "public", true), await AccessAsync(publicRoom, "anyone"));
        Assert.Equal(new RoomAccessResponse(privateRoom, true, "private", true), await AccessAsync(privateRoom, owner.UserId));
        Assert.Equal(new RoomAccessResponse(privateRoom, true, "private", false), await AccessAsync(privateRoom, "anyone"));
        Assert.Equal(new RoomAccessResponse("user:u-7", false, "private", true), await AccessAsync("user:u-7", "u-7"));
        Assert.Equal(new RoomAccessResponse("user:u-7", false, "private", false), await AccessAsync("user:u-7", "u-8"));
    }

    [Fact]
    public async Task A_join_brings_a_room_nobody_created_into_being_as_public_and_changes_no_other_room()
    {
        using var owner = await TestUsers.RegisterAsync(fixture);
        var privateRoom = await CreateRoomAsync(owner, "private");
        var uncreated = MessagesTestKit.NewRoom("first-join");
        using var messageService = fixture.App.CreateHttpClient("message-service", "http");

        async Task<RoomAccessResponse?> JoinAsync(string room, string userId)
        {
            using var response = await messageService.PostAsync($"/internal/rooms/{room}/joins?userId={userId}", null).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<RoomAccessResponse>().WaitAsync(Timeout);
        }

        var firstJoin = await JoinAsync(uncreated, "anyone");
        var access = await messageService.GetFromJsonAsync<RoomAccessResponse>($"/internal/rooms/{uncreated}/access?userId=someone").WaitAsync(Timeout);
        var outsiderJoin = await JoinAsync(privateRoom, "anyone");
        var ownerJoin = await JoinAsync(privateRoom, owner.UserId);
        var userRoomJoin = await JoinAsync("user:u-9", "u-8");

        Assert.Equal(new RoomAccessResponse(uncreated, true, "public", true), firstJoin);
        Assert.Equal(new RoomAccessResponse(uncreated, true, "public", true), access);
        Assert.Equal(new RoomAccessResponse(privateRoom, true, "private", false), outsiderJoin);
        Assert.Equal(new RoomAccessResponse(privateRoom, true, "private", true), ownerJoin);
        Assert.Equal(new RoomAccessResponse("user:u-9", false, "private", false), userRoomJoin);
        await AssertProblemAsync(await owner.Client.PostAsJsonAsync("/api/rooms", new { room = uncreated, visibility = "private" }), HttpStatusCode.Conflict, "Room exists");
        await AssertProblemAsync(await owner.Client.PostAsJsonAsync($"/api/rooms/{uncreated}/members", new { username = owner.Username }), HttpStatusCode.Forbidden, "Not the room owner");
    }

    private static async Task<string> CreateRoomAsync(ApiUser owner, string visibility, params string[] members)
    {
        var room = MessagesTestKit.NewRoom(visibility);
        using var response = await owner.Client.PostAsJsonAsync("/api/rooms", new { room, visibility, members }).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return room;
    }

    private static async Task<JsonElement> NextKickForAsync(ChannelMessageQueue orders, string room)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var order = await orders.ReadAsync(timeout.Token);
            var payload = (string)order.Message!;
            var newline = payload.IndexOf('\n');
            Assert.True(newline >= 0, "the payload is <traceparent>\\n<json>");
            var traceParent = payload[..newline];
            Assert.Matches("^$|^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", traceParent);
            var json = JsonDocument.Parse(payload[(newline + 1)..]).RootElement;
            if (json.GetProperty("type").GetString() == "kick" && json.GetProperty("room").GetString() == room)
            {
                return json;
            }
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>().WaitAsync(Timeout);
            Assert.Equal(title, problem!.Title);
        }
    }
}
