using System.Net;
using System.Net.Http.Json;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// Repeated failed logins get 429 with Retry-After, per account and per client address. Every request of the
/// tests comes from the same address, so each test clears the address counters it filled (in Redis) when done.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class LoginThrottleTests(RealtimeAppFixture fixture) : IAsyncLifetime
{
    private const int MaxFailuresPerAccount = 5;
    private const int MaxFailuresPerAddress = 30;
    private const string AddressKeys = "rt:auth:login:address:*";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly AuthClient _auth = new(fixture.CreateGatewayClient());
    private IConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(Timeout);
        _redis = await ConnectionMultiplexer.ConnectAsync(connectionString!).WaitAsync(Timeout);
        await ClearAddressCountersAsync();
    }

    public async Task DisposeAsync()
    {
        await ClearAddressCountersAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task An_account_is_throttled_after_repeated_failures_even_for_the_right_password()
    {
        var (victim, _) = await _auth.RegisterAndLoginAsync();
        var (bystander, _) = await _auth.RegisterAndLoginAsync();

        for (var attempt = 1; attempt <= MaxFailuresPerAccount; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.TokenAsync(victim.Username, $"guess {attempt}")).StatusCode);
        }

        var throttled = await _auth.TokenAsync(victim.Username, "guess 6");
        var rightPassword = await _auth.TokenAsync(victim.Username, AuthClient.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
        var retryAfter = throttled.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightPassword.StatusCode);

        // Another account from the same address is not affected.
        Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(bystander.Username, AuthClient.Password)).StatusCode);
    }

    [Fact]
    public async Task A_successful_login_clears_the_failures_of_the_account()
    {
        var (user, _) = await _auth.RegisterAndLoginAsync();

        for (var round = 0; round < 3; round++)
        {
            for (var attempt = 1; attempt < MaxFailuresPerAccount; attempt++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.TokenAsync(user.Username, "wrong password")).StatusCode);
            }

            Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(user.Username, AuthClient.Password)).StatusCode);
        }
    }

    [Fact]
    public async Task An_address_is_throttled_after_repeated_failures_across_accounts()
    {
        var (user, _) = await _auth.RegisterAndLoginAsync();

        // Successful logins do not count against the address.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(user.Username, AuthClient.Password)).StatusCode);
        }

        // Each guess names another (unknown) account, so only the address limit can stop them.
        for (var attempt = 1; attempt <= MaxFailuresPerAddress; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.TokenAsync(AuthClient.NewUsername("spray"), "password1")).StatusCode);
        }

        var throttled = await _auth.TokenAsync(AuthClient.NewUsername("spray"), "password1");
        var legitimate = await _auth.TokenAsync(user.Username, AuthClient.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, legitimate.StatusCode);

        // The counters live in Redis (shared by every AuthService replica); the window ending lifts the limit.
        await ClearAddressCountersAsync();
        Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(user.Username, AuthClient.Password)).StatusCode);
    }

    [Fact]
    public async Task Parallel_guesses_cannot_slip_past_the_account_limit()
    {
        var (user, _) = await _auth.RegisterAndLoginAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => _auth.TokenAsync(user.Username, $"parallel guess {i}"))).WaitAsync(Timeout);

        Assert.Equal(MaxFailuresPerAccount, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(12 - MaxFailuresPerAccount, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task The_address_counted_is_the_one_the_gateway_saw_not_one_the_client_claims()
    {
        const string spoofed = "198.51.100.77";
        using var gateway = fixture.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
        {
            Content = JsonContent.Create(new { username = AuthClient.NewUsername("spoof"), password = "password1" }),
            Headers = { { "X-Forwarded-For", spoofed } },
        };

        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.SendAsync(request).WaitAsync(Timeout)).StatusCode);

        var counted = await AddressCountersAsync();
        Assert.DoesNotContain(counted, key => key.Contains(spoofed));
        Assert.Contains(counted, key => key.EndsWith(":127.0.0.1") || key.EndsWith(":::1"));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_client_address_is_counted()
    {
        const string client = "203.0.113.9";
        using var authService = fixture.App.CreateHttpClient("auth-service", "http");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
        {
            Content = JsonContent.Create(new { username = AuthClient.NewUsername("proxied"), password = "password1" }),
            Headers = { { "X-Forwarded-For", client } },
        };

        // The test calls AuthService from loopback, a trusted proxy, as the Gateway does.
        Assert.Equal(HttpStatusCode.Unauthorized, (await authService.SendAsync(request).WaitAsync(Timeout)).StatusCode);

        Assert.Contains(LoginThrottleAddressKey(client), await AddressCountersAsync());
    }

    private static string LoginThrottleAddressKey(string address) => $"rt:auth:login:address:{address}";

    private async Task<List<string>> AddressCountersAsync()
    {
        var keys = new List<string>();
        foreach (var endpoint in _redis.GetEndPoints())
        {
            await foreach (var key in _redis.GetServer(endpoint).KeysAsync(pattern: AddressKeys))
            {
                keys.Add(key.ToString());
            }
        }

        return keys;
    }

    private async Task ClearAddressCountersAsync()
    {
        foreach (var endpoint in _redis.GetEndPoints())
        {
            await foreach (var key in _redis.GetServer(endpoint).KeysAsync(pattern: AddressKeys))
            {
                await _redis.GetDatabase().KeyDeleteAsync(key);
            }
        }
    }
}
