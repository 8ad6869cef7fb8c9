using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// Thousands of malformed JSON frames through the Gateway, from an authenticated and from anonymous connections:
/// each gets its error code in order and the connection stays open, nothing reaches the room or its history, and
/// the replicas keep running with bounded memory. (The parser's own 20,000-input fuzz is ClientFrameParserTests.)
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class WebSocketFuzzTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private const int Window = 200;

    /// <summary>Frames per anonymous connection: all answered well inside its 10 s authentication time.</summary>
    private const int FramesPerAnonymousConnection = 250;

    /// <summary>Generous: a replica's resident memory may grow by this much (its GC keeps what it got), not more.</summary>
    private const long MemoryGrowthBoundKiB = 256 * 1024;

    private static readonly string[] Replicas = ["connection-service-1", "connection-service-2"];

    [Fact]
    public async Task Malformed_json_frames_each_get_their_error_code_keep_the_connection_open_and_store_nothing()
    {
        var framesPerSide = ReliabilityReport.Count(ci: 5_000, @long: 100_000);
        using var http = fixture.CreateGatewayClient();
        var fuzzer = await RealtimeTestClient.CreateUserAsync(http, "fuzzer");
        var listener = await RealtimeTestClient.CreateUserAsync(http, "listener");
        var room = RealtimeTestKit.NewRoom("fuzz");
        await using var listening = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, listener);
        await listening.JoinAsync(room);
        var before = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();
        var answers = new Dictionary<string, int>();
        var mismatches = new List<string>();

        await using (var authenticated = await RawWebSocket.ConnectAsync(fixture.GatewayUri, "/ws", ("Authorization", $"Bearer {fuzzer.AccessToken}")))
        {
            await authenticated.ExpectAsync("welcome");
            await authenticated.ExpectAsync("auth_success");
            await authenticated.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room }));
            Assert.Equal(0, (await authenticated.ExpectAsync("joined")).GetProperty("seq").GetInt64());
            await FuzzAsync(authenticated, new FuzzFrames(seed: 1, room).Take(framesPerSide).ToList(), anonymous: false, answers, mismatches);
        }

        var anonymousConnections = 0;
        foreach (var chunk in new FuzzFrames(seed: 2, room).Take(framesPerSide).Chunk(FramesPerAnonymousConnection))
        {
            await using var anonymous = await RawWebSocket.ConnectAsync(fixture.GatewayUri);
            await anonymous.ExpectAsync("welcome");
            await FuzzAsync(anonymous, chunk, anonymous: true, answers, mismatches);
            anonymousConnections++;
        }

        var after = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();
        var stored = await StoredCountAsync(http, fuzzer, room);
        var delivered = (await listening.DrainAsync()).Count(frame => frame.Type() is "message" or "notification");
        var rejoin = await listening.JoinAsync(room);

        new ReliabilityReport("hostile-websocket-fuzz", output)
            .Set("framesSent", framesPerSide * 2)
            .Set("framesFromAuthenticated", framesPerSide)
            .Set("framesFromAnonymous", framesPerSide)
            .Set("anonymousConnections", anonymousConnections)
            .Set("answersByCode", answers.OrderBy(pair => pair.Key).ToDictionary())
            .Set("mismatches", mismatches.Count)
            .Set("replicas", before.Zip(after, (b, a) => new { b.Resource, pidBefore = b.Pid, pidAfter = a.Pid, rssKiBBefore = b.RssKiB, rssKiBAfter = a.RssKiB }))
            .Set("storedInFuzzedRoom", stored)
            .Set("deliveredToListener", delivered)
            .Set("roomSeqAfter", rejoin.Seq())
            .Write();

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches.Take(20)));
        Assert.Equal(framesPerSide * 2, answers.Values.Sum());
        Assert.Equal(0, stored);
        Assert.Equal(0, delivered);
        Assert.Equal(0, rejoin.Seq());
        await ServiceProcess.AssertUnharmedAsync(fixture.App, before, after, MemoryGrowthBoundKiB);
    }

    /// <summary>
    /// WebSocket-level violations close the connection with the code of their kind (RFC 6455 section 7.4.1; 1003
    /// and 1009 are the protocol's own), from anonymous and authenticated connections; the legal oddities
    /// (fragments, a ping inside a fragmented message) are answered.
    /// </summary>
    [Fact]
    public async Task Websocket_protocol_violations_close_with_the_code_of_their_kind_and_legal_oddities_are_answered()
    {
        var rounds = ReliabilityReport.Count(ci: 3, @long: 40);
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "violator");
        var before = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();
        var closes = new Dictionary<string, Dictionary<string, int>>();
        var mismatches = new List<string>();
        var connections = 0;

        for (var round = 0; round < rounds; round++)
        {
            foreach (var violation in ProtocolViolation.All)
            {
                // Every other round authenticated: the checks come before anything else, so both behave the same.
                var authenticated = round % 2 == 1;
                await using var socket = authenticated
                    ? await RawWebSocket.ConnectAsync(fixture.GatewayUri, "/ws", ("Authorization", $"Bearer {user.AccessToken}"))
                    : await RawWebSocket.ConnectAsync(fixture.GatewayUri);
                connections++;
                await socket.ExpectAsync("welcome");
                if (authenticated)
                {
                    await socket.ExpectAsync("auth_success");
                }

                var outcome = await violation.RunAsync(socket);
                var byKind = closes.TryGetValue(violation.Name, out var found) ? found : closes[violation.Name] = [];
                byKind[outcome] = byKind.GetValueOrDefault(outcome) + 1;
                if (outcome != violation.Expected)
                {
                    mismatches.Add($"{violation.Name} ({(authenticated ? "authenticated" : "anonymous")}): expected {violation.Expected}, got {outcome}");
                }
            }
        }

        var after = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();
        new ReliabilityReport("hostile-websocket-protocol-violations", output)
            .Set("connections", connections)
            .Set("outcomesByKind", closes)
            .Set("mismatches", mismatches.Count)
            .Set("replicas", before.Zip(after, (b, a) => new { b.Resource, pidBefore = b.Pid, pidAfter = a.Pid, rssKiBBefore = b.RssKiB, rssKiBAfter = a.RssKiB }))
            .Write();

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches.Take(40)));
        await ServiceProcess.AssertUnharmedAsync(fixture.App, before, after, MemoryGrowthBoundKiB);
    }

    /// <summary>Sends the frames in windows, each answered in order before the next window goes.</summary>
    private static async Task FuzzAsync(RawWebSocket socket, IReadOnlyList<FuzzFrame> frames, bool anonymous,
        Dictionary<string, int> answers, List<string> mismatches)
    {
        foreach (var window in frames.Chunk(Window))
        {
            foreach (var frame in window)
            {
                await socket.SendFrameAsync(RawWebSocket.Text, frame.Payload);
            }

            foreach (var frame in window)
            {
                var answer = await socket.ReceiveAsync();
                var code = answer.GetProperty("type").GetString() == "error" ? answer.GetProperty("code").GetString()! : answer.GetProperty("type").GetString()!;
                answers[code] = answers.GetValueOrDefault(code) + 1;
                var expected = anonymous ? frame.Anonymous : frame.Authenticated;
                if (code != expected)
                {
                    mismatches.Add($"{frame.Kind} ({(anonymous ? "anonymous" : "authenticated")}): expected {expected}, got {answer} for {System.Text.Encoding.UTF8.GetString(frame.Payload)[..Math.Min(200, frame.Payload.Length)]}");
                }
            }
        }

        // An error never closes the connection: it still answers.
        await socket.SendTextAsync("""{"type":"ping"}""");
        await socket.ExpectAsync("pong");
        Assert.False(socket.Closed.IsCompleted);
    }

    private async Task<int> StoredCountAsync(HttpClient http, TestUser user, string room)
    {
        using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages?limit=200", user);
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("messages").GetArrayLength();
    }
}
