using System.Net;
using System.Net.Http.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// A 2 MiB body (the Gateway allows 1 MiB) on every public endpoint. With a declared length each is refused with
/// a 413 problem before it reaches a service. Chunked, the limit holds while the body streams: an endpoint that
/// reads bodies gets the same 413 problem, one that takes no body answers as it would without one (the body is
/// never read). Every service answers normally afterwards.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class OversizedBodyTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private const int BodyBytes = 2 * 1024 * 1024;

    /// <summary>Every route the Gateway serves, with a path that reaches it, and whether it reads a request body.</summary>
    private static readonly (HttpMethod Method, string Path, bool ReadsBody)[] Endpoints =
    [
        (HttpMethod.Post, "/api/auth/register", true),
        (HttpMethod.Post, "/api/auth/token", true),
        (HttpMethod.Post, "/api/auth/refresh", true),
        (HttpMethod.Get, "/api/auth/.well-known/jwks.json", true),
        (HttpMethod.Post, "/api/rooms", true),
        (HttpMethod.Post, "/api/rooms/oversized/members", true),
        (HttpMethod.Delete, "/api/rooms/oversized/members/someone", false),
        (HttpMethod.Get, "/api/rooms/oversized/messages", true),
        (HttpMethod.Get, "/api/rooms/oversized/presence", true),
        // SignalR's negotiate ignores a body. Over HTTP/2 to the replica its answer comes back while the body still
        // streams; over HTTP/1.1 the Gateway sent the whole body first, and so hit the limit.
        (HttpMethod.Post, "/hub/negotiate?negotiateVersion=1", false),
        (HttpMethod.Post, "/hub?id=oversized", false),
        (HttpMethod.Get, "/ws", false),
        (HttpMethod.Post, "/", false),
    ];

    [Fact]
    public async Task Every_endpoint_refuses_an_oversized_body_with_413_and_the_services_carry_on()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "bodies");
        var outcomes = new List<object>();
        var wrong = new List<string>();
        var refusedCount = 0;

        foreach (var (method, path, readsBody) in Endpoints)
        {
            using var plain = RealtimeTestKit.Authorized(method, path, user);
            var withoutBody = await SendAsync(plain);
            foreach (var chunked in new[] { false, true })
            {
                using var request = RealtimeTestKit.Authorized(method, path, user);
                request.Content = chunked
                    ? new StreamContent(new MemoryStream(new byte[BodyBytes]))
                    : new ByteArrayContent(new byte[BodyBytes]);
                request.Content.Headers.ContentType = new("application/json");
                if (chunked)
                {
                    request.Headers.TransferEncodingChunked = true;
                }

                // Expect: 100-continue, so the client waits for the verdict instead of writing into a closed socket.
                request.Headers.ExpectContinue = true;
                var (status, problem) = await SendAsync(request);
                outcomes.Add(new { method = method.Method, path, chunked, status, problem, withoutBody = withoutBody.Status });
                var refused = status == 413 && problem == "request_too_large";
                refusedCount += refused ? 1 : 0;
                var unread = chunked && !readsBody && (status, problem) == withoutBody && status < 500;
                if (!refused && !unread)
                {
                    wrong.Add($"{method} {path} (chunked: {chunked}): {status} {problem}");
                }
            }
        }

        // Unaffected: a new account, a room and its history.
        var after = await RealtimeTestClient.CreateUserAsync(http, "bodies");
        var room = RealtimeTestKit.NewRoom("bodies");
        using var create = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", after, new { room, visibility = "private" });
        using var created = await http.SendAsync(create).WaitAsync(RealtimeTestKit.Timeout);
        using var history = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages", after);
        using var read = await http.SendAsync(history).WaitAsync(RealtimeTestKit.Timeout);

        new ReliabilityReport("hostile-oversized-bodies", output)
            .Set("bodyBytes", BodyBytes)
            .Set("requests", outcomes.Count)
            .Set("refused413", refusedCount)
            .Set("outcomes", outcomes)
            .Write();

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private async Task<(int Status, string? Problem)> SendAsync(HttpRequestMessage request)
    {
        // A fresh connection each time: a refused body may leave the connection unusable.
        using var client = new HttpClient { BaseAddress = fixture.GatewayUri, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        string? title = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            title = problem.TryGetProperty("title", out var value) ? value.GetString() : null;
        }

        return ((int)response.StatusCode, title);
    }
}
