using System.Net;
using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Connection;

/// <summary>
/// Membership changes take effect at once, on both replicas, over /ws and /hub: a member just added gets in on the
/// connection that was refused, a member removed is out even with joins in flight, and a join racing a private
/// create never lands in the private room.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class MembershipChangeTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_refused_connection_gets_in_as_soon_as_its_user_is_added_on_either_replica_and_protocol()
    {
        await using var members = await MembersOnBothReplicasAsync();
        var room = await CreatePrivateRoomAsync(members.Http, members.Owner);

        var refused = await members.JoinEachAsync(room);
        await AddAsync(members.Http, members.Owner, room, members.Socketeer);
        await AddAsync(members.Http, members.Owner, room, members.Hubber);
        var admitted = await members.JoinEachAsync(room);

        Assert.Equal(["error:forbidden", "error:forbidden", "error:forbidden", "error:forbidden"], refused.Select(Outcome));
        Assert.Equal(["joined", "joined", "joined", "joined"], admitted.Select(Outcome));
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, members.Owner);
        await o.JoinAsync(room);
        var ack = await o.SendMessageAsync(room, "welcome in");
        var delivered = await members.NextMessageOfEachAsync(room);
        Assert.All(delivered, message => Assert.Equal(ack.Seq(), message.Seq()));
    }

    [Fact]
    public async Task Removed_added_back_and_removed_again_each_takes_effect_at_once_even_while_joins_are_in_flight()
    {
        await using var members = await MembersOnBothReplicasAsync();
        var room = await CreatePrivateRoomAsync(members.Http, members.Owner, members.Socketeer.Username, members.Hubber.Username);
        var cycles = new List<int>();

        for (var round = 0; round < 2; round++)
        {
            if (round > 0)
            {
                await AddAsync(members.Http, members.Owner, room, members.Socketeer);
                await AddAsync(members.Http, members.Owner, room, members.Hubber);
            }

            // Every connection joins and leaves over and over until a join is refused; the removals land in the middle.
            var started = members.Each.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            var loops = members.Each.Select((connection, i) => connection.JoinAndLeaveUntilRefusedAsync(room, started[i])).ToArray();
            await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(RealtimeTestKit.Timeout);
            await Task.WhenAll(
                RemoveAsync(members.Http, members.Owner, room, members.Socketeer),
                RemoveAsync(members.Http, members.Owner, room, members.Hubber));
            cycles.AddRange(await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(60)));
            var afterwards = await members.PresenceOfEachAsync(room);
            var present = await PresentUsersAsync(members.Http, members.Owner, room);

            Assert.Equal(["error:not_joined", "error:not_joined", "error:not_joined", "error:not_joined"], afterwards.Select(Outcome));
            Assert.DoesNotContain(members.Socketeer.UserId, present);
            Assert.DoesNotContain(members.Hubber.UserId, present);
        }

        output.WriteLine($"join/leave cycles per connection before the refusal: {string.Join(", ", cycles)}");
    }

    [Fact]
    public async Task A_join_racing_a_private_create_lands_first_and_the_create_conflicts_or_is_refused()
    {
        using var http = fixture.CreateGatewayClient();
        var creator = await RealtimeTestClient.CreateUserAsync(http, "creator");
        var joiner = await RealtimeTestClient.CreateUserAsync(http, "joiner");
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, joiner);
        await using var h = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, joiner, replica => replica != x.ReplicaId);
        await using var c = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, creator);
        var outcomes = new List<(HttpStatusCode Created, string Joined)>();

        for (var round = 0; round < 16; round++)
        {
            var room = RealtimeTestKit.NewRoom("race");
            Task<JsonElement> join = round % 2 == 0 ? JoinAnswerAsync(x, room) : h.JoinAsync(room);
            using var create = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", creator, new { room, visibility = "private" });
            var created = http.SendAsync(create).WaitAsync(RealtimeTestKit.Timeout);
            await Task.WhenAll(join, created);
            var outcome = ((await created).StatusCode, Outcome(await join));
            outcomes.Add(outcome);

            // Either the join came first (the room is public and stays so) or the create did (the joiner is not in it).
            var creatorJoin = await JoinAnswerAsync(c, room);
            var present = await PresentUsersAsync(http, creator, room);
            Assert.True(outcome is (HttpStatusCode.Conflict, "joined") or (HttpStatusCode.Created, "error:forbidden"), $"round {round}: {outcome}");
            Assert.Equal("joined", Outcome(creatorJoin));
            Assert.Equal(outcome.Item2 == "joined", present.Contains(joiner.UserId));
        }

        output.WriteLine($"join first: {outcomes.Count(o => o.Joined == "joined")}, create first: {outcomes.Count(o => o.Created == HttpStatusCode.Created)}");
    }

    /// <summary>The answer to a join sent now: <c>joined</c> or an <c>error</c> (frames of other kinds are skipped).</summary>
    internal static async Task<JsonElement> JoinAnswerAsync(RealtimeTestClient client, string room)
    {
        await client.SendAsync(new { type = "join", room });
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if ((frame.Type() == "joined" && frame.Str("room") == room) || (frame.Type() == "error" && frame.Str("code") != "not_joined"))
            {
                return frame;
            }
        }
    }

    private static string Outcome(JsonElement answer) => answer.Type() == "error" ? $"error:{answer.Str("code")}" : answer.Type();

    private async Task<MembersOnBothReplicas> MembersOnBothReplicasAsync()
    {
        var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        // Two users, so that the connections tried while looking for a replica stay under the per-user limit.
        var socketeer = await RealtimeTestClient.CreateUserAsync(http, "ws");
        var hubber = await RealtimeTestClient.CreateUserAsync(http, "hub");
        var (w1, w2) = await RealtimeTestKit.ConnectOnTwoReplicasAsync(fixture.GatewayUri, socketeer, socketeer);
        var h1 = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, hubber, replica => replica == w1.ReplicaId);
        var h2 = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, hubber, replica => replica == w2.ReplicaId);
        return new MembersOnBothReplicas(http, owner, socketeer, hubber, w1, w2, h1, h2);
    }

    private static async Task<string> CreatePrivateRoomAsync(HttpClient http, TestUser owner, params string[] members)
    {
        var room = RealtimeTestKit.NewRoom("members");
        using var request = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", owner, new { room, visibility = "private", members });
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return room;
    }

    private static async Task AddAsync(HttpClient http, TestUser owner, string room, TestUser member)
    {
        using var request = RealtimeTestKit.Authorized(HttpMethod.Post, $"/api/rooms/{room}/members", owner, new { username = member.Username });
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task RemoveAsync(HttpClient http, TestUser owner, string room, TestUser member)
    {
        using var request = RealtimeTestKit.Authorized(HttpMethod.Delete, $"/api/rooms/{room}/members/{member.Username}", owner);
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task<string[]> PresentUsersAsync(HttpClient http, TestUser reader, string room)
    {
        using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/presence", reader);
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var presence = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return [.. presence.GetProperty("members").EnumerateArray().Select(member => member.Str("userId"))];
    }
}
