using System.Net;
using System.Net.Http.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Observability;

/// <summary>
/// After known traffic through the Gateway, every service's /metrics shows exactly that traffic. Other tests share
/// the app, so each assertion compares a scrape taken before with one taken after.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class MetricsTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Replicas = ["connection-service-1", "connection-service-2"];

    [Fact]
    public async Task Metrics_count_the_connections_messages_rejections_and_logins_of_the_traffic()
    {
        const int Messages = 4;
        const int Rejections = 3;
        using var gateway = fixture.CreateGatewayClient();
        var before = await ScrapeAllAsync();

        // Auth: two logins (inside CreateUserAsync), one wrong password, one refresh.
        var alice = await RealtimeTestClient.CreateUserAsync(gateway, "obs");
        var bob = await RealtimeTestClient.CreateUserAsync(gateway, "obs");
        var wrong = await gateway.PostAsJsonAsync("/api/auth/token", new { username = alice.Username, password = "not-the-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var refreshed = await gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = bob.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);

        // Three connections in one room, wherever the Gateway puts them.
        var room = RealtimeTestKit.NewRoom("obs");
        var first = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice).WaitAsync(Timeout);
        var second = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, bob).WaitAsync(Timeout);
        var third = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, bob).WaitAsync(Timeout);
        RealtimeTestClient[] clients = [first, second, third];
        var byReplica = Replicas.ToDictionary(replica => replica, replica => clients.Count(client => client.ReplicaId == replica));
        try
        {
            foreach (var client in clients)
            {
                await client.JoinAsync(room).WaitAsync(Timeout);
            }

            for (var i = 0; i < Messages; i++)
            {
                await first.SendMessageAsync(room, $"metrics message {i}").WaitAsync(Timeout);
            }

            foreach (var client in clients)
            {
                for (var i = 0; i < Messages; i++)
                {
                    var content = $"metrics message {i}";
                    await client.WaitForAsync("message", frame => frame.Str("content") == content, Timeout).WaitAsync(Timeout);
                }
            }

            for (var i = 0; i < Rejections; i++)
            {
                await second.SendAsync(new { type = "message", room = "obs-never-joined", content = "x", id = $"r{i}" });
                await second.WaitForAsync("error", frame => frame.Str("code") == "not_joined", Timeout).WaitAsync(Timeout);
            }

            var during = await ScrapeAllAsync();
            foreach (var replica in Replicas)
            {
                Assert.Equal(byReplica[replica], Delta(before, during, replica, "websocket_connections_active", ("replica", replica)));
                Assert.True(during[replica].Sum("realtime_rooms_local", ("replica", replica)) >= (byReplica[replica] > 0 ? 1 : 0));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        var senderReplica = first.ReplicaId!;
        await EventuallyAsync(async () =>
        {
            var after = await ScrapeAllAsync();
            foreach (var replica in Replicas)
            {
                var label = ("replica", replica);
                Assert.Equal(byReplica[replica], Delta(before, after, replica, "websocket_connections_total", label));
                Assert.Equal(0, Delta(before, after, replica, "websocket_connections_active", label));
                Assert.Equal(byReplica[replica], Delta(before, after, replica, "realtime_connections_closed_total", label, ("close_code", "1000")));
                // Every local member gets each message once; the fanout delay is measured once per message and replica.
                Assert.Equal(Messages * byReplica[replica], Delta(before, after, replica, "realtime_messages_delivered_total", label));
                Assert.Equal(byReplica[replica] > 0 ? Messages : 0,
                    Delta(before, after, replica, "realtime_fanout_delay_milliseconds_count", label));
                var sent = replica == senderReplica ? Messages : 0;
                Assert.Equal(sent, Delta(before, after, replica, "realtime_messages_published_total", label));
                Assert.Equal(sent, Delta(before, after, replica, "websocket_message_latency_ms_count", label));
                Assert.Equal(replica == second.ReplicaId ? Rejections : 0,
                    Delta(before, after, replica, "realtime_frames_rejected_total", label, ("code", "not_joined")));
                // Redis is probed every few seconds.
                Assert.True(after[replica].Sum("realtime_redis_round_trip_milliseconds_count", label) > 0);
            }

            // The latency histogram resolves sub-millisecond values.
            Assert.Contains("0.1", after[senderReplica].LabelValues("websocket_message_latency_ms_bucket", "le"));

            Assert.Equal(2, Delta(before, after, "auth-service", "auth_logins_total", ("outcome", "succeeded")));
            Assert.Equal(1, Delta(before, after, "auth-service", "auth_logins_total", ("outcome", "failed")));
            // The latency histogram resolves sub-millisecond values.
            Assert.Contains("0.1", after[senderReplica].LabelValues("websocket_message_latency_ms_bucket", "le"));

            Assert.Equal(2, Delta(before, after, "auth-service", "auth_tokens_issued_total", ("grant", "password")));
            Assert.Equal(1, Delta(before, after, "auth-service", "auth_tokens_issued_total", ("grant", "refresh")));

            // MessageService stores every message once; its backlog gauges exist (their value is whatever is pending now).
            Assert.Equal(Messages, Delta(before, after, "message-service", "messages_persistence_stored_total"));
            Assert.True(after["message-service"].Has("messages_persistence_backlog"));
            Assert.True(after["message-service"].Has("messages_persistence_backlog_oldest_age_seconds"));
            Assert.True(Delta(before, after, "message-service", "messages_persistence_batch_size_count") >= 1);
            Assert.True(Delta(before, after, "message-service", "messages_persistence_store_duration_milliseconds_count") >= 1);

            // The Gateway's own HTTP metrics, on its management endpoint.
            Assert.True(Delta(before, after, "gateway", "http_server_request_duration_seconds_count") >= 4);
        });
    }

    private static double Delta(
        Dictionary<string, PrometheusScrape> before, Dictionary<string, PrometheusScrape> after, string resource, string name,
        params (string, string)[] labels) =>
        after[resource].Sum(name, labels) - before[resource].Sum(name, labels);

    private async Task<Dictionary<string, PrometheusScrape>> ScrapeAllAsync()
    {
        var scrapes = new Dictionary<string, PrometheusScrape>();
        foreach (var (resource, endpoint) in Replicas.Select(r => (r, "http"))
                     .Append(("auth-service", "http")).Append(("message-service", "http")).Append(("gateway", "management")))
        {
            using var client = fixture.App.CreateHttpClient(resource, endpoint);
            scrapes[resource] = await PrometheusScrape.ReadAsync(client);
        }

        return scrapes;
    }

    /// <summary>Metrics are exported on a short cache and persistence is asynchronous: retry the checks for a while.</summary>
    private static async Task EventuallyAsync(Func<Task> assertions)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            try
            {
                await assertions();
                return;
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException && !deadline.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
