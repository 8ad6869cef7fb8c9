using System.Net;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// What a non-member can try against a private room, over /ws, over /hub and over HTTP, where PrivateRoomTests,
/// SignalRLimitsTests and RoomsApiTests leave gaps: every try is refused with the protocol's answer, and while a
/// member writes, types and mentions the outsider, nothing of the room reaches the outsider. Also another user's
/// <c>user:</c> room, and a public room in use that someone tries to take over by creating it private.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class AuthorizationMatrixTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Over_websocket_an_outsider_can_do_nothing_with_a_private_room()
    {
        var (http, owner, outsider, room) = await PrivateRoomAsync();
        using var _ = http;
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, outsider);
        await o.JoinAsync(room);
        await o.SendMessageAsync(room, "before anyone tried");

        var answers = new Dictionary<string, string>();
        foreach (var (name, frame) in new (string, object)[]
                 {
                     ("join", new { type = "join", room }),
                     ("join-since-0", new { type = "join", room, since = 0 }),
                     ("message", new { type = "message", room, content = "let me in", id = "x1" }),
                     ("typing", new { type = "typing", room }),
                     ("presence", new { type = "presence", room }),
                     ("leave", new { type = "leave", room }),
                     ("join-others-user-room", new { type = "join", room = $"user:{owner.UserId}" }),
                 })
        {
            await x.SendAsync(frame);
            answers[name] = (await x.ExpectAsync("error")).Str("code");
        }

        await o.SendAsync(new { type = "typing", room });
        await o.SendMessageAsync(room, $"secret for @{outsider.Username}");
        var leaked = await x.DrainAsync();
        var http1 = await HttpAnswersAsync(http, outsider, room);

        Report("hostile-authorization-websocket", answers, http1, leaked.Count);
        AssertOutsiderRefused(answers, leaked.Count, http1);
    }

    [Fact]
    public async Task Over_signalr_an_outsider_can_do_nothing_with_a_private_room()
    {
        var (http, owner, outsider, room) = await PrivateRoomAsync();
        using var _ = http;
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await using var x = await HubTestClient.ConnectAsync(fixture.GatewayUri, outsider);
        await o.JoinAsync(room);
        await o.SendMessageAsync(room, "before anyone tried");

        var answers = new Dictionary<string, string>
        {
            ["join"] = Code(await x.JoinAsync(room)),
            ["join-since-0"] = Code(await x.JoinAsync(room, 0)),
            ["message"] = Code(await x.SendAsync(room, "let me in", "x1")),
            ["typing"] = Code(await x.TypingAsync(room)),
            ["presence"] = Code(await x.PresenceAsync(room)),
            ["leave"] = Code(await x.LeaveAsync(room)),
            ["join-others-user-room"] = Code(await x.JoinAsync($"user:{owner.UserId}")),
        };

        await o.SendAsync(new { type = "typing", room });
        await o.SendMessageAsync(room, $"secret for @{outsider.Username}");
        var leaked = await x.DrainAsync();
        var http1 = await HttpAnswersAsync(http, outsider, room);

        Report("hostile-authorization-signalr", answers, http1, leaked.Count);
        AssertOutsiderRefused(answers, leaked.Count, http1);
    }

    [Fact]
    public async Task A_public_room_in_use_cannot_be_taken_over_by_creating_it_private()
    {
        using var http = fixture.CreateGatewayClient();
        var squatter = await RealtimeTestClient.CreateUserAsync(http, "squatter");
        var user = await RealtimeTestClient.CreateUserAsync(http, "user");
        var newcomer = await RealtimeTestClient.CreateUserAsync(http, "newcomer");
        var room = RealtimeTestKit.NewRoom("squat");
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await using var h = await HubTestClient.ConnectAsync(fixture.GatewayUri, user);
        await using var s = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, squatter);
        // Joined while nobody had created it: a public room that comes into being on first join, in use, not written to.
        await x.JoinAsync(room);
        Assert.Equal("joined", (await h.JoinAsync(room)).Type());

        using var create = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", squatter, new { room, visibility = "private" });
        using var created = await http.SendAsync(create).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        var problem = await created.Content.ReadAsStringAsync();
        var squatterJoin = await s.JoinAsync(room);
        var ack = await s.SendMessageAsync(room, "still public");
        var seen = await x.WaitForAsync("message", frame => frame.Seq() == ack.Seq());
        var hubSeen = await h.WaitForAsync("message", frame => frame.Seq() == ack.Seq());
        await using var n = await HubTestClient.ConnectAsync(fixture.GatewayUri, newcomer);
        var newcomerJoin = await n.JoinAsync(room);
        var dropped = (await x.DrainAsync()).Count(frame => frame.Type() == "left");

        new ReliabilityReport("hostile-authorization-take-over-in-use", output)
            .Set("created", (int)created.StatusCode)
            .Set("squatterJoin", squatterJoin.Type())
            .Set("newcomerJoin", newcomerJoin.Type())
            .Set("usersDropped", dropped)
            .Write();

        Assert.Equal("application/problem+json", created.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Room exists", JsonDocument.Parse(problem).RootElement.Str("title"));
        Assert.Equal((room, room), (seen.Str("room"), hubSeen.Str("room")));
        Assert.Equal("joined", newcomerJoin.Type());
        Assert.Equal(0, dropped);
    }

    [Fact]
    public async Task A_public_room_everyone_left_still_exists_and_cannot_be_taken_over()
    {
        using var http = fixture.CreateGatewayClient();
        var squatter = await RealtimeTestClient.CreateUserAsync(http, "squatter");
        var user = await RealtimeTestClient.CreateUserAsync(http, "user");
        var room = RealtimeTestKit.NewRoom("squat");
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await using var h = await HubTestClient.ConnectAsync(fixture.GatewayUri, user);
        // Joined while nobody had created it, never written to, then left by everyone.
        await x.JoinAsync(room);
        Assert.Equal("joined", (await h.JoinAsync(room)).Type());
        await x.SendAsync(new { type = "leave", room });
        await x.WaitForAsync("left");
        Assert.Equal("left", (await h.LeaveAsync(room)).Type());

        using var create = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", squatter, new { room, visibility = "private" });
        using var created = await http.SendAsync(create).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        var rejoin = await x.JoinAsync(room);
        var hubRejoin = await h.JoinAsync(room);

        new ReliabilityReport("hostile-authorization-take-over-after-leaving", output)
            .Set("created", (int)created.StatusCode)
            .Set("rejoinWebSocket", rejoin.Type())
            .Set("rejoinSignalR", hubRejoin.Type())
            .Write();

        Assert.Equal(("joined", "joined"), (rejoin.Type(), hubRejoin.Type()));
    }

    private async Task<(HttpClient Http, TestUser Owner, TestUser Outsider, string Room)> PrivateRoomAsync()
    {
        var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var outsider = await RealtimeTestClient.CreateUserAsync(http, "outsider");
        var room = RealtimeTestKit.NewRoom("matrix");
        using var create = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", owner, new { room, visibility = "private" });
        using var created = await http.SendAsync(create).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (http, owner, outsider, room);
    }

    /// <summary>The outsider's HTTP tries: history (three ways), presence, adding itself, removing the owner.</summary>
    private static async Task<Dictionary<string, int>> HttpAnswersAsync(HttpClient http, TestUser outsider, string room)
    {
        var tries = new (string Name, HttpMethod Method, string Path, object? Body)[]
        {
            ("history", HttpMethod.Get, $"/api/rooms/{room}/messages", null),
            ("history-after-0", HttpMethod.Get, $"/api/rooms/{room}/messages?after=0&limit=200", null),
            ("history-before", HttpMethod.Get, $"/api/rooms/{room}/messages?before=1000", null),
            ("presence", HttpMethod.Get, $"/api/rooms/{room}/presence", null),
            ("add-self", HttpMethod.Post, $"/api/rooms/{room}/members", new { username = outsider.Username }),
            ("remove-member", HttpMethod.Delete, $"/api/rooms/{room}/members/{outsider.Username}", null),
        };
        var answers = new Dictionary<string, int>();
        foreach (var (name, method, path, body) in tries)
        {
            using var request = RealtimeTestKit.Authorized(method, path, outsider, body);
            using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
            answers[name] = (int)response.StatusCode;
        }

        return answers;
    }

    /// <summary>What an outsider gets for each try, on either protocol: refused, and nothing of the room reached it.</summary>
    private static void AssertOutsiderRefused(Dictionary<string, string> answers, int framesLeaked, Dictionary<string, int> httpAnswers)
    {
        Assert.Equal(new Dictionary<string, string>
        {
            ["join"] = "forbidden", ["join-since-0"] = "forbidden", ["message"] = "not_joined", ["typing"] = "not_joined",
            ["presence"] = "not_joined", ["leave"] = "not_joined", ["join-others-user-room"] = "forbidden",
        }, answers);
        Assert.Equal(0, framesLeaked);
        AssertHttpRefused(httpAnswers);
    }

    private static void AssertHttpRefused(Dictionary<string, int> answers) =>
        Assert.All(answers, answer => Assert.Equal(403, answer.Value));

    private static string Code(JsonElement? answer) =>
        answer is { } frame && frame.Type() == "error" ? frame.Str("code") : $"allowed: {answer}";

    private void Report(string scenario, Dictionary<string, string> answers, Dictionary<string, int> http, int leaked) =>
        new ReliabilityReport(scenario, output)
            .Set("realtimeTries", answers)
            .Set("httpTries", http)
            .Set("framesLeakedToOutsider", leaked)
            .Write();
}
