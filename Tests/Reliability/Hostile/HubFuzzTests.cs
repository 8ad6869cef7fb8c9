using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// Malformed calls to the SignalR hub (/hub, JSON hub protocol over a raw WebSocket, as a client that skips
/// negotiation would send them): unknown methods, wrong argument types and counts, bad values. Every call gets its
/// completion — SignalR's own error for what cannot be bound, the realtime error frame for the rest — on a
/// connection that stays open; malformed hub messages close the connection; nothing is stored or delivered.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class HubFuzzTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private const int Window = 100;
    private const long MemoryGrowthBoundKiB = 256 * 1024;
    private static readonly string[] Replicas = ["connection-service-1", "connection-service-2"];

    [Fact]
    public async Task Malformed_hub_calls_get_an_error_completion_and_malformed_hub_messages_close_the_connection()
    {
        var count = ReliabilityReport.Count(ci: 2_000, @long: 20_000);
        using var http = fixture.CreateGatewayClient();
        var fuzzer = await RealtimeTestClient.CreateUserAsync(http, "hubfuzz");
        var listener = await RealtimeTestClient.CreateUserAsync(http, "listener");
        var room = RealtimeTestKit.NewRoom("hubfuzz");
        await using var listening = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, listener);
        await listening.JoinAsync(room);
        var before = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();

        // Each call: target, arguments (raw JSON) and the expected outcome: "signalr-error" or the error code.
        (string Target, string Arguments, string Expected)[] calls =
        [
            ("NoSuchMethod", "[]", "signalr-error"),
            ("Join", "[123, \"x\"]", "signalr-error"),
            ("Join", "[]", "signalr-error"),
            ("Join", $"[\"{room}\", null, \"extra\"]", "signalr-error"),
            ("Join", $"[\"{room}\", 1e999]", "signalr-error"),
            ("Join", $"[\"{room}\", \"5\"]", "signalr-error"),
            ("Send", $"[\"{room}\", {{\"a\":1}}, null]", "signalr-error"),
            ("Join", "[\"bad room!\", null]", "invalid_room"),
            ("Join", $"[\"{room}\", -1]", "invalid_message"),
            ("Join", "[\"user:someone-else\", null]", "forbidden"),
            ("Send", $"[\"{room}\", \"{new string('x', 4_001)}\", null]", "content_too_long"),
            ("Send", $"[\"{room}\", \"a\\u0000b\", null]", "invalid_message"),
            ("Send", $"[\"{room}\", \"\", null]", "invalid_message"),
            ("Send", $"[\"{room}\", \"x\", \"{new string('i', 129)}\"]", "invalid_message"),
            ("Send", $"[\"never-joined-{room}\", \"x\", null]", "not_joined"),
            ("Typing", $"[\"never-joined-{room}\"]", "not_joined"),
            ("Presence", "[\"\"]", "invalid_room"),
            ("Leave", $"[\"never-joined-{room}\"]", "not_joined"),
        ];

        await using var socket = await ConnectAsync(fuzzer);
        Assert.Equal("joined", (await InvokeAsync(socket, "0", "Join", $"[\"{room}\", null]")).GetProperty("result").GetProperty("type").GetString());

        var outcomes = new Dictionary<string, int>();
        var mismatches = new List<string>();
        var next = 1;
        foreach (var window in Enumerable.Range(0, count).Select(i => calls[i % calls.Length]).Chunk(Window))
        {
            // Completions come in any order (SignalR answers a call it cannot bind at once): matched by invocation id.
            var pending = new Dictionary<string, (string Target, string Arguments, string Expected)>();
            foreach (var call in window)
            {
                var id = (next++).ToString();
                pending[id] = call;
                await SendAsync(socket, $$"""{"type":1,"invocationId":"{{id}}","target":"{{call.Target}}","arguments":{{call.Arguments}}}""");
            }

            while (pending.Count > 0)
            {
                var completion = await NextCompletionAsync(socket);
                if (!pending.Remove(completion.GetProperty("invocationId").GetString()!, out var call))
                {
                    mismatches.Add($"an unexpected completion: {completion}");
                    continue;
                }

                var outcome = completion.TryGetProperty("error", out _) ? "signalr-error"
                    : completion.GetProperty("result").GetProperty("type").GetString() == "error"
                        ? completion.GetProperty("result").GetProperty("code").GetString()!
                        : $"allowed {completion}";
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (outcome != call.Expected)
                {
                    mismatches.Add($"{call.Target} {call.Arguments[..Math.Min(80, call.Arguments.Length)]}: expected {call.Expected}, got {completion}");
                }
            }
        }

        // Still open: a valid call is answered.
        var presence = await InvokeAsync(socket, "last", "Presence", $"[\"{room}\"]");

        // Malformed hub messages end the connection (SignalR closes it with an error).
        var closes = new Dictionary<string, string>();
        foreach (var (name, message) in new (string, string)[]
                 {
                     ("invalid-json", "{\"type\":1,\"target\":"),
                     ("not-an-object", "[1,2,3]"),
                     ("invocation-without-target", """{"type":1,"invocationId":"x","arguments":[]}"""),
                     ("over-64KiB", $$"""{"type":1,"invocationId":"x","target":"Presence","arguments":["{{new string('r', 70_000)}}"]}"""),
                 })
        {
            await using var victim = await ConnectAsync(fuzzer);
            await SendAsync(victim, message);
            closes[name] = await CloseOutcomeAsync(victim);
        }

        var after = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();
        var stored = await StoredCountAsync(http, fuzzer, room);
        var delivered = (await listening.DrainAsync()).Count(frame => frame.Type() is "message" or "notification" or "user_typing");

        new ReliabilityReport("hostile-hub-fuzz", output)
            .Set("callsSent", count)
            .Set("completionsByOutcome", outcomes.OrderBy(pair => pair.Key).ToDictionary())
            .Set("mismatches", mismatches.Count)
            .Set("malformedMessages", closes)
            .Set("replicas", before.Zip(after, (b, a) => new { b.Resource, pidBefore = b.Pid, pidAfter = a.Pid, rssKiBBefore = b.RssKiB, rssKiBAfter = a.RssKiB }))
            .Set("storedInFuzzedRoom", stored)
            .Set("deliveredToListener", delivered)
            .Write();

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches.Take(20)));
        Assert.Equal("presence", presence.GetProperty("result").GetProperty("type").GetString());
        Assert.All(closes, close => Assert.StartsWith("closed", close.Value));
        Assert.Equal(0, stored);
        Assert.Equal(0, delivered);
        await ServiceProcess.AssertUnharmedAsync(fixture.App, before, after, MemoryGrowthBoundKiB);
    }

    /// <summary>A WebSocket to /hub without negotiation (SignalR allows it for WebSockets), after the JSON handshake.</summary>
    private async Task<RawWebSocket> ConnectAsync(TestUser user)
    {
        var socket = await RawWebSocket.ConnectAsync(fixture.GatewayUri, $"/hub?access_token={Uri.EscapeDataString(user.AccessToken)}");
        await SendAsync(socket, """{"protocol":"json","version":1}""");
        var handshake = await socket.ReceiveAsync();
        Assert.False(handshake.TryGetProperty("error", out var error), $"Handshake refused: {error}");
        return socket;
    }

    private static Task SendAsync(RawWebSocket socket, string message) =>
        socket.SendFrameAsync(RawWebSocket.Text, [.. Encoding.UTF8.GetBytes(message), RawWebSocket.RecordSeparator]);

    private static async Task<JsonElement> InvokeAsync(RawWebSocket socket, string id, string target, string arguments)
    {
        await SendAsync(socket, $$"""{"type":1,"invocationId":"{{id}}","target":"{{target}}","arguments":{{arguments}}}""");
        var completion = await NextCompletionAsync(socket);
        Assert.Equal(id, completion.GetProperty("invocationId").GetString());
        return completion;
    }

    /// <summary>The next completion (type 3); pings (type 6) and events in between are passed over.</summary>
    private static async Task<JsonElement> NextCompletionAsync(RawWebSocket socket)
    {
        while (true)
        {
            var message = await socket.ReceiveAsync();
            if (message.TryGetProperty("type", out var type) && type.GetInt32() == 3)
            {
                return message;
            }
        }
    }

    /// <summary>"closed (…)" when SignalR ended the connection: its close message and the WebSocket close code.</summary>
    private static async Task<string> CloseOutcomeAsync(RawWebSocket socket)
    {
        string? error = null;
        try
        {
            while (true)
            {
                var message = await socket.ReceiveAsync(TimeSpan.FromSeconds(20));
                if (message.GetProperty("type").GetInt32() == 7)
                {
                    error = message.TryGetProperty("error", out var text) ? text.GetString() : "";
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The connection ended.
        }
        catch (TimeoutException)
        {
            return "still open";
        }

        return $"closed (close message: {error ?? "none"}; websocket close {await socket.WaitForCloseAsync()})";
    }

    private static async Task<int> StoredCountAsync(HttpClient http, TestUser user, string room)
    {
        using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages?limit=200", user);
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messages").GetArrayLength();
    }
}
