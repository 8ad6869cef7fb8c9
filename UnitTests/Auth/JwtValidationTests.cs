using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// ServiceDefaults' AddJwtAuthentication in a small web app of its own, with a JWKS the test controls:
/// the bearer scheme and IAccessTokenValidator accept and refuse exactly the same tokens.
/// </summary>
public sealed class JwtValidationTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TestSigningKey _published = new();
    private readonly JwksStub _jwks = new();
    private readonly ManualClock _clock = new();
    private JwtProbeApp _probe = null!;

    public async Task InitializeAsync()
    {
        _jwks.Json = TestSigningKey.Jwks(_published);
        _probe = await JwtProbeApp.StartAsync(builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.AddHttpClient(JwksSigningKeys.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _jwks.CreateHandler());
        });
    }

    public async Task DisposeAsync()
    {
        await _probe.DisposeAsync();
        _published.Dispose();
    }

    private IAccessTokenValidator Validator => _probe.Validator;

    private HttpClient Client => _probe.Client;

    private Task<HttpResponseMessage> GetWithBearer(string path, string token) => _probe.GetWithBearerAsync(path, token);

    [Fact]
    public async Task A_token_signed_with_a_published_key_is_accepted_by_the_bearer_scheme_and_the_validator()
    {
        var token = _published.Sign(TokenClaims.For("user-1", "alice"));

        var response = await GetWithBearer("/api/probe", token);
        var validation = await Validator.ValidateAsync(token, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user-1|alice", await response.Content.ReadAsStringAsync());
        Assert.True(validation.IsValid, validation.Error);
        Assert.Equal("user-1", validation.Principal!.FindFirstValue(AccessTokenClaims.UserId));
        Assert.Equal("alice", validation.Principal!.FindFirstValue(AccessTokenClaims.Username));
        Assert.InRange(validation.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
    }

    public static TheoryData<string> BadTokens => ForgedTokens.Kinds;

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_by_the_bearer_scheme_and_the_validator_without_echoing_it(string kind)
    {
        var token = ForgedTokens.Forge(kind, _published);

        var response = await GetWithBearer("/api/probe", token);
        var body = await response.Content.ReadAsStringAsync();
        var validation = await Validator.ValidateAsync(token, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(token, body);
        Assert.False(validation.IsValid);
        Assert.Null(validation.Principal);
        Assert.NotNull(validation.Error);
        Assert.DoesNotContain(token, validation.Error);
        if (kind == "expired")
        {
            Assert.Contains("expired", validation.Error);
        }
    }

    [Fact]
    public async Task No_token_is_401_problem_details()
    {
        var response = await Client.GetAsync("/api/probe").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task The_access_token_query_parameter_is_read_on_websocket_paths_only()
    {
        var token = _published.Sign(TokenClaims.For("user-2", "bob"));

        var websocket = await Client.GetAsync($"/ws?access_token={token}").WaitAsync(Timeout);
        var api = await Client.GetAsync($"/api/probe?access_token={token}").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, websocket.StatusCode);
        Assert.Equal("user-2|bob", await websocket.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task An_unknown_kid_refetches_the_keys_at_most_once_per_refresh_interval()
    {
        var first = await Validator.ValidateAsync(_published.Sign(TokenClaims.For("u", "carol")), CancellationToken.None).WaitAsync(Timeout);
        Assert.True(first.IsValid, first.Error);
        Assert.Equal(1, _jwks.Requests);

        // Forged kids right after a fetch cost AuthService nothing.
        using var stranger = new TestSigningKey();
        for (var i = 0; i < 20; i++)
        {
            using var forged = new TestSigningKey();
            Assert.False((await Validator.ValidateAsync(forged.Sign(TokenClaims.For("u", "carol")), CancellationToken.None).WaitAsync(Timeout)).IsValid);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetWithBearer("/api/probe", forged.Sign(TokenClaims.For("u", "carol")))).StatusCode);
        }

        Assert.Equal(1, _jwks.Requests);

        // AuthService rotates: the new key is fetched once the interval has passed, and the old one stays valid.
        using var rotated = new TestSigningKey();
        _jwks.Json = TestSigningKey.Jwks(_published, rotated);
        _clock.Advance(TimeSpan.FromSeconds(6));

        var rotatedToken = rotated.Sign(TokenClaims.For("u", "carol"));
        Assert.Equal(HttpStatusCode.OK, (await GetWithBearer("/api/probe", rotatedToken)).StatusCode);
        Assert.True((await Validator.ValidateAsync(rotatedToken, CancellationToken.None).WaitAsync(Timeout)).IsValid);
        Assert.True((await Validator.ValidateAsync(_published.Sign(TokenClaims.For("u", "carol")), CancellationToken.None).WaitAsync(Timeout)).IsValid);
        Assert.Equal(2, _jwks.Requests);
    }

    [Fact]
    public async Task Tokens_arriving_during_the_first_fetch_wait_for_its_keys()
    {
        var slowFetch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _jwks.Gate = slowFetch.Task;
        var tokens = Enumerable.Range(0, 20).Select(i => _published.Sign(TokenClaims.For($"u{i}", $"user{i}"))).ToList();

        var validations = tokens.Select(token => Validator.ValidateAsync(token, CancellationToken.None)).ToList();
        var requests = tokens.Take(5).Select(token => GetWithBearer("/api/probe", token)).ToList();
        await Task.Delay(200);
        slowFetch.SetResult();

        foreach (var validation in await Task.WhenAll(validations).WaitAsync(Timeout))
        {
            Assert.True(validation.IsValid, validation.Error);
        }
        foreach (var response in await Task.WhenAll(requests).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(1, _jwks.Requests);
    }

    [Fact]
    public async Task Keys_held_are_kept_when_authservice_cannot_be_reached()
    {
        var token = _published.Sign(TokenClaims.For("u", "dave"));
        Assert.True((await Validator.ValidateAsync(token, CancellationToken.None).WaitAsync(Timeout)).IsValid);

        _jwks.Fail = true;
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.True((await Validator.ValidateAsync(token, CancellationToken.None).WaitAsync(Timeout)).IsValid);
        Assert.Equal(2, _jwks.Requests);
    }

    private sealed class JwksStub
    {
        private int _requests;

        public volatile string Json = "{\"keys\":[]}";
        public volatile bool Fail;
        public volatile Task Gate = Task.CompletedTask;

        public int Requests => Volatile.Read(ref _requests);

        public HttpMessageHandler CreateHandler() => new Handler(this);

        private sealed class Handler(JwksStub stub) : HttpMessageHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref stub._requests);
                await stub.Gate.WaitAsync(cancellationToken);
                return stub.Fail
                    ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                    : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(stub.Json, Encoding.UTF8, "application/json") };
            }
        }
    }
}
