using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Gateway;

[Collection(RealtimeAppCollection.Name)]
public sealed class GatewayHardeningTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_websocket_upgrade_from_a_foreign_origin_is_refused_and_the_own_origin_passes()
    {
        var foreign = await UpgradeAsync("/ws", "https://attacker.example");
        var foreignHub = await UpgradeAsync("/hub", "http://localhost.attacker.example");
        var own = await UpgradeAsync("/ws", OwnOrigin);

        Assert.Equal(HttpStatusCode.Forbidden, foreign.Status);
        Assert.Null(foreign.Replica);
        Assert.Equal(HttpStatusCode.Forbidden, foreignHub.Status);
        // The own origin reaches a replica: whatever it answers, the Gateway did not refuse it.
        Assert.NotEqual(HttpStatusCode.Forbidden, own.Status);
        Assert.NotNull(own.Replica);
    }

    [Fact]
    public async Task No_access_token_from_a_query_string_reaches_the_gateway_log()
    {
        var token = $"eyJhbGciOiJFUzI1NiJ9.secret-{Guid.NewGuid():N}.signature";
        var marker = $"https://marker-{Guid.NewGuid():N}.example";
        var lines = new ConcurrentQueue<string>();
        using var watching = new CancellationTokenSource();
        var loggers = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        var gateway = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "gateway");
        var watch = Task.Run(async () =>
        {
            await foreach (var batch in loggers.WatchAsync(gateway).WithCancellation(watching.Token))
            {
                foreach (var line in batch)
                {
                    lines.Enqueue(line.Content);
                }
            }
        });

        try
        {
            // A refused upgrade is logged (a warning naming the origin): it proves the log of these requests is read.
            await UpgradeAsync($"/ws?access_token={token}", marker);
            await UpgradeAsync($"/ws?access_token={token}", OwnOrigin);
            await UpgradeAsync($"/hub?id=abc&access_token={token}", OwnOrigin);
            using var client = fixture.CreateGatewayClient();
            (await client.GetAsync($"/api/rooms/lobby/messages?access_token={token}").WaitAsync(Timeout)).Dispose();
            (await client.PostAsync($"/hub/negotiate?negotiateVersion=1&access_token={token}", null).WaitAsync(Timeout)).Dispose();
            (await client.GetAsync($"/no-such-page?access_token={token}").WaitAsync(Timeout)).Dispose();

            var deadline = DateTime.UtcNow + Timeout;
            while (!lines.Any(line => line.Contains(marker, StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        finally
        {
            await watching.CancelAsync();
            await Task.WhenAny(watch, Task.Delay(Timeout));
        }

        var log = lines.ToList();
        Assert.True(log.Any(line => line.Contains(marker, StringComparison.Ordinal) && line.Contains("/ws", StringComparison.Ordinal)),
            $"The refusal was not logged; the last lines read: {string.Join(Environment.NewLine, log.TakeLast(20))}");
        Assert.DoesNotContain(log, line => line.Contains("secret-", StringComparison.Ordinal) || line.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_auth_routes_are_rate_limited_per_client_address_with_retry_after()
    {
        // From a loopback address of its own, so other tests (from 127.0.0.1) keep their budget.
        using var limited = ClientFrom(IPAddress.Parse("127.0.0.2"));
        using var other = fixture.CreateGatewayClient();

        HttpResponseMessage? refused = null;
        for (var i = 0; i <= TestSystem.AuthRateLimitPerMinute && refused is null; i++)
        {
            var response = await limited.GetAsync("/api/auth/.well-known/jwks.json").WaitAsync(Timeout);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) >= 1);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"rate_limited\"", await refused.Content.ReadAsStringAsync());
        }

        using var unaffected = await other.GetAsync("/api/auth/.well-known/jwks.json").WaitAsync(Timeout);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, unaffected.StatusCode);
    }

    [Fact]
    public async Task Oversized_bodies_and_headers_are_refused_before_they_reach_a_service()
    {
        using var client = fixture.CreateGatewayClient();

        // Expect: 100-continue, so the client waits for the verdict instead of writing 2 MiB into a closed socket.
        using var oversized = new HttpRequestMessage(HttpMethod.Post, "/api/rooms")
        {
            Content = new ByteArrayContent(new byte[2 * 1024 * 1024]) { Headers = { ContentType = new("application/json") } },
            Headers = { ExpectContinue = true },
        };
        using var tooLarge = await client.SendAsync(oversized).WaitAsync(Timeout);

        using var manyHeaders = new HttpRequestMessage(HttpMethod.Get, "/api/rooms/lobby/messages");
        for (var i = 0; i < 60; i++)
        {
            manyHeaders.Headers.Add($"X-Filler-{i}", "x");
        }
        using var tooManyHeaders = await client.SendAsync(manyHeaders).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, tooManyHeaders.StatusCode);
    }

    private string OwnOrigin => $"{fixture.GatewayUri.Scheme}://{fixture.GatewayUri.Authority}";

    private async Task<(HttpStatusCode Status, string? Replica)> UpgradeAsync(string pathAndQuery, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        var uri = new UriBuilder(fixture.GatewayUri) { Scheme = "ws" }.Uri;
        try
        {
            await socket.ConnectAsync(new Uri(uri, pathAndQuery), CancellationToken.None).WaitAsync(Timeout);
            var replica = socket.HttpResponseHeaders?.TryGetValue(ReplicaProbe.ReplicaHeader, out var values) is true ? values.Single() : null;
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(Timeout);
            return (socket.HttpStatusCode, replica);
        }
        catch (WebSocketException)
        {
            var replica = socket.HttpResponseHeaders?.TryGetValue(ReplicaProbe.ReplicaHeader, out var values) is true ? values.Single() : null;
            return (socket.HttpStatusCode, replica);
        }
    }

    private HttpClient ClientFrom(IPAddress localAddress) => LoopbackClient.From(localAddress, fixture.GatewayUri, Timeout);
}
