using System.Net;
using System.Text;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Messages;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// The cases of issue 22 one by one, through the Gateway: a refused token is a 401 problem whatever the client
/// accepts; a malformed body is a 400 problem with a stable title and no exception detail; a wrong content type,
/// method or route is a problem too, from the services and from the Gateway itself.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class HttpErrorBodyTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("GET", "/hub?id=x&access_token=bad", "text/event-stream")]
    [InlineData("POST", "/hub/negotiate?negotiateVersion=1&access_token=bad", "text/plain")]
    [InlineData("GET", "/api/rooms/x/messages", "text/html")]
    public async Task A_refused_token_is_a_401_problem_whatever_the_client_accepts(string method, string path, string accept)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (!path.Contains("access_token", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new("Bearer", "bad");
        }

        var (response, title) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("Unauthorized", title);
    }

    [Theory]
    [InlineData("{\"username\":", "invalid_json")]
    [InlineData("{\"username\":5}", "invalid_request")]
    [InlineData("[]", "invalid_request")]
    public async Task A_malformed_body_is_a_400_problem_with_a_stable_title_and_no_exception_detail(string body, string expectedTitle)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        var (response, title) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(expectedTitle, title);
    }

    [Theory]
    [InlineData("POST", "/api/auth/register", "text/plain", 415, "unsupported_media_type")]
    [InlineData("POST", "/api/rooms", "text/plain", 415, "unsupported_media_type")]
    [InlineData("PUT", "/api/rooms", null, 405, "method_not_allowed")]
    [InlineData("GET", "/api/auth/register", null, 405, "method_not_allowed")]
    [InlineData("GET", "/api/rooms/x/nothing-here", null, 404, "not_found")]
    [InlineData("GET", "/api/auth/nothing-here", null, 404, "not_found")]
    [InlineData("GET", "/api/nothing-here", null, 404, "not_found")]
    [InlineData("GET", "/api/rooms/x/messages?limit=many", null, 400, "invalid_request")]
    [InlineData("POST", "/hub?id=unknown", null, 404, "not_found")]
    [InlineData("GET", "/hub", null, 400, "invalid_request")]
    public async Task A_wrong_content_type_method_or_route_is_a_problem(string method, string path, string? contentType, int status, string expectedTitle)
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "errors");
        using var request = RealtimeTestKit.Authorized(new HttpMethod(method), path, user);
        if (contentType is not null)
        {
            request.Content = new StringContent("{\"room\":\"x\"}", Encoding.UTF8, contentType);
        }

        var (response, title) = await SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(expectedTitle, title);
    }

    private async Task<(HttpResponseMessage Response, string? Title)> SendAsync(HttpRequestMessage request)
    {
        using var http = fixture.CreateGatewayClient();
        var response = await http.SendAsync(request).WaitAsync(Timeout);
        var (wrong, title) = await HttpAnswers.For(fixture.App).CheckAsync(response, CancellationToken.None).WaitAsync(Timeout);
        Assert.True(wrong is null, wrong);
        return (response, title);
    }
}

/// <summary>
/// The Gateway's own answer when a service is down is a problem, like every other error: 502 when the connection is
/// refused, 504 after the cluster's 20 s activity timeout when the address still accepts (Aspire's proxy in front of a
/// stopped project does).
/// </summary>
[Collection(DisruptiveAppCollection.Name)]
public sealed class GatewayUpstreamProblemTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task A_request_to_a_stopped_service_is_a_gateway_problem()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "upstream");
        await MessageServiceLifecycle.StopAsync(fixture);
        try
        {
            using var request = RealtimeTestKit.Authorized(HttpMethod.Get, "/api/rooms/x/messages", user);
            request.Headers.TryAddWithoutValidation("Accept", "text/html");
            using var gateway = new HttpClient { BaseAddress = fixture.GatewayUri, Timeout = TimeSpan.FromSeconds(60) };
            using var response = await gateway.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(60));
            var body = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(30));

            // A stopped MessageService refuses connections at once (it listens without Aspire's proxy): 503, retry later.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("service_unavailable", JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
            Assert.DoesNotContain("localhost", body, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await MessageServiceLifecycle.StartAsync(fixture);
        }
    }
}
