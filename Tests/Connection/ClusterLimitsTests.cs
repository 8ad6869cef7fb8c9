using System.Net.WebSockets;
using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Connection;

[Collection(RealtimeAppCollection.Name)]
public class ClusterLimitsTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task The_rate_limit_counts_a_users_messages_on_all_replicas()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        var bob = await RealtimeTestClient.CreateUserAsync(http);
        var (a1, a2) = await RealtimeTestKit.ConnectOnTwoReplicasAsync(fixture.GatewayUri, alice, alice);
        await using var _ = a1;
        await using var __ = a2;
        await using var watcher = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, bob);
        var room = RealtimeTestKit.NewRoom("rate");
        await a1.JoinAsync(room);
        await a2.JoinAsync(room);
        await watcher.JoinAsync(room);

        for (var i = 0; i < 50; i++)
        {
            await a1.SendMessageAsync(room, $"one {i}");
            await a2.SendMessageAsync(room, $"two {i}");
        }

        await a2.SendAsync(new { type = "message", room, content = "the 101st", id = "over" });
        var limited = await a2.WaitForAsync("error");
        await watcher.SendAsync(new { type = "typing", room });
        await a1.SendAsync(new { type = "typing", room });
        var seen = new List<long>();
        while (seen.Count < 100)
        {
            seen.Add((await watcher.WaitForAsync("message")).Seq());
        }

        Assert.NotEqual(a1.ReplicaId, a2.ReplicaId);
        Assert.Equal(("rate_limited", "over"), (limited.Str("code"), limited.Str("id")));
        Assert.InRange(limited.GetProperty("retryAfterMs").GetInt64(), 1, 60_000);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seen);
        Assert.DoesNotContain(await watcher.DrainAsync(), f => f.Type() == "message");
        Assert.Equal(WebSocketState.Open, a2.Socket.State);
    }

    [Fact]
    public async Task A_resend_of_an_acked_id_at_the_rate_limit_gets_its_ack_not_rate_limited()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("rate-resend");
        await client.JoinAsync(room);
        var acks = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            acks.Add((await client.SendMessageAsync(room, $"message {i}", id: $"id-{i}")).GetRawText());
        }

        await client.SendAsync(new { type = "message", room, content = "the 101st", id = "over" });
        var limited = await AnswerToAsync(client, "over");
        await client.SendAsync(new { type = "message", room, content = "message 7", id = "id-7" });
        var resent = await AnswerToAsync(client, "id-7");

        Assert.Equal(("error", "rate_limited"), (limited.Type(), limited.Str("code")));
        Assert.Equal(acks[7], resent.GetRawText());
    }

    [Fact]
    public async Task A_sixth_connection_closes_the_users_oldest_with_4001_on_whichever_replica_it_is()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        var connections = new List<RealtimeTestClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                connections.Add(await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice));
                // Connect times are in milliseconds: keep them apart so "oldest" is unambiguous.
                await Task.Delay(20);
            }

            var sixth = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
            connections.Add(sixth);

            Assert.Equal(4001, await connections[0].WaitForCloseAsync());
            Assert.Equal(2, connections.Select(c => c.ReplicaId).Distinct().Count());
            foreach (var open in connections.Skip(1))
            {
                Assert.Empty(await open.DrainAsync());
                Assert.Equal(WebSocketState.Open, open.Socket.State);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Each_replica_exports_the_protocols_metrics()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("metrics");
        await client.JoinAsync(room);
        await client.SendMessageAsync(room, "measured");
        using var replica = fixture.App.CreateHttpClient(client.ReplicaId!, "http");

        var metrics = await replica.GetStringAsync("/metrics").WaitAsync(RealtimeTestKit.Timeout);

        Assert.Contains("# TYPE websocket_connections_total counter", metrics);
        Assert.Contains("# TYPE websocket_connections_active gauge", metrics);
        Assert.Contains("# TYPE websocket_message_latency_ms histogram", metrics);
        Assert.Contains("websocket_message_latency_ms_bucket{", metrics);
        Assert.Contains("le=\"0.25\"", metrics);
        Assert.Matches(@"websocket_connections_active\{[^}]*\} [1-9]", metrics);
    }

    /// <summary>The <c>ack</c> or <c>error</c> that answers the message with client id <paramref name="id"/>; other frames are passed over.</summary>
    private static async Task<JsonElement> AnswerToAsync(RealtimeTestClient client, string id)
    {
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.Type() is "ack" or "error" && frame.TryGetProperty("id", out var answered) && answered.GetString() == id)
            {
                return frame;
            }
        }
    }
}
