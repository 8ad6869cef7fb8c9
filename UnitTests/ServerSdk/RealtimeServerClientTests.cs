using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RealtimeAspire.Server;
using RealtimeAspire.Tests.Auth;

namespace RealtimeAspire.Tests.ServerSdk;

/// <summary>The SDK against a fake server API: the token is fetched once, renewed near expiry and after a 401, and problems become exceptions.</summary>
public sealed class RealtimeServerClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task One_token_serves_many_calls_until_it_nears_expiry()
    {
        var api = new FakeServerApi();
        var (client, clock) = Build(api);

        await client.PublishAsync("lobby", new ServerMessage("one")).WaitAsync(Timeout);
        await client.PublishAsync("lobby", new ServerMessage("two")).WaitAsync(Timeout);
        Assert.Equal(1, api.TokensIssued);

        clock.Advance(TimeSpan.FromSeconds(FakeServerApi.ExpiresIn - 10));
        await client.PublishAsync("lobby", new ServerMessage("three")).WaitAsync(Timeout);
        Assert.Equal(2, api.TokensIssued);
        Assert.All(api.Calls, call => Assert.StartsWith("Bearer token-", call.Authorization));
    }

    [Fact]
    public async Task A_refused_token_is_replaced_once_and_the_call_sent_again_with_its_body()
    {
        var api = new FakeServerApi { RefuseNextCalls = 1 };
        var (client, _) = Build(api);

        var result = await client.PublishAsync("lobby", new ServerMessage("hello", IdempotencyKey: "k1")).WaitAsync(Timeout);

        Assert.Equal(new PublishResult("m-1", 1), result);
        Assert.Equal(2, api.TokensIssued);
        Assert.Equal(2, api.Calls.Count);
        Assert.Equal(api.Calls[0].Body, api.Calls[1].Body);
        Assert.Contains("\"idempotencyKey\":\"k1\"", api.Calls[1].Body);
    }

    [Fact]
    public async Task A_problem_answer_becomes_an_exception_with_its_status_and_title()
    {
        var api = new FakeServerApi { RefuseNextCalls = int.MaxValue };
        var (client, _) = Build(api);

        var error = await Assert.ThrowsAsync<RealtimeServerException>(() => client.PublishAsync("lobby", new ServerMessage("x")).WaitAsync(Timeout));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Unauthorized", error.Title);
    }

    [Fact]
    public async Task The_token_request_is_form_encoded_client_credentials_with_the_scopes_asked_for()
    {
        var api = new FakeServerApi();
        var (client, _) = Build(api, scopes: ["rooms:publish", "rooms:read"]);

        await client.PublishAsync("lobby", new ServerMessage("x")).WaitAsync(Timeout);

        Assert.Equal("grant_type=client_credentials&client_id=backend&client_secret=s3cret&scope=rooms%3Apublish+rooms%3Aread", api.TokenRequests.Single());
    }

    private static (RealtimeServerClient Client, ManualClock Clock) Build(FakeServerApi api, string[]? scopes = null)
    {
        var clock = new ManualClock();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddRealtimeServerClient(options =>
        {
            options.BaseAddress = new Uri("http://gateway.test");
            options.ClientId = "backend";
            options.ClientSecret = "s3cret";
            options.Scopes = scopes ?? [];
        }).ConfigurePrimaryHttpMessageHandler(() => api);
        services.AddHttpClient("RealtimeAspire.Server.Token").ConfigurePrimaryHttpMessageHandler(() => api);
        return (services.BuildServiceProvider().GetRequiredService<RealtimeServerClient>(), clock);
    }

    /// <summary>The token endpoint and one publish endpoint; it can refuse the next calls with 401.</summary>
    private sealed class FakeServerApi : HttpMessageHandler
    {
        public const int ExpiresIn = 900;

        public int TokensIssued { get; private set; }

        public int RefuseNextCalls { get; set; }

        public List<string> TokenRequests { get; } = [];

        public List<(string Authorization, string Body)> Calls { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            if (request.RequestUri!.AbsolutePath == "/api/auth/token")
            {
                TokenRequests.Add(body);
                TokensIssued++;
                return Json(HttpStatusCode.OK, new { access_token = $"token-{TokensIssued}", token_type = "Bearer", expires_in = ExpiresIn, scope = "" });
            }

            Calls.Add((request.Headers.Authorization?.ToString() ?? "", body));
            if (RefuseNextCalls > 0)
            {
                RefuseNextCalls--;
                var problem = Json(HttpStatusCode.Unauthorized, new { title = "Unauthorized", status = 401 });
                problem.Content.Headers.ContentType = new("application/problem+json");
                return problem;
            }

            return Json(HttpStatusCode.Created, new { messageId = "m-1", seq = 1 });
        }

        private static HttpResponseMessage Json(HttpStatusCode status, object body) =>
            new(status) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
    }
}
